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
