package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/ossfs/ossfs/internal/mountinfo"
)

// probeTimeout bounds the statfs of an existing FUSE mount: a daemon that
// is alive but hung must not hang ossfs too.
var probeTimeout = 5 * time.Second

// checkMountpoint fails unless dir exists, is a directory and is not a
// mount already. A stale FUSE mount (its daemon gone) is named as such,
// with the command that clears it.
func checkMountpoint(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case isDisconnected(err):
		fstype, _, _ := mountinfo.Lookup(dir)
		return staleError(dir, fstype)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("mountpoint %s does not exist (create it with: mkdir -p %s)", dir, dir)
	case err != nil:
		return fmt.Errorf("mountpoint %s: %w", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("mountpoint %s is not a directory", dir)
	}
	fstype, mounted, err := mountinfo.Lookup(dir)
	if err != nil {
		return fmt.Errorf("read mount table: %w", err)
	}
	if !mounted {
		return nil
	}
	if strings.HasPrefix(fstype, "fuse") {
		// The kernel answers stat from cached attributes even after the
		// daemon died; statfs always goes to the daemon, or fails with
		// ENOTCONN once the connection is gone.
		switch err := probeStatfs(dir, probeTimeout); {
		case isDisconnected(err):
			return staleError(dir, fstype)
		case errors.Is(err, errProbeTimeout):
			return fmt.Errorf("mountpoint %s is already a mount (%s) whose daemon does not answer; unmount it first: %s", dir, fstype, clearCommand(dir))
		}
	}
	return fmt.Errorf("mountpoint %s is already a mount (%s); unmount it first: %s", dir, fstype, clearCommand(dir))
}

// isDisconnected reports the errors of a FUSE mount whose daemon is gone
// (ENOTCONN) or whose connection was aborted through fusectl (ECONNABORTED).
func isDisconnected(err error) bool {
	return errors.Is(err, syscall.ENOTCONN) || errors.Is(err, syscall.ECONNABORTED)
}

var errProbeTimeout = errors.New("no answer")

// probeStatfs runs statfs(dir) for at most timeout. On a timeout the
// goroutine stays blocked in the kernel; the caller exits soon after.
func probeStatfs(dir string, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() {
		var st syscall.Statfs_t
		done <- syscall.Statfs(dir, &st)
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return errProbeTimeout
	}
}

func staleError(dir, fstype string) error {
	what := "FUSE mount"
	if fstype == "fuse.ossfs" || fstype == "" {
		what = "ossfs mount"
	} else if strings.HasPrefix(fstype, "fuse") {
		what = "FUSE mount (" + fstype + ")"
	}
	return fmt.Errorf("mountpoint %s is a stale, disconnected %s (its daemon died); clear it with: %s", dir, what, clearCommand(dir))
}

func clearCommand(dir string) string {
	if os.Geteuid() == 0 {
		return "umount -l " + dir
	}
	return "fusermount3 -u " + dir
}
