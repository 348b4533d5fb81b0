package emulator

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash/crc64"
	"io/fs"
	"math/rand/v2"
	"mime"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ossfs/ossfs/ossapi"
)

var crcTable = crc64.MakeTable(crc64.ECMA)

// object is immutable once stored: an overwrite swaps the pointer, so a GET
// can stream data without holding any lock.
type object struct {
	key          string
	data         []byte
	etag         string // quoted upper-case hex
	contentMD5   string // base64; empty for generated objects
	crc64        string // decimal; empty for generated objects
	lastModified time.Time
	contentType  string
	meta         map[string]string // lower-cased names without x-oss-meta-
	storageClass string
	restored     bool
	objType      string // Normal or Symlink
	target       string // symlink target key
}

type bucket struct {
	name    string
	created time.Time

	mu      sync.RWMutex
	objects map[string]*object // GUARDED_BY(mu)
	keys    []string           // GUARDED_BY(mu); sorted when !dirty
	dirty   bool               // GUARDED_BY(mu)
}

type store struct {
	mu      sync.RWMutex
	buckets map[string]*bucket // GUARDED_BY(mu)
}

func (st *store) init() { st.buckets = map[string]*bucket{} }

func (st *store) bucket(name string) *bucket {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.buckets[name]
}

func (b *bucket) get(key string) *object {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.objects[key]
}

func (b *bucket) put(o *object) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.objects[o.key]; !ok {
		b.keys = append(b.keys, o.key)
		b.dirty = true
	}
	b.objects[o.key] = o
}

func (b *bucket) delete(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.objects[key]; !ok {
		return false
	}
	delete(b.objects, key)
	i := sort.SearchStrings(b.sortedLocked(), key)
	b.keys = append(b.keys[:i], b.keys[i+1:]...)
	return true
}

// sortedLocked sorts lazily so bulk seeding costs one sort, not n inserts.
func (b *bucket) sortedLocked() []string {
	if b.dirty {
		sort.Strings(b.keys)
		b.dirty = false
	}
	return b.keys
}

// view calls fn with the sorted keys and the objects under the bucket lock
// (a write lock, since sorting is lazy; a page is computed in microseconds);
// fn must not keep or modify them.
func (b *bucket) view(fn func(keys []string, objs map[string]*object)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fn(b.sortedLocked(), b.objects)
}

// ObjectOption adjusts an object stored with PutObject.
type ObjectOption func(*object)

// WithContentType sets the Content-Type (default application/octet-stream).
func WithContentType(ct string) ObjectOption { return func(o *object) { o.contentType = ct } }

// WithMetadata sets x-oss-meta-* user metadata (names are lower-cased).
func WithMetadata(m map[string]string) ObjectOption {
	return func(o *object) {
		o.meta = make(map[string]string, len(m))
		for k, v := range m {
			o.meta[strings.ToLower(k)] = v
		}
	}
}

// WithStorageClass sets Standard, IA, Archive, ColdArchive or DeepColdArchive.
func WithStorageClass(class string) ObjectOption { return func(o *object) { o.storageClass = class } }

// WithRestored marks an archive object as restored (readable).
func WithRestored(restored bool) ObjectOption { return func(o *object) { o.restored = restored } }

// WithLastModified overrides the modification time (truncated to seconds).
func WithLastModified(t time.Time) ObjectOption {
	return func(o *object) { o.lastModified = t.UTC().Truncate(time.Second) }
}

// CreateBucket adds an empty bucket; creating an existing bucket is a no-op.
func (s *Server) CreateBucket(name string) error {
	if !validBucketName(name) {
		return fmt.Errorf("emulator: invalid bucket name %q", name)
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if _, ok := s.store.buckets[name]; !ok {
		s.store.buckets[name] = &bucket{name: name, created: s.now().UTC().Truncate(time.Second), objects: map[string]*object{}}
	}
	return nil
}

// validBucketName applies OSS rules: 3-63 of a-z 0-9 -, not starting or
// ending with '-'.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 || name[0] == '-' || name[len(name)-1] == '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func validKey(key string) error {
	if key == "" || len(key) > 1023 {
		return fmt.Errorf("key length %d not in 1..1023", len(key))
	}
	return nil
}

func (s *Server) newObject(key string, data []byte, opts []ObjectOption) *object {
	sum := md5.Sum(data)
	o := &object{
		key:          key,
		data:         data,
		etag:         `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `"`,
		contentMD5:   base64.StdEncoding.EncodeToString(sum[:]),
		crc64:        fmt.Sprint(crc64.Checksum(data, crcTable)),
		lastModified: s.now().UTC().Truncate(time.Second),
		contentType:  "application/octet-stream",
		storageClass: "Standard",
		objType:      "Normal",
	}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// PutObject stores data (not copied: the caller must not modify it later)
// and returns what HEAD will report.
func (s *Server) PutObject(bucketName, key string, data []byte, opts ...ObjectOption) (ossapi.ObjectInfo, error) {
	b := s.store.bucket(bucketName)
	if b == nil {
		return ossapi.ObjectInfo{}, fmt.Errorf("emulator: put %q: no bucket %q", key, bucketName)
	}
	if err := validKey(key); err != nil {
		return ossapi.ObjectInfo{}, fmt.Errorf("emulator: put %q: %w", key, err)
	}
	o := s.newObject(key, data, opts)
	b.put(o)
	return o.info(), nil
}

// PutObjectGenerated stores size bytes of deterministic pseudo-random data
// derived from seed. Its ETag is not the content MD5 (as for a multipart
// upload) and it carries no CRC-64, so no hashing pass over the data is
// needed: a 1 GiB object costs one allocation and one fill.
func (s *Server) PutObjectGenerated(bucketName, key string, size, seed int64, opts ...ObjectOption) (ossapi.ObjectInfo, error) {
	b := s.store.bucket(bucketName)
	if b == nil {
		return ossapi.ObjectInfo{}, fmt.Errorf("emulator: put %q: no bucket %q", key, bucketName)
	}
	if err := validKey(key); err != nil {
		return ossapi.ObjectInfo{}, fmt.Errorf("emulator: put %q: %w", key, err)
	}
	if size < 0 {
		return ossapi.ObjectInfo{}, fmt.Errorf("emulator: put %q: negative size %d", key, size)
	}
	data := GeneratedData(size, seed)
	sum := md5.Sum(fmt.Appendf(nil, "%s\x00%d\x00%d", key, size, seed))
	o := &object{
		key:          key,
		data:         data,
		etag:         `"` + strings.ToUpper(hex.EncodeToString(sum[:])) + `-1"`,
		lastModified: s.now().UTC().Truncate(time.Second),
		contentType:  "application/octet-stream",
		storageClass: "Standard",
		objType:      "Normal",
	}
	for _, opt := range opts {
		opt(o)
	}
	b.put(o)
	return o.info(), nil
}

// GeneratedData returns the bytes PutObjectGenerated stores for size and
// seed, so tests can compute the expected content.
func GeneratedData(size, seed int64) []byte {
	data := make([]byte, size)
	var s [32]byte
	for i := 0; i < 8; i++ {
		s[i] = byte(seed >> (8 * i))
	}
	r := rand.NewChaCha8(s)
	r.Read(data)
	return data
}

// PutSymlink stores a symlink object pointing at target (which need not exist).
func (s *Server) PutSymlink(bucketName, key, target string) error {
	b := s.store.bucket(bucketName)
	if b == nil {
		return fmt.Errorf("emulator: put symlink %q: no bucket %q", key, bucketName)
	}
	if err := validKey(key); err != nil {
		return fmt.Errorf("emulator: put symlink %q: %w", key, err)
	}
	o := s.newObject(key, nil, nil)
	o.objType, o.target = "Symlink", target
	b.put(o)
	return nil
}

// DeleteObject removes key; deleting a missing key is not an error (as OSS).
func (s *Server) DeleteObject(bucketName, key string) error {
	b := s.store.bucket(bucketName)
	if b == nil {
		return fmt.Errorf("emulator: delete %q: no bucket %q", key, bucketName)
	}
	b.delete(key)
	return nil
}

// SeedDir creates bucket if needed and uploads every regular file under dir
// with its slash-separated relative path as key, content type guessed from
// the extension and the file's mtime as Last-Modified.
func (s *Server) SeedDir(bucketName, dir string) error {
	if err := s.CreateBucket(bucketName); err != nil {
		return err
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("emulator: seed %s: %w", dir, err)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return fmt.Errorf("emulator: seed %s: %w", p, err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("emulator: seed: %w", err)
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("emulator: seed: %w", err)
		}
		key := filepath.ToSlash(rel)
		opts := []ObjectOption{WithLastModified(info.ModTime())}
		if ct := mime.TypeByExtension(path.Ext(key)); ct != "" {
			opts = append(opts, WithContentType(ct))
		}
		if _, err := s.PutObject(bucketName, key, data, opts...); err != nil {
			return err
		}
		return nil
	})
}

func (o *object) info() ossapi.ObjectInfo {
	inf := ossapi.ObjectInfo{
		Key:          o.key,
		Size:         int64(len(o.data)),
		ETag:         o.etag,
		LastModified: o.lastModified,
		ContentType:  o.contentType,
		StorageClass: o.storageClass,
		ObjectType:   o.objType,
		Restore:      o.restoreHeader(),
	}
	if len(o.meta) > 0 {
		inf.Metadata = make(map[string]string, len(o.meta))
		for k, v := range o.meta {
			inf.Metadata[k] = v
		}
	}
	return inf
}

func (o *object) isArchive() bool {
	switch strings.ToLower(o.storageClass) {
	case "archive", "coldarchive", "deepcoldarchive":
		return true
	}
	return false
}

// restoreHeader is the x-oss-restore value: empty unless a restored archive.
func (o *object) restoreHeader() string {
	if !o.isArchive() || !o.restored {
		return ""
	}
	exp := o.lastModified.Add(24 * time.Hour).Format(http1123)
	return `ongoing-request="false", expiry-date="` + exp + `"`
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"
