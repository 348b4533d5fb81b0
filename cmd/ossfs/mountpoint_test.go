package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

const sampleMountinfo = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
36 22 0:30 / /mnt/my\040data rw,nosuid - fuse.ossfs ossfs:bkt ro,user_id=0,group_id=0
37 22 0:31 / /mnt/plain rw master:2 - tmpfs tmpfs rw
38 37 0:32 / /mnt/plain rw - fuse.ossfs bkt rw
`

func TestFindMount(t *testing.T) {
	cases := []struct {
		dir, fstype string
		ok          bool
	}{
		{"/", "ext4", true},
		{"/mnt/my data", "fuse.ossfs", true},
		{"/mnt/plain", "fuse.ossfs", true}, // stacked: the last one is in view
		{"/mnt", "", false},
		{"/mnt/my", "", false},
	}
	for _, tc := range cases {
		fstype, ok, err := findMount(strings.NewReader(sampleMountinfo), tc.dir)
		if err != nil || ok != tc.ok || fstype != tc.fstype {
			t.Errorf("findMount(%q) = %q, %v, %v; want %q, %v", tc.dir, fstype, ok, err, tc.fstype, tc.ok)
		}
	}
}

func TestUnescapeMountinfo(t *testing.T) {
	for in, want := range map[string]string{`/a\040b`: "/a b", `/t\011ab`: "/t\tab", `/back\134slash`: `/back\slash`, `/end\04`: `/end\04`, `/x`: "/x"} {
		if got := unescapeMountinfo(in); got != want {
			t.Errorf("unescapeMountinfo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckMountpoint(t *testing.T) {
	dir := t.TempDir()
	if err := checkMountpoint(dir); err != nil {
		t.Errorf("empty temp dir refused: %v", err)
	}
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		filepath.Join(dir, "missing"): "does not exist",
		file:                          "is not a directory",
		"/proc":                       "is already a mount (proc)",
	} {
		err := checkMountpoint(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkMountpoint(%s) = %v, want error containing %q", path, err, want)
		}
	}
}

// hungRoot is a FUSE root whose statfs blocks until released: a daemon
// that is alive but stuck.
type hungRoot struct {
	fusefs.Inode
	release chan struct{}
}

var _ = (fusefs.NodeStatfser)((*hungRoot)(nil))

func (r *hungRoot) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	select {
	case <-r.release:
	case <-ctx.Done():
	}
	return 0
}

// A live but hung FUSE mount is reported without hanging the check.
func TestCheckMountpointHungDaemon(t *testing.T) {
	requireFUSE(t)
	dir := t.TempDir()
	root := &hungRoot{release: make(chan struct{})}
	srv, err := fusefs.Mount(dir, root, &fusefs.Options{MountOptions: fuse.MountOptions{Name: "hungtest", DirectMount: os.Geteuid() == 0}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		close(root.release)
		if err := srv.Unmount(); err != nil {
			syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	}()
	old := probeTimeout
	probeTimeout = 50 * time.Millisecond
	defer func() { probeTimeout = old }()
	err = checkMountpoint(dir)
	if err == nil || !strings.Contains(err.Error(), "already a mount (fuse.hungtest) whose daemon does not answer") ||
		!strings.Contains(err.Error(), dir) {
		t.Errorf("checkMountpoint on a hung mount = %v", err)
	}
}

// A FUSE mount whose daemon answers is a live mount, not a stale one.
func TestCheckMountpointLiveFUSE(t *testing.T) {
	requireFUSE(t)
	dir := t.TempDir()
	root := &hungRoot{release: make(chan struct{})}
	close(root.release)
	srv, err := fusefs.Mount(dir, root, &fusefs.Options{MountOptions: fuse.MountOptions{Name: "livetest", DirectMount: os.Geteuid() == 0}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Unmount()
	err = checkMountpoint(dir)
	if err == nil || !strings.Contains(err.Error(), "is already a mount (fuse.livetest); unmount it first: ") {
		t.Errorf("checkMountpoint on a live mount = %v", err)
	}
}
