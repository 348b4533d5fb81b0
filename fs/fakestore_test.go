package fs

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossfs/ossfs/ossapi"
)

var _ ObjectStore = (*ossapi.Client)(nil)
var _ ObjectStore = (*fakeStore)(nil)

// fakeStore is an in-memory ObjectStore that behaves like OSS for the
// calls fs makes (sorted keys, delimiter listing with continuation tokens,
// If-Match, symlinks, archive objects) and counts every call per API.
type fakeStore struct {
	mu      sync.Mutex
	objects map[string]*fakeObject // GUARDED_BY(mu)
	calls   map[string]int         // GUARDED_BY(mu)
	// listErr, when set, fails every list request; listErrFrom fails
	// only those that carry a continuation token (later pages).
	listErr     error // GUARDED_BY(mu)
	listErrFrom error // GUARDED_BY(mu)
	// getErr, when set, fails every GetObject.
	getErr error // GUARDED_BY(mu)
}

type fakeObject struct {
	data   []byte
	info   ossapi.ObjectInfo
	target string // symlinks only
}

func newFakeStore() *fakeStore {
	return &fakeStore{objects: map[string]*fakeObject{}, calls: map[string]int{}}
}

var fakeTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// put stores a Standard object; edit may adjust its info.
func (s *fakeStore) put(key string, data []byte, edit ...func(*ossapi.ObjectInfo)) {
	info := ossapi.ObjectInfo{
		Key: key, Size: int64(len(data)), ETag: fmt.Sprintf(`"%X"`, md5.Sum(data)),
		LastModified: fakeTime, ContentType: "application/octet-stream",
		StorageClass: "Standard", ObjectType: "Normal", Metadata: map[string]string{},
	}
	for _, e := range edit {
		e(&info)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[key] = &fakeObject{data: bytes.Clone(data), info: info}
}

func (s *fakeStore) putSymlink(key, target string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[key] = &fakeObject{target: target, info: ossapi.ObjectInfo{
		Key: key, ETag: fmt.Sprintf(`"%X"`, md5.Sum([]byte(target))), LastModified: fakeTime,
		StorageClass: "Standard", ObjectType: "Symlink",
	}}
}

func (s *fakeStore) count(api string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[api]
}

func (s *fakeStore) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

func (s *fakeStore) resetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
}

// wantCalls fails t unless the counts since the last reset are exactly want
// (missing APIs mean zero).
func (s *fakeStore) wantCalls(t *testing.T, what string, want map[string]int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, api := range []string{"HeadObject", "ListObjectsV2", "GetObject", "GetSymlink"} {
		if s.calls[api] != want[api] {
			t.Errorf("%s: %s calls = %d, want %d (all: %v)", what, api, s.calls[api], want[api], s.calls)
		}
	}
}

func (s *fakeStore) called(api string) {
	s.mu.Lock()
	s.calls[api]++
	s.mu.Unlock()
}

func notFound(op, key string) error {
	return &fakeErr{op: op, key: key, sentinel: ossapi.ErrNotFound}
}

type fakeErr struct {
	op, key  string
	sentinel error
}

func (e *fakeErr) Error() string        { return fmt.Sprintf("fake %s %q: %v", e.op, e.key, e.sentinel) }
func (e *fakeErr) Is(target error) bool { return target == e.sentinel }

func (s *fakeStore) HeadObject(ctx context.Context, key string) (ossapi.ObjectInfo, error) {
	s.called("HeadObject")
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[key]
	if !ok {
		return ossapi.ObjectInfo{}, notFound("HeadObject", key)
	}
	if o.info.ObjectType == "Symlink" {
		// OSS follows the link: size and ETag come from the target.
		t, ok := s.objects[o.target]
		if !ok {
			return ossapi.ObjectInfo{}, notFound("HeadObject", key)
		}
		info := t.info
		info.Key = key
		info.ObjectType = "Symlink"
		return info, nil
	}
	return o.info, nil
}

func (s *fakeStore) ListObjectsV2(ctx context.Context, req ossapi.ListRequest) (ossapi.ListPage, error) {
	s.called("ListObjectsV2")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listErr != nil {
		return ossapi.ListPage{}, s.listErr
	}
	if s.listErrFrom != nil && req.ContinuationToken != "" {
		return ossapi.ListPage{}, s.listErrFrom
	}
	maxKeys := req.MaxKeys
	if maxKeys <= 0 {
		maxKeys = 100
	}
	after := req.StartAfter
	if req.ContinuationToken != "" {
		t, ok := strings.CutPrefix(req.ContinuationToken, "tok:")
		if !ok {
			return ossapi.ListPage{}, fmt.Errorf("fake: bad continuation token %q", req.ContinuationToken)
		}
		after = t
	}
	keys := make([]string, 0, len(s.objects))
	for k := range s.objects {
		if strings.HasPrefix(k, req.Prefix) && k > after &&
			!(req.Delimiter != "" && strings.HasSuffix(after, req.Delimiter) && strings.HasPrefix(k, after)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var page ossapi.ListPage
	n, last, lastCP := 0, "", ""
	for _, k := range keys {
		item, isCP := k, false
		if req.Delimiter != "" {
			if i := strings.Index(k[len(req.Prefix):], req.Delimiter); i >= 0 {
				item, isCP = k[:len(req.Prefix)+i+len(req.Delimiter)], true
				if item == lastCP {
					continue
				}
			}
		}
		if n == maxKeys {
			page.IsTruncated = true
			page.NextContinuationToken = "tok:" + last
			break
		}
		n++
		last = item
		if isCP {
			lastCP = item
			page.CommonPrefixes = append(page.CommonPrefixes, item)
			continue
		}
		info := s.objects[k].info
		info.ContentType, info.Metadata = "", nil // LIST does not tell these
		page.Objects = append(page.Objects, info)
	}
	return page, nil
}

func (s *fakeStore) GetObject(ctx context.Context, req ossapi.GetRequest) (io.ReadCloser, ossapi.ObjectInfo, error) {
	s.called("GetObject")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.getErr != nil {
		return nil, ossapi.ObjectInfo{}, s.getErr
	}
	o, ok := s.objects[req.Key]
	if !ok {
		return nil, ossapi.ObjectInfo{}, notFound("GetObject", req.Key)
	}
	if req.IfMatch != "" && req.IfMatch != o.info.ETag {
		return nil, ossapi.ObjectInfo{}, &fakeErr{op: "GetObject", key: req.Key, sentinel: ossapi.ErrPreconditionFailed}
	}
	if needsRestore(o.info) {
		return nil, ossapi.ObjectInfo{}, &fakeErr{op: "GetObject", key: req.Key, sentinel: ossapi.ErrNotRestored}
	}
	data := o.data
	off := min(max(req.Offset, 0), int64(len(data)))
	end := int64(len(data))
	if req.Length >= 0 {
		end = min(end, off+req.Length)
	}
	return io.NopCloser(bytes.NewReader(data[off:end])), o.info, nil
}

func (s *fakeStore) GetSymlink(ctx context.Context, key string) (string, error) {
	s.called("GetSymlink")
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[key]
	if !ok {
		return "", notFound("GetSymlink", key)
	}
	if o.info.ObjectType != "Symlink" {
		return "", &fakeErr{op: "GetSymlink", key: key, sentinel: ossapi.ErrNotSymlink}
	}
	return o.target, nil
}

// fakeClock is a settable clock for TTL tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time // GUARDED_BY(mu)
}

func newFakeClock() *fakeClock { return &fakeClock{t: fakeTime.Add(time.Hour)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func md5sum(s string) [16]byte { return md5.Sum([]byte(s)) }
