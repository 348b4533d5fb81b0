package fs

import (
	"fmt"
	"log"
	"os"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// maxIO is the size of the kernel's READs (max_read / max_write) and its
// readahead: big sequential reads arrive in few requests.
const maxIO = 1 << 20

// Mount mounts store read-only at mountpoint and returns the running
// server; the caller unmounts it with server.Unmount. The kernel's entry,
// attribute and negative timeouts follow MetadataTTL and NegativeTTL.
func Mount(mountpoint string, store ObjectStore, opts Options) (*fuse.Server, error) {
	server, _, err := mount(mountpoint, store, opts)
	return server, err
}

func mount(mountpoint string, store ObjectStore, opts Options) (*fuse.Server, *filesystem, error) {
	f, err := newFilesystem(store, opts)
	if err != nil {
		return nil, nil, err
	}
	if f.rec != nil {
		f.rec.PrefetchMemory(f.budget.InUse, f.budget.Limit())
	}
	root := &dirNode{node{fsys: f, key: f.root}}
	server, err := fusefs.Mount(mountpoint, root, f.fuseOptions())
	if err != nil {
		return nil, nil, fmt.Errorf("mount %s: %w", mountpoint, err)
	}
	if ra := f.opts.KernelReadahead; ra > 0 {
		if err := setKernelReadahead(mountpoint, ra); err != nil {
			f.opts.Logger.Debug("ossfs: kept the kernel's default readahead", "err", err.Error())
		}
	}
	return server, f, nil
}

func (f *filesystem) fuseOptions() *fusefs.Options {
	ttl, neg := f.opts.MetadataTTL, f.opts.NegativeTTL
	o := &fusefs.Options{
		MountOptions: fuse.MountOptions{
			AllowOther: f.opts.AllowOther,
			// default_permissions: the kernel checks mode bits itself.
			Options:              []string{"ro", "default_permissions"},
			FsName:               f.opts.FSName,
			Name:                 "ossfs",
			MaxReadAhead:         maxIO,
			MaxWrite:             maxIO,
			MaxBackground:        64,
			EnableSymlinkCaching: true,
			// Replies are memory, not file descriptors, so splice can
			// only copy them into a pipe first; for a 1 MiB READ the pipe
			// is too small and go-fuse logged "trySplice" on each one.
			// Measured (issue 7, in-process): no slower without it.
			DisableSplice: true,
			DirectMount:   os.Geteuid() == 0,
			Debug:         f.opts.Debug,
		},
		EntryTimeout:    &ttl,
		AttrTimeout:     &ttl,
		NegativeTimeout: &neg,
		UID:             f.opts.UID,
		GID:             f.opts.GID,
	}
	if f.opts.Debug {
		o.Logger = log.Default()
	}
	return o
}
