package fs

import (
	"strings"

	"github.com/ossfs/ossfs/ossapi"
)

// kind is what a path is in the mounted tree.
type kind uint8

const (
	kindFile kind = iota + 1
	kindDir
	kindSymlink
)

func (k kind) String() string {
	switch k {
	case kindFile:
		return "file"
	case kindDir:
		return "dir"
	case kindSymlink:
		return "symlink"
	}
	return "unknown"
}

// meta is what the filesystem knows about one path.
type meta struct {
	kind kind
	// info describes the object behind a file or symlink, or the "dir/"
	// marker of a directory when one was seen (zero for implicit dirs).
	info ossapi.ObjectInfo
	// full is set when info came from HEAD and so carries ContentType and
	// user metadata; LIST leaves both empty.
	full bool
}

// objectKind classifies an object as LIST or HEAD reports it.
func objectKind(info ossapi.ObjectInfo) kind {
	if strings.EqualFold(info.ObjectType, "Symlink") {
		return kindSymlink
	}
	return kindFile
}

// isArchived reports whether the object's storage class needs a restore
// before its bytes can be read, and whether no usable restore is in place.
func needsRestore(info ossapi.ObjectInfo) bool {
	switch strings.ToLower(info.StorageClass) {
	case "archive", "coldarchive", "deepcoldarchive":
	default:
		return false
	}
	// x-oss-restore: absent (never restored) or ongoing-request="true"
	// mean the bytes are not readable yet.
	r := strings.ReplaceAll(strings.ToLower(info.Restore), " ", "")
	return r == "" || strings.Contains(r, `ongoing-request="true"`)
}
