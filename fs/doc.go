// Package fs is the read-only FUSE filesystem of ossfs: a go-fuse v2 node
// tree over an ObjectStore (an OSS bucket, or a prefix of it), with a
// metadata cache in front of it.
//
// # Behaviour contract
//
// Names. Directories are the common prefixes under "/" and "dir/" marker
// objects; implicit directories (no marker) are shown. When a key "a" and
// a prefix "a/" both exist, the directory is shown and the file hidden
// (logged once). Keys that cannot be names — empty components ("a//b"),
// "." or "..", components over 255 bytes — are skipped (logged once).
//
// Attributes. Size and mtime come from the object; owner and permission
// bits from Options (default 0444 files, 0555 directories). ossfs 1.x
// metadata (x-oss-meta-mtime, -mode, -uid, -gid) overrides them when
// present; LIST does not carry metadata, so it is seen once an object has
// been HEADed (a lookup of an unlisted path, or a getxattr). Implicit
// directories have the mount time as mtime.
//
// Symlinks. Objects of type Symlink are symlinks; the target (a bucket key,
// from GetSymlink, cached per ETag) is returned relative to the link's
// directory so that it resolves inside the mount.
//
// Archive objects. Opening an Archive, ColdArchive or DeepColdArchive
// object that is not restored fails with ENODATA ("No data available") and
// one log line naming the key and the storage class.
//
// Extended attributes: user.oss.etag, user.oss.storage_class,
// user.oss.content_type and user.oss.meta.<name> for each x-oss-meta-*
// (see xattr.go for when each costs a request). Other namespaces
// (security.*, system.* ACLs, trusted.*) are not supported: EOPNOTSUPP.
//
// Versions. A handle reads the version (ETag) it opened. Once a newer
// version has been opened on the same file, the older handles get ESTALE:
// the kernel keeps one page cache per file, and old bytes must not enter it.
//
// Writes. Every write-side operation fails with EROFS; the mount is "ro".
//
// Errors map to errno in one function (toErrno): not found → ENOENT,
// object changed → ESTALE, denied or bad credentials → EACCES, not restored
// → ENODATA, interrupted → EINTR, anything else → EIO; an errno from the
// network (ECONNREFUSED) is EIO too, never passed on. Failures are logged
// per episode, not per operation: the first failure of a kind (errno and
// cause: credentials, network, service error, malformed response...) logs
// one warning naming the cause, later ones are counted, and the first
// store request that succeeds afterwards logs "recovered after N failed
// operations"; a kind that flaps warns at most once a minute. A short read is only ever the end of the object: a
// transport "EOF" fails the READ, so the kernel never shrinks a file.
//
// # Request costs
//
//   - ls -l of a directory of N entries: ceil(N/1000) LISTs, no HEAD. The
//     listing streams page by page and fills the cache; READDIRPLUS is
//     answered from the listing itself (dirHandle.Lookup).
//   - stat of an uncached path: one round trip (HEAD key ∥ LIST key/).
//   - stat again within MetadataTTL, or of a name absent from a directory
//     completely listed within MetadataTTL: no request.
//   - ls or find again within MetadataTTL of a complete listing: no request
//     (the listing's names are kept with the directory's cache entry and
//     dropped as soon as one of their entries leaves the cache).
//   - concurrent lookups of one uncached path share one round trip.
//   - cat of a small file just listed: one GET. Re-reading an unchanged
//     file keeps the kernel page cache (FOPEN_KEEP_CACHE): no request.
//
// # Consistency
//
// Metadata is trusted for MetadataTTL (negative results for NegativeTTL),
// in the cache and in the kernel, whose entry and attribute timeouts are
// what remains of the cache entry's TTL, so the two expire together. A file
// handle pins the ETag it opened, and every GET sends If-Match: an object
// that changes under a reader gives it ESTALE, never mixed bytes.
//
// # Lifetime and memory
//
// The tree is dynamic: Lookup creates children with NewInode, nothing
// keeps *Inode pointers, and the kernel's FORGET frees nodes. Memory is
// bounded by CacheEntries, one list page per open directory, and the
// read-ahead MemoryBudget, not by the number of objects seen. Read-ahead
// buffers live outside the Go heap (see fs/reader), so the daemon's RSS
// follows the budget. Mount raises the kernel's readahead for the mount
// to KernelReadahead when it runs as root.
//
// # Metrics
//
// Options.Metrics (a Recorder, e.g. *metrics.Registry) receives FUSE op
// latencies, metadata cache hits and misses and the prefetch memory in
// use; nil records nothing and costs nothing.
package fs
