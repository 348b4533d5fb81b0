package reader

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"

	"github.com/ossfs/ossfs/ossapi"
)

var _ Getter = (*ossapi.Client)(nil)

// fakeGetter serves one in-memory object and records every request.
type fakeGetter struct {
	mu            sync.Mutex
	data          []byte // replaced wholesale on change, never mutated
	etag          string
	reqs          []ossapi.GetRequest
	fetched       int64
	failNext      error         // returned by the next request
	gate          chan struct{} // when set, each request waits for a token (or ctx)
	entered       chan struct{} // when set, signalled as each request arrives
	ignoreIfMatch bool          // answer new bytes whatever If-Match says
	inflight      int
	peakInflight  int
}

func newFake(size int, seed uint64) *fakeGetter {
	return &fakeGetter{data: randBytes(size, seed), etag: `"v1"`}
}

func randBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	rng := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	_, _ = rng.Read(b)
	return b
}

func (f *fakeGetter) change(data []byte, etag string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data, f.etag = data, etag
}

func (f *fakeGetter) requests() []ossapi.GetRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ossapi.GetRequest(nil), f.reqs...)
}

func (f *fakeGetter) GetObject(ctx context.Context, req ossapi.GetRequest) (io.ReadCloser, ossapi.ObjectInfo, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.inflight++
	f.peakInflight = max(f.peakInflight, f.inflight)
	gate, entered := f.gate, f.entered
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()
	if entered != nil {
		entered <- struct{}{}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ossapi.ObjectInfo{}, ctx.Err()
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, ossapi.ObjectInfo{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failNext; err != nil {
		f.failNext = nil
		return nil, ossapi.ObjectInfo{}, err
	}
	if req.IfMatch != "" && req.IfMatch != f.etag && !f.ignoreIfMatch {
		return nil, ossapi.ObjectInfo{}, &ossapi.ServiceError{Op: "GetObject", Key: req.Key, StatusCode: 412, Code: "PreconditionFailed"}
	}
	size := int64(len(f.data))
	if req.Offset < 0 || req.Length <= 0 || req.Offset+req.Length > size {
		return nil, ossapi.ObjectInfo{}, fmt.Errorf("fake: bad range %d+%d of %d", req.Offset, req.Length, size)
	}
	f.fetched += req.Length
	info := ossapi.ObjectInfo{Key: req.Key, Size: size, ETag: f.etag}
	return io.NopCloser(bytes.NewReader(f.data[req.Offset : req.Offset+req.Length])), info, nil
}
