// Package mountinfo reads the kernel's mount table (/proc/self/mountinfo,
// proc(5)): which filesystem, if any, is mounted at a directory. The
// command uses it to refuse a busy or stale mountpoint; tests use it to
// check that nothing was left mounted.
package mountinfo

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
)

// Lookup reports the type of the filesystem mounted at dir (for example
// "fuse.ossfs"), from this process's mount table.
func Lookup(dir string) (fstype string, ok bool, err error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	return Find(f, dir)
}

// Find scans a mountinfo table for a mount at dir and
// returns its filesystem type. Of mounts stacked on one directory the
// last one listed is the one in view.
func Find(r io.Reader, dir string) (fstype string, ok bool, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional...] - fstype source superopts
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 || unescape(fields[4]) != dir {
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

// unescape undoes the kernel's octal escapes (\040 for space,
// \011, \012, \134) in mountinfo paths.
func unescape(s string) string {
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
