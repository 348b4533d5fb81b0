package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// checkUnprivilegedFUSE finds, before mounting, the usual reasons a normal
// user's mount fails inside fusermount3, which would print its own line
// beside ours: no fusermount3, no access to /dev/fuse, --allow-other
// without user_allow_other. Root mounts directly and needs none of this.
func checkUnprivilegedFUSE(allowOther bool) error {
	if os.Geteuid() == 0 {
		return nil
	}
	if _, err := exec.LookPath("fusermount3"); err != nil {
		if _, err2 := exec.LookPath("fusermount"); err2 != nil {
			return errors.New("cannot mount as a normal user: fusermount3 is not installed (apt-get install fuse3), or run as root")
		}
	}
	f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("cannot mount as a normal user: %v (the device must be accessible: mode 0666, or run as root)", err)
	}
	f.Close()
	if allowOther {
		conf, err := os.Open("/etc/fuse.conf")
		ok := false
		if err == nil {
			ok = allowsOther(conf)
			conf.Close()
		}
		if !ok {
			return errors.New("--allow-other needs a line user_allow_other in /etc/fuse.conf when not run as root")
		}
	}
	return nil
}

// allowsOther reports whether a fuse.conf(5) enables user_allow_other.
func allowsOther(r io.Reader) bool {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if strings.TrimSpace(line) == "user_allow_other" {
			return true
		}
	}
	return false
}
