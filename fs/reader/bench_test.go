package reader

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/ossfs/ossfs/ossapi"
)

// drain reads the whole object through r in kernel-sized READs.
func drain(b *testing.B, r *Reader, buf []byte) {
	for off := int64(0); ; {
		n, err := r.ReadAt(context.Background(), buf, off)
		off += int64(n)
		if err == io.EOF {
			return
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSequential measures the reader's own overhead: an in-memory
// getter, default options, 128 KiB READs.
func BenchmarkSequential(b *testing.B) {
	const size = 64 * mib
	f := newFake(size, 1)
	budget := NewBudget(256 * mib)
	buf := make([]byte, 128*kib)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		r := New(f, "k", f.etag, size, budget, Options{})
		drain(b, r, buf)
		r.Close()
	}
}

// slowGetter adds a first-byte latency to every GET and limits each body
// to a bandwidth, like one connection to a distant service.
type slowGetter struct {
	g         Getter
	latency   time.Duration
	bytesPerS float64
}

func (s slowGetter) GetObject(ctx context.Context, req ossapi.GetRequest) (io.ReadCloser, ossapi.ObjectInfo, error) {
	select {
	case <-time.After(s.latency):
	case <-ctx.Done():
		return nil, ossapi.ObjectInfo{}, ctx.Err()
	}
	body, info, err := s.g.GetObject(ctx, req)
	if err != nil {
		return nil, info, err
	}
	return &throttled{ReadCloser: body, ctx: ctx, start: time.Now(), bytesPerS: s.bytesPerS}, info, nil
}

type throttled struct {
	io.ReadCloser
	ctx       context.Context
	start     time.Time
	bytesPerS float64
	sent      int64
}

func (t *throttled) Read(p []byte) (int, error) {
	p = p[:min(len(p), 64*kib)]
	n, err := t.ReadCloser.Read(p)
	t.sent += int64(n)
	// Sleep until the bytes sent so far are due: errors do not accumulate.
	due := t.start.Add(time.Duration(float64(t.sent) / t.bytesPerS * float64(time.Second)))
	if d := time.Until(due); d > 0 {
		select {
		case <-time.After(d):
		case <-t.ctx.Done():
			return n, t.ctx.Err()
		}
	}
	return n, err
}

// BenchmarkPrefetchLatency reads an object over GETs with 20 ms to the
// first byte and 100 MB/s each, once with a single stream (Parallel 1)
// and once with parallel ranged parts (default options), and reports
// the speedup of the latter; ns/op is for the parallel reader.
func BenchmarkPrefetchLatency(b *testing.B) {
	const size = 96 * mib
	slow := slowGetter{g: newFake(size, 2), latency: 20 * time.Millisecond, bytesPerS: 100e6}
	buf := make([]byte, 128*kib)
	timeRead := func(opts Options) time.Duration {
		r := New(slow, "k", `"v1"`, size, NewBudget(256*mib), opts)
		defer r.Close()
		start := time.Now()
		drain(b, r, buf)
		return time.Since(start)
	}
	var single, parallel time.Duration
	b.SetBytes(size)
	for b.Loop() {
		parallel += timeRead(Options{})
		b.StopTimer()
		single += timeRead(Options{Parallel: 1})
		b.StartTimer()
	}
	b.ReportMetric(float64(single)/float64(parallel), "speedup")
}
