package fs

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// The kernel sizes a FUSE mount's sequential READs by the readahead of
// its backing device, which starts at 128 KiB whatever max_readahead the
// filesystem asked for in INIT. At 128 KiB a 1 GiB scan costs 8,192 READ
// round trips through /dev/fuse; raising it lets the kernel send fewer,
// larger READs that keep the prefetcher's window busy. Only root may
// write the sysfs knob, so this is best effort: a failure is logged once
// and the mount works at the kernel's default.

// setKernelReadahead sets read_ahead_kb of the device that backs
// mountpoint.
func setKernelReadahead(mountpoint string, bytes int64) error {
	var st syscall.Stat_t
	if err := syscall.Stat(mountpoint, &st); err != nil {
		return fmt.Errorf("kernel readahead: %w", err)
	}
	dev := uint64(st.Dev)
	p := fmt.Sprintf("/sys/class/bdi/%d:%d/read_ahead_kb", unix.Major(dev), unix.Minor(dev))
	if err := os.WriteFile(p, []byte(fmt.Sprint(bytes>>10)), 0); err != nil {
		return fmt.Errorf("kernel readahead: %w", err)
	}
	return nil
}
