package fs

import (
	"context"
	"sort"
	"strings"
	"syscall"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
)

// Extended attributes expose what OSS knows about an object:
//
//	user.oss.etag           the ETag, without quotes
//	user.oss.storage_class  Standard, IA, Archive, ColdArchive, DeepColdArchive
//	user.oss.content_type   Content-Type (from HEAD)
//	user.oss.meta.<name>    each x-oss-meta-<name> (from HEAD)
//
// Getxattr of a user.oss.* name sends a HEAD when only LIST data is
// cached. Listxattr never sends a request, because "ls -l" calls it on
// every entry: it names the user.oss.meta.* attributes only once a HEAD
// of the object has been seen. Other user.* names answer ENODATA at no
// cost. The other namespaces (security.*, system.* ACLs, trusted.*) are not
// supported at all: EOPNOTSUPP, which the kernel passes on for ACLs too,
// lets "ls -l" remember that per device (coreutils caches an unsupported
// answer) instead of asking twice per entry — two FUSE round trips per
// file that made a listing of a large directory several times slower.
// Directories have none.

const (
	xattrPrefix      = "user.oss."
	xattrETag        = xattrPrefix + "etag"
	xattrClass       = xattrPrefix + "storage_class"
	xattrContentType = xattrPrefix + "content_type"
	xattrMetaPrefix  = xattrPrefix + "meta."
)

var (
	_ = (fusefs.NodeGetxattrer)((*fileNode)(nil))
	_ = (fusefs.NodeListxattrer)((*fileNode)(nil))
	_ = (fusefs.NodeGetxattrer)((*dirNode)(nil))
)

// xattrValue looks attr up in m; ok is false when m does not have it.
func xattrValue(m meta, attr string) (string, bool) {
	switch attr {
	case xattrETag:
		return strings.Trim(m.info.ETag, `"`), m.info.ETag != ""
	case xattrClass:
		return m.info.StorageClass, m.info.StorageClass != ""
	case xattrContentType:
		return m.info.ContentType, m.info.ContentType != ""
	}
	if name, ok := strings.CutPrefix(attr, xattrMetaPrefix); ok {
		v, ok := m.info.Metadata[name]
		return v, ok
	}
	return "", false
}

// xattrNames lists the attributes m has, sorted.
func xattrNames(m meta) []string {
	var names []string
	for _, a := range []string{xattrETag, xattrClass, xattrContentType} {
		if _, ok := xattrValue(m, a); ok {
			names = append(names, a)
		}
	}
	for k := range m.info.Metadata {
		names = append(names, xattrMetaPrefix+k)
	}
	sort.Strings(names)
	return names
}

func (n *node) Getxattr(ctx context.Context, attr string, dest []byte) (_ uint32, errno syscall.Errno) {
	defer n.fsys.done("getxattr", n.fsys.begin(), &errno)
	if !strings.HasPrefix(attr, "user.") {
		return 0, syscall.EOPNOTSUPP
	}
	if !strings.HasPrefix(attr, xattrPrefix) {
		return 0, syscall.ENODATA
	}
	m, err := n.fsys.stat(ctx, n.key)
	if err != nil {
		return 0, n.fsys.toErrno("getxattr", n.key, err)
	}
	if m.kind == kindDir {
		return 0, syscall.ENODATA
	}
	if _, ok := xattrValue(m, attr); !ok || attr == xattrContentType {
		if m, err = n.fsys.headFull(ctx, n.key, m); err != nil {
			return 0, n.fsys.toErrno("getxattr", n.key, err)
		}
	}
	v, ok := xattrValue(m, attr)
	if !ok {
		return 0, syscall.ENODATA
	}
	return copyXattr(dest, v)
}

func (n *node) Listxattr(ctx context.Context, dest []byte) (_ uint32, errno syscall.Errno) {
	defer n.fsys.done("listxattr", n.fsys.begin(), &errno)
	m, err := n.fsys.stat(ctx, n.key)
	if err != nil {
		return 0, n.fsys.toErrno("listxattr", n.key, err)
	}
	if m.kind == kindDir {
		return 0, 0
	}
	var b strings.Builder
	for _, name := range xattrNames(m) {
		b.WriteString(name)
		b.WriteByte(0)
	}
	return copyXattr(dest, b.String())
}

// copyXattr follows getxattr(2): an empty dest asks for the size, a short
// one is ERANGE.
func copyXattr(dest []byte, v string) (uint32, syscall.Errno) {
	if len(dest) == 0 {
		return uint32(len(v)), 0
	}
	if len(dest) < len(v) {
		return uint32(len(v)), syscall.ERANGE
	}
	return uint32(copy(dest, v)), 0
}
