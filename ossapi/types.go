package ossapi

import "time"

// ObjectInfo is what HEAD, GET and LIST tell about one object.
type ObjectInfo struct {
	Key          string
	Size         int64
	ETag         string // as the service sends it, quotes included: "5EB63BBBE01EEED093CB22BB8F5ACDC3"
	LastModified time.Time
	ContentType  string // empty from LIST
	StorageClass string // Standard, IA, Archive, ColdArchive, DeepColdArchive
	ObjectType   string // Normal, Appendable, Multipart, Symlink
	// Restore is the x-oss-restore header (or LIST RestoreInfo): empty when
	// never restored, `ongoing-request="true"` while restoring.
	Restore string
	// Metadata holds x-oss-meta-* user metadata, names lower-cased without
	// the prefix. Empty from LIST.
	Metadata map[string]string
}

// ListRequest is one ListObjectsV2 page request.
type ListRequest struct {
	Prefix            string
	Delimiter         string
	StartAfter        string
	ContinuationToken string
	MaxKeys           int // 0 means the service default (100); at most 1000
}

// ListPage is one decoded ListObjectsV2 page; keys and prefixes are already
// URL-decoded.
type ListPage struct {
	Objects               []ObjectInfo
	CommonPrefixes        []string
	IsTruncated           bool
	NextContinuationToken string
}

// GetRequest asks for bytes [Offset, Offset+Length) of Key; Length < 0 means
// to the end of the object. IfMatch, when set, pins the ETag (quoted, as
// ObjectInfo.ETag): a changed object fails with ErrPreconditionFailed.
type GetRequest struct {
	Key     string
	Offset  int64
	Length  int64
	IfMatch string
}
