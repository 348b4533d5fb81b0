package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// mountedServer is the part of *fuse.Server the signal loop needs.
type mountedServer interface {
	Unmount() error
	Wait()
}

// errSecondSignal reports that the user insisted: exit at once.
var errSecondSignal = errors.New("second signal: exiting without a clean unmount")

// unmountGrace is how long a busy mount is retried before a lazy unmount.
const unmountGrace = 3 * time.Second

// serveUntilSignal blocks until the mount goes away (someone ran umount)
// or a signal arrives. On the first signal it unmounts; while the mount is
// busy it retries until grace has passed, then detaches it lazily (the
// kernel finishes the unmount once the last open file is closed). A second
// signal returns errSecondSignal at once, after a lazy detach.
func serveUntilSignal(srv mountedServer, mountpoint string, sigs <-chan os.Signal, grace time.Duration,
	lazy func(string) error, log *slog.Logger) error {
	done := make(chan struct{})
	go func() { srv.Wait(); close(done) }()
	var sig os.Signal
	select {
	case <-done:
		log.Info("mount was unmounted from outside; exiting", "mountpoint", mountpoint)
		return nil
	case sig = <-sigs:
	}
	log.Info("signal received, unmounting", "signal", sig.String(), "mountpoint", mountpoint)
	_ = sdNotify("STOPPING=1")

	result := make(chan error, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() { result <- unmountWithRetry(srv, grace, stop, log) }()
	var err error
	select {
	case err = <-result:
	case sig = <-sigs:
		log.Warn("second signal, exiting now", "signal", sig.String())
		_ = lazy(mountpoint)
		return errSecondSignal
	}
	if err == nil {
		log.Info("unmounted", "mountpoint", mountpoint)
		return nil
	}
	log.Warn("mount still busy, detaching it lazily", "mountpoint", mountpoint, "err", err)
	if lerr := lazy(mountpoint); lerr != nil {
		return fmt.Errorf("unmount %s: %w (lazy unmount: %v)", mountpoint, err, lerr)
	}
	// Exiting promptly is what a stop asks for (systemd would otherwise
	// kill us at TimeoutStopSec); files still open then fail with ENOTCONN.
	log.Info("lazily unmounted; files still open will fail (ENOTCONN) from now on", "mountpoint", mountpoint)
	return nil
}

// unmountWithRetry calls Unmount until it succeeds, grace has passed or
// stop is closed; it returns the last error.
func unmountWithRetry(srv mountedServer, grace time.Duration, stop <-chan struct{}, log *slog.Logger) error {
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	for {
		err := srv.Unmount()
		if err == nil {
			return nil
		}
		log.Debug("unmount failed, retrying", "err", err)
		select {
		case <-deadline.C:
			return err
		case <-stop:
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lazyUnmount detaches mountpoint now; the kernel completes the unmount
// when it is no longer busy. Root uses umount2(MNT_DETACH); others need
// the setuid fusermount3.
func lazyUnmount(mountpoint string) error {
	err := syscall.Unmount(mountpoint, syscall.MNT_DETACH)
	if err == nil || os.Geteuid() == 0 {
		return err
	}
	for _, bin := range []string{"fusermount3", "fusermount"} {
		if path, lerr := exec.LookPath(bin); lerr == nil {
			if out, rerr := exec.Command(path, "-u", "-z", mountpoint).CombinedOutput(); rerr != nil {
				return fmt.Errorf("%s -u -z: %v: %s", bin, rerr, out)
			}
			return nil
		}
	}
	return fmt.Errorf("umount2(MNT_DETACH): %w (and no fusermount3 found)", err)
}
