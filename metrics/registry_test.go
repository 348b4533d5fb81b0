package metrics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/fs"
	"github.com/ossfs/ossfs/ossapi"
)

var _ fs.Recorder = (*Registry)(nil)

// scrape fetches /metrics over HTTP, as Prometheus would.
func scrape(t *testing.T, r *Registry) string {
	t.Helper()
	addr, closeFn, err := r.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	resp, err := http.Get("http://" + addr.String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("scrape: %d %v", resp.StatusCode, err)
	}
	return string(body)
}

// wantLine fails unless the exposition has the sample line exactly.
func wantLine(t *testing.T, text, line string) {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return
		}
	}
	t.Errorf("no line %q in the scrape", line)
}

func TestNilRegistryRecordsNothing(t *testing.T) {
	var r *Registry
	r.ObserveCall("GetObject", "ok")
	r.AddFetched(10)
	r.ObserveAttempt("GetObject", 200)
	r.ObserveRetry("GetObject")
	r.OnRefresh(false, errors.New("x"))
	r.FUSEOp("read", time.Millisecond, syscall.EIO)
	r.CacheLookup(true, false)
	r.PrefetchMemory(func() int64 { return 1 }, 2)
	s := &fakeStore{}
	if WrapStore(s, nil) != fs.ObjectStore(s) {
		t.Error("WrapStore with a nil registry must return the store itself")
	}
	if _, _, err := r.Listen("127.0.0.1:0"); err == nil {
		t.Error("Listen on a nil registry: no error")
	}
	allocs := testing.AllocsPerRun(100, func() { r.FUSEOp("read", time.Millisecond, 0); r.CacheLookup(true, false) })
	if allocs != 0 {
		t.Errorf("nil registry allocates %v per op", allocs)
	}
}

func TestRecorders(t *testing.T) {
	r := New()
	r.ObserveAttempt("GetObject", 503)
	r.ObserveAttempt("GetObject", 200)
	r.ObserveRetry("GetObject")
	r.OnRefresh(true, nil)
	r.OnRefresh(false, errors.New("sts down"))
	r.FUSEOp("lookup", 70*time.Microsecond, 0)
	r.FUSEOp("lookup", 3*time.Millisecond, syscall.ENOENT)
	r.CacheLookup(true, false)
	r.CacheLookup(true, false)
	r.CacheLookup(false, true)
	r.CacheLookup(false, false)
	inUse := int64(3 << 20)
	r.PrefetchMemory(func() int64 { return inUse }, 256<<20)
	r.PrefetchMemory(func() int64 { return 0 }, 1) // a second mount's call is ignored
	inUse = 5 << 20

	text := scrape(t, r)
	for _, l := range []string{
		`ossfs_oss_attempts_total{api="GetObject",code="503"} 1`,
		`ossfs_oss_attempts_total{api="GetObject",code="200"} 1`,
		`ossfs_oss_retries_total{api="GetObject"} 1`,
		`ossfs_credential_refreshes_total{result="ok"} 1`,
		`ossfs_credential_refreshes_total{result="failed"} 1`,
		`ossfs_fuse_op_duration_seconds_count{op="lookup"} 2`,
		`ossfs_fuse_op_duration_seconds_bucket{op="lookup",le="0.0002"} 1`,
		`ossfs_fuse_op_errors_total{errno="ENOENT",op="lookup"} 1`,
		`ossfs_metadata_cache_lookups_total{result="hit"} 2`,
		`ossfs_metadata_cache_lookups_total{result="negative_hit"} 1`,
		`ossfs_metadata_cache_lookups_total{result="miss"} 1`,
		`ossfs_prefetch_memory_bytes 5.24288e+06`,
		`ossfs_prefetch_memory_limit_bytes 2.68435456e+08`,
	} {
		wantLine(t, text, l)
	}
	if !strings.Contains(text, "process_resident_memory_bytes") || !strings.Contains(text, "go_goroutines") {
		t.Error("process and Go collectors missing")
	}
	if strings.Contains(text, "sts down") {
		t.Error("an error text became part of the metrics")
	}
}

func TestListenBadAddress(t *testing.T) {
	if _, _, err := New().Listen("256.0.0.1:bad"); err == nil {
		t.Fatal("no error for a bad address")
	}
}

func TestWrapStoreCountsCallsAndBytes(t *testing.T) {
	r := New()
	s := WrapStore(&fakeStore{data: bytes.Repeat([]byte("x"), 1000)}, r)
	ctx := context.Background()
	if _, err := s.HeadObject(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HeadObject(ctx, "missing"); !errors.Is(err, ossapi.ErrNotFound) {
		t.Fatalf("err = %v, want the store's not-found error unchanged", err)
	}
	if _, err := s.ListObjectsV2(ctx, ossapi.ListRequest{}); err != nil {
		t.Fatal(err)
	}
	body, _, err := s.GetObject(ctx, ossapi.GetRequest{Key: "a", Length: -1})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, body); n != 1000 || err != nil {
		t.Fatalf("body: %d, %v", n, err)
	}
	body.Close()
	if _, err := s.GetSymlink(ctx, "l"); err == nil {
		t.Fatal("want the store's error")
	}
	text := scrape(t, r)
	for _, l := range []string{
		`ossfs_oss_requests_total{api="HeadObject",result="ok"} 1`,
		`ossfs_oss_requests_total{api="HeadObject",result="not_found"} 1`,
		`ossfs_oss_requests_total{api="ListObjectsV2",result="ok"} 1`,
		`ossfs_oss_requests_total{api="GetObject",result="ok"} 1`,
		`ossfs_oss_requests_total{api="GetSymlink",result="error"} 1`,
		`ossfs_oss_fetched_bytes_total 1000`,
	} {
		wantLine(t, text, l)
	}
	if strings.Contains(text, "missing") {
		t.Error("an object key became part of the metrics")
	}
}

// fakeStore serves one object "a" of data; other keys are not found, and
// GetSymlink always fails.
type fakeStore struct{ data []byte }

func (f *fakeStore) HeadObject(ctx context.Context, key string) (ossapi.ObjectInfo, error) {
	if key != "a" {
		return ossapi.ObjectInfo{}, fmt.Errorf("head %q: %w", key, ossapi.ErrNotFound)
	}
	return ossapi.ObjectInfo{Key: "a", Size: int64(len(f.data))}, nil
}

func (f *fakeStore) ListObjectsV2(ctx context.Context, req ossapi.ListRequest) (ossapi.ListPage, error) {
	return ossapi.ListPage{Objects: []ossapi.ObjectInfo{{Key: "a"}}}, nil
}

func (f *fakeStore) GetObject(ctx context.Context, req ossapi.GetRequest) (io.ReadCloser, ossapi.ObjectInfo, error) {
	return io.NopCloser(bytes.NewReader(f.data)), ossapi.ObjectInfo{Key: "a"}, nil
}

func (f *fakeStore) GetSymlink(ctx context.Context, key string) (string, error) {
	return "", fmt.Errorf("get symlink %q: %w", key, ossapi.ErrNotSymlink)
}
