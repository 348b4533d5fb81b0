package fs

import (
	"context"
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// node is what every inode of the tree holds: the shared filesystem and
// its own key. Per-node state lives in the node; nothing else keeps
// *Inode pointers, so the kernel's FORGET frees them.
type node struct {
	fusefs.Inode
	fsys *filesystem
	key  string
}

// dirNode is a directory: a common prefix, a "dir/" marker or the root.
type dirNode struct{ node }

// symlinkNode is a symlink object.
type symlinkNode struct{ node }

// fileNode (file.go) is a regular object.

func typeBits(k kind) uint32 {
	switch k {
	case kindDir:
		return syscall.S_IFDIR
	case kindSymlink:
		return syscall.S_IFLNK
	}
	return syscall.S_IFREG
}

var _ = (fusefs.NodeGetattrer)((*dirNode)(nil))
var _ = (fusefs.NodeGetattrer)((*fileNode)(nil))
var _ = (fusefs.NodeGetattrer)((*symlinkNode)(nil))

// Getattr reports the node's attributes from the cache, refreshing them
// with one round trip when they are stale.
func (n *node) Getattr(ctx context.Context, _ fusefs.FileHandle, out *fuse.AttrOut) (errno syscall.Errno) {
	defer n.fsys.done("getattr", n.fsys.begin(), &errno)
	m, ttl, err := n.fsys.statTTL(ctx, n.key)
	if err != nil {
		return n.fsys.toErrno("getattr", n.key, err)
	}
	n.fsys.attrsOf(m).fill(&out.Attr)
	// The kind of an inode can not change; keep the one the kernel knows.
	out.Mode = n.StableAttr().Mode&syscall.S_IFMT | out.Mode&^syscall.S_IFMT
	out.SetTimeout(ttl)
	return 0
}

var _ = (fusefs.NodeLookuper)((*dirNode)(nil))

// Lookup resolves one name in the directory.
func (n *dirNode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (_ *fusefs.Inode, errno syscall.Errno) {
	defer n.fsys.done("lookup", n.fsys.begin(), &errno)
	if !validName(name) {
		return nil, syscall.ENOENT
	}
	key := childKey(n.key, name)
	m, ttl, err := n.fsys.statTTL(ctx, key)
	if err != nil {
		return nil, n.fsys.toErrno("lookup", key, err)
	}
	return n.child(ctx, name, m, ttl, out), 0
}

// child returns the inode for entry name described by m, reusing the live
// one when it has the same type so that the kernel keeps its inode (and
// page cache), and fills out. The kernel may trust the entry for ttl:
// what remains of the cache's trust in m, never more.
func (n *dirNode) child(ctx context.Context, name string, m meta, ttl time.Duration, out *fuse.EntryOut) *fusefs.Inode {
	n.fsys.attrsOf(m).fill(&out.Attr)
	out.SetEntryTimeout(ttl)
	out.SetAttrTimeout(ttl)
	mode := typeBits(m.kind)
	if ch := n.GetChild(name); ch != nil && ch.StableAttr().Mode&syscall.S_IFMT == mode {
		return ch
	}
	f, key := n.fsys, childKey(n.key, name)
	var ops fusefs.InodeEmbedder
	switch m.kind {
	case kindDir:
		ops = &dirNode{node{fsys: f, key: key}}
	case kindSymlink:
		ops = &symlinkNode{node{fsys: f, key: key}}
	default:
		ops = &fileNode{node: node{fsys: f, key: key}}
	}
	f.live.Add(1)
	return n.NewInode(ctx, ops, fusefs.StableAttr{Mode: mode})
}

var _ = (fusefs.NodeOnForgetter)((*fileNode)(nil))

// OnForget runs when the kernel has forgotten the node and go-fuse drops it.
func (n *node) OnForget() { n.fsys.live.Add(-1) }

var _ = (fusefs.NodeOpendirHandler)((*dirNode)(nil))

// OpendirHandle starts a streamed listing; see dirHandle.
func (n *dirNode) OpendirHandle(ctx context.Context, flags uint32) (fusefs.FileHandle, uint32, syscall.Errno) {
	return newDirHandle(n), 0, 0
}

var _ = (fusefs.NodeReadlinker)((*symlinkNode)(nil))

// Readlink returns the link target relative to the link's directory.
func (n *symlinkNode) Readlink(ctx context.Context) (_ []byte, errno syscall.Errno) {
	defer n.fsys.done("readlink", n.fsys.begin(), &errno)
	m, err := n.fsys.stat(ctx, n.key)
	if err != nil {
		return nil, n.fsys.toErrno("readlink", n.key, err)
	}
	t, err := n.fsys.readlink(ctx, n.key, m)
	if err != nil {
		return nil, n.fsys.toErrno("readlink", n.key, err)
	}
	return []byte(t), 0
}

var _ = (fusefs.NodeStatfser)((*dirNode)(nil))
var _ = (fusefs.NodeStatfser)((*fileNode)(nil))

// Statfs reports a large, full, read-only filesystem: OSS has no notion
// of capacity, and nothing can be written.
func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	const bsize = 4096
	out.Bsize = bsize
	out.Frsize = bsize
	out.Blocks = (1 << 50) / bsize // 1 PiB
	out.Bfree = 0
	out.Bavail = 0
	out.Files = 1 << 32
	out.Ffree = 0
	out.NameLen = maxNameLen
	return 0
}

var _ = (fusefs.NodeAccesser)((*dirNode)(nil))
var _ = (fusefs.NodeAccesser)((*fileNode)(nil))
var _ = (fusefs.NodeAccesser)((*symlinkNode)(nil))

// Access refuses write access (the mount is read-only) and leaves the
// rest to the permission bits the kernel checks (default_permissions).
func (n *node) Access(ctx context.Context, mask uint32) syscall.Errno {
	if mask&2 != 0 { // W_OK
		return syscall.EROFS
	}
	return 0
}
