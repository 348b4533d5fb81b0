package fs

import (
	"math"
	"strconv"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// attrs are the stat fields of one path, before they become a fuse.Attr.
type attrs struct {
	mode  uint32 // file type and permission bits
	size  uint64
	mtime time.Time
	uid   uint32
	gid   uint32
	nlink uint32
}

// attrsOf computes the attributes of m: size and mtime from the object,
// owner and permissions from the options, except that ossfs 1.x metadata
// (x-oss-meta-mtime, -mode, -uid, -gid; HEAD only) wins when present and
// well-formed.
func (f *filesystem) attrsOf(m meta) attrs {
	a := attrs{uid: f.opts.UID, gid: f.opts.GID, nlink: 1, mtime: m.info.LastModified}
	switch m.kind {
	case kindDir:
		a.mode = syscall.S_IFDIR | uint32(f.opts.DirMode)
		a.size = 4096
		a.nlink = 2
		if a.mtime.IsZero() {
			a.mtime = f.started
		}
	case kindSymlink:
		a.mode = syscall.S_IFLNK | 0o777
		a.size = uint64(max(m.info.Size, 0))
	default:
		a.mode = syscall.S_IFREG | uint32(f.opts.FileMode)
		a.size = uint64(max(m.info.Size, 0))
	}
	md := m.info.Metadata
	if v, ok := md["mtime"]; ok {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 && s < math.MaxInt32*4 {
			sec, frac := math.Modf(s)
			a.mtime = time.Unix(int64(sec), int64(frac*1e9))
		}
	}
	if v, ok := md["mode"]; ok && m.kind != kindSymlink {
		if mode, err := strconv.ParseUint(v, 10, 32); err == nil {
			a.mode = a.mode&syscall.S_IFMT | uint32(mode)&0o7777
		}
	}
	if v, ok := md["uid"]; ok {
		if id, err := strconv.ParseUint(v, 10, 32); err == nil {
			a.uid = uint32(id)
		}
	}
	if v, ok := md["gid"]; ok {
		if id, err := strconv.ParseUint(v, 10, 32); err == nil {
			a.gid = uint32(id)
		}
	}
	return a
}

// fill copies a into a fuse.Attr.
func (a attrs) fill(out *fuse.Attr) {
	out.Mode = a.mode
	out.Size = a.size
	out.Blocks = (a.size + 511) / 512
	out.Blksize = 4096
	out.Nlink = a.nlink
	out.Owner = fuse.Owner{Uid: a.uid, Gid: a.gid}
	out.SetTimes(&a.mtime, &a.mtime, &a.mtime)
}
