package fs

import (
	"context"
	"io"
	"sync"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/ossfs/ossfs/fs/reader"
)

// fileNode is a regular object.
type fileNode struct {
	node

	mu sync.Mutex
	// cachedETag is the version whose bytes the kernel's page cache may
	// hold for this inode: opening that same version again keeps the
	// cache (FOPEN_KEEP_CACHE), any other version drops it.
	cachedETag string // GUARDED_BY(mu)
}

// fileHandle is one open of a file. It pins the ETag seen at open: every
// GET sends If-Match, so a changed object gives ESTALE, never mixed bytes.
// Handles share nothing but the budget, so reads take no global lock.
type fileHandle struct {
	fsys *filesystem
	node *fileNode
	key  string
	etag string // the version this handle reads
	r    *reader.Reader
}

var _ = (fusefs.NodeOpener)((*fileNode)(nil))

// Open checks the object is readable and starts a reader pinned to its
// ETag. No request is sent when the metadata is cached.
func (n *fileNode) Open(ctx context.Context, flags uint32) (_ fusefs.FileHandle, _ uint32, errno syscall.Errno) {
	defer n.fsys.done("open", n.fsys.begin(), &errno)
	if flags&syscall.O_ACCMODE != syscall.O_RDONLY || flags&(syscall.O_TRUNC|syscall.O_APPEND|syscall.O_CREAT) != 0 {
		return nil, 0, syscall.EROFS
	}
	m, err := n.fsys.stat(ctx, n.key)
	if err != nil {
		return nil, 0, n.fsys.toErrno("open", n.key, err)
	}
	if m.kind != kindFile {
		return nil, 0, syscall.ESTALE // the path became a directory or a link
	}
	if needsRestore(m.info) {
		n.fsys.once.warn("cold:"+n.key+":"+m.info.ETag, "ossfs: object needs a restore before it can be read",
			"key", n.key, "storage_class", m.info.StorageClass)
		return nil, 0, errNotRestored
	}
	fh := &fileHandle{
		fsys: n.fsys,
		node: n,
		key:  n.key,
		etag: m.info.ETag,
		r:    reader.New(n.fsys.store, n.key, m.info.ETag, m.info.Size, n.fsys.budget, n.fsys.opts.Reader),
	}
	var fuseFlags uint32
	n.mu.Lock()
	if n.cachedETag == m.info.ETag && m.info.ETag != "" {
		fuseFlags |= fuse.FOPEN_KEEP_CACHE
	}
	n.cachedETag = m.info.ETag
	n.mu.Unlock()
	return fh, fuseFlags, 0
}

var _ = (fusefs.FileReader)((*fileHandle)(nil))

// Read serves one kernel READ from the handle's reader. The reply refers
// to the reader's buffers instead of copying them into dest: go-fuse
// writes it with writev and then calls Done, which lets them go.
func (h *fileHandle) Read(ctx context.Context, dest []byte, off int64) (_ fuse.ReadResult, errno syscall.Errno) {
	defer h.fsys.done("read", h.fsys.begin(), &errno)
	if h.superseded() {
		return nil, syscall.ESTALE
	}
	v, err := h.r.ReadSlices(ctx, dest, off)
	// Only the reader's own io.EOF (never wrapped) is the end of the file.
	// A wrapped EOF is a network failure ("Get …: EOF"): answering it with
	// a short read would make the kernel shrink the file for good.
	if err != nil && err != io.EOF {
		errno := h.fsys.toErrno("read", h.key, err)
		if errno == syscall.ESTALE {
			// The object changed: the next open must look again.
			h.fsys.cache.remove(h.key)
		}
		return nil, errno
	}
	return sliceResult{v}, 0
}

// superseded reports whether a newer version of the object has been
// opened on this inode since the handle was. The kernel keeps one page
// cache per inode: bytes of the old version read now would land in the
// cache the new version's readers use (and a grown object would read as a
// short file). The old handle gets ESTALE instead, as for any change.
func (h *fileHandle) superseded() bool {
	h.node.mu.Lock()
	defer h.node.mu.Unlock()
	return h.node.cachedETag != h.etag
}

// sliceResult is a READ reply made of the reader's buffers. Besides
// fuse.ReadResult it has Slices, which go-fuse's write path looks for: it
// then sends the buffers with one writev, never trying splice (which
// would copy them into a pipe first) and never concatenating them.
type sliceResult struct{ v *reader.Slices }

var _ fuse.ReadResult = sliceResult{}

func (r sliceResult) Size() int { return r.v.Len() }

func (r sliceResult) Slices() ([][]byte, fuse.Status) { return r.v.Bytes(), fuse.OK }

// Bytes concatenates, for the paths that want one buffer.
func (r sliceResult) Bytes(buf []byte) ([]byte, fuse.Status) {
	buf = buf[:0]
	for _, b := range r.v.Bytes() {
		buf = append(buf, b...)
	}
	return buf, fuse.OK
}

func (r sliceResult) Done() { r.v.Release() }

var _ = (fusefs.FileReleaser)((*fileHandle)(nil))

// Release stops the handle's prefetching and frees its buffers.
func (h *fileHandle) Release(ctx context.Context) syscall.Errno {
	if err := h.r.Close(); err != nil {
		return h.fsys.toErrno("release", h.key, err)
	}
	return 0
}
