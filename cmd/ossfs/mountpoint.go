package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
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
		fstype, _, _ := mountAt(dir)
		return staleError(dir, fstype)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("mountpoint %s does not exist (create it with: mkdir -p %s)", dir, dir)
	case err != nil:
		return fmt.Errorf("mountpoint %s: %w", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("mountpoint %s is not a directory", dir)
	}
	fstype, mounted, err := mountAt(dir)
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

// mountAt looks dir up in this process's mount table.
func mountAt(dir string) (fstype string, ok bool, err error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	return findMount(f, dir)
}

func clearCommand(dir string) string {
	if os.Geteuid() == 0 {
		return "umount -l " + dir
	}
	return "fusermount3 -u " + dir
}

// findMount scans /proc/self/mountinfo (proc(5)) for a mount at dir and
// returns its filesystem type. Of mounts stacked on one directory the
// last one listed is the one in view.
func findMount(r io.Reader, dir string) (fstype string, ok bool, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional...] - fstype source superopts
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 || unescapeMountinfo(fields[4]) != dir {
			continue
		}
		fstype, ok = "unknown", true
		for i := 5; i < len(fields)-1; i++ {
			if fields[i] == "-" {
				fstype = fields[i+1]
				break
			}
		}
	}
	return fstype, ok, sc.Err()
}

// unescapeMountinfo undoes the kernel's octal escapes (\040 for space,
// \011, \012, \134) in mountinfo paths.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
