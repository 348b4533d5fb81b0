package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/internal/testbin"
)

// An fstab line of type fuse.ossfs mounts through mount(8) and
// mount.fuse3, which run `ossfs BUCKET MOUNTPOINT -o OPTS` with the
// options mount(8) passes on (ro/rw, dev, suid, exec and their no-
// forms; _netdev, nofail, auto, user, x-systemd.* are mount(8)'s own).
// mount(8) runs helpers with the default PATH, so the test bind-mounts a
// directory holding the binary as `ossfs` over /usr/local/bin in a
// private mount namespace.
func TestBinaryFstabThroughMountFuse3(t *testing.T) {
	requireFUSE(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root: mount(8) and a private mount namespace")
	}
	for _, tool := range []string{"unshare", "mount", "umount"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s", tool)
		}
	}
	if _, err := os.Stat("/sbin/mount.fuse3"); err != nil {
		t.Skip("no /sbin/mount.fuse3 (package fuse3)")
	}
	e := startEmulator(t, emulator.Options{})
	bin := t.TempDir()
	if err := os.Symlink(testbin.Path(t), filepath.Join(bin, "ossfs")); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	mnt := filepath.Join(tmp, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, opts string }{
		{"boot", "_netdev,nofail,ro,allow_other,url=" + e.Endpoint() + ",use_path_request_style,x-systemd.automount,x-systemd.mount-timeout=30"},
		{"user", "rw,dev,suid,exec,auto,user,users,noatime,url=" + e.Endpoint() + ",use_path_request_style,dbglevel=warn"},
		{"defaults", "defaults,noauto,comment=x,url=" + e.Endpoint() + ",use_path_request_style"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fstab := filepath.Join(tmp, "fstab")
			line := "bkt:/dir " + mnt + " fuse.ossfs " + tc.opts + " 0 0\n"
			if err := os.WriteFile(fstab, []byte(line), 0o644); err != nil {
				t.Fatal(err)
			}
			script := `set -e
mount --bind "$OSSFS_TEST_BIN" /usr/local/bin
mount -T "$OSSFS_TEST_FSTAB" "$OSSFS_TEST_MNT"
trap 'umount -l "$OSSFS_TEST_MNT" 2>/dev/null || true' EXIT
grep " $OSSFS_TEST_MNT " /proc/self/mountinfo
cat "$OSSFS_TEST_MNT/a.txt"
umount "$OSSFS_TEST_MNT"
`
			cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
			cmd.Env = append(e.env(), "OSSFS_TEST_BIN="+bin, "OSSFS_TEST_FSTAB="+fstab, "OSSFS_TEST_MNT="+mnt)
			out, err := cmd.CombinedOutput()
			text := string(out)
			if err != nil {
				t.Fatalf("fstab line %q: %v\n%s", line, err, text)
			}
			if !strings.Contains(text, " - fuse.ossfs bkt ro,") || !strings.Contains(text, "\na\n") {
				t.Errorf("fstab line %q: want a read-only fuse.ossfs mount serving dir/a.txt, got:\n%s", line, text)
			}
			if strings.Contains(text, e.SK) {
				t.Errorf("the secret was printed:\n%s", text)
			}
		})
	}
}
