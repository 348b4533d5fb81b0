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
)

// checkMountpoint fails unless dir exists, is a directory and is not a
// mount already. A stale FUSE mount (its daemon gone: stat says ENOTCONN)
// is named as such with the command that clears it.
func checkMountpoint(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, syscall.ENOTCONN):
		return staleError(dir)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("mountpoint %s does not exist (create it with: mkdir -p %s)", dir, dir)
	case err != nil:
		return fmt.Errorf("mountpoint %s: %w", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("mountpoint %s is not a directory", dir)
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("read mount table: %w", err)
	}
	defer f.Close()
	fstype, mounted, err := findMount(f, dir)
	if err != nil {
		return fmt.Errorf("read mount table: %w", err)
	}
	if mounted && strings.HasPrefix(fstype, "fuse") {
		// stat may be answered from the kernel's attribute cache; statfs
		// always reaches the daemon, or fails if it is gone.
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); errors.Is(err, syscall.ENOTCONN) {
			return staleError(dir)
		}
	}
	if mounted {
		return fmt.Errorf("mountpoint %s is already a mount (%s); unmount it first: %s", dir, fstype, clearCommand(dir))
	}
	return nil
}

func staleError(dir string) error {
	return fmt.Errorf("mountpoint %s is a stale, disconnected FUSE mount (its ossfs process is gone); clear it with: %s", dir, clearCommand(dir))
}

func clearCommand(dir string) string {
	if os.Geteuid() == 0 {
		return "umount -l " + dir
	}
	return "fusermount3 -u " + dir
}

// findMount scans /proc/self/mountinfo (proc(5)) for a mount at dir and
// returns its filesystem type.
func findMount(r io.Reader, dir string) (fstype string, ok bool, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional...] - fstype source superopts
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 || unescapeMountinfo(fields[4]) != dir {
			continue
		}
		for i := 5; i < len(fields)-1; i++ {
			if fields[i] == "-" {
				return fields[i+1], true, nil
			}
		}
		return "unknown", true, nil
	}
	return "", false, sc.Err()
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
