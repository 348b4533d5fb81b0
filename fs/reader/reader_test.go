package reader

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ossfs/ossfs/ossapi"
)

const (
	kib = 1 << 10
	mib = 1 << 20
)

// small options keep tests light while exercising every code path.
var testOpts = Options{MinRequest: 64 * kib, InitialWindow: 256 * kib, MaxWindow: 4 * mib, Parallel: 4}

// readAll reads the whole object in chunk-sized sequential READs.
func readAll(t *testing.T, r *Reader, size, chunk int) []byte {
	t.Helper()
	out := make([]byte, 0, size)
	buf := make([]byte, chunk)
	for off := int64(0); ; {
		n, err := r.ReadAt(context.Background(), buf, off)
		out = append(out, buf[:n]...)
		off += int64(n)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("ReadAt(%d): %v", off, err)
		}
		if n != chunk {
			t.Fatalf("short read %d without EOF at %d", n, off)
		}
	}
}

func checkNoOverlap(t *testing.T, reqs []ossapi.GetRequest) {
	t.Helper()
	s := append([]ossapi.GetRequest(nil), reqs...)
	sort.Slice(s, func(i, j int) bool { return s[i].Offset < s[j].Offset })
	for i := 1; i < len(s); i++ {
		if s[i].Offset < s[i-1].Offset+s[i-1].Length {
			t.Fatalf("overlapping GETs %d+%d and %d+%d", s[i-1].Offset, s[i-1].Length, s[i].Offset, s[i].Length)
		}
	}
}

func TestSequentialReadGrowsWindow(t *testing.T) {
	const size = 16*mib + 12345
	f := newFake(size, 1)
	b := NewBudget(64 * mib)
	r := New(f, "k", f.etag, size, b, testOpts)
	got := readAll(t, r, size, 128*kib)
	if !bytes.Equal(got, f.data) {
		t.Fatal("bytes differ")
	}
	reqs := f.requests()
	checkNoOverlap(t, reqs)
	if f.fetched != size {
		t.Errorf("fetched %d bytes for a %d-byte object", f.fetched, size)
	}
	for _, q := range reqs {
		if q.IfMatch != `"v1"` || q.Key != "k" {
			t.Fatalf("request %+v lacks the pinned etag or key", q)
		}
	}
	// The first READ is not yet known to be sequential: it is fetched as
	// asked. From the second on, parts grow with the window, never shrink,
	// and reach MaxWindow/Parallel.
	if reqs[0].Offset != 0 || reqs[0].Length != 128*kib {
		t.Errorf("first request %+v, want the first READ only", reqs[0])
	}
	// Parts finish in any order; in offset order, the last one is cut by
	// the end of the object.
	parts := append([]ossapi.GetRequest(nil), reqs[1:]...)
	sort.Slice(parts, func(i, j int) bool { return parts[i].Offset < parts[j].Offset })
	parts = parts[:len(parts)-1]
	if parts[0].Length != testOpts.MinRequest {
		t.Errorf("first part %d bytes, want MinRequest", parts[0].Length)
	}
	for i := 1; i < len(parts); i++ {
		if parts[i].Length < parts[i-1].Length {
			t.Fatalf("part %d shrank: %d after %d", i, parts[i].Length, parts[i-1].Length)
		}
	}
	if top := parts[len(parts)-1].Length; top != testOpts.MaxWindow/int64(testOpts.Parallel) {
		t.Errorf("largest part %d, want %d", top, testOpts.MaxWindow/int64(testOpts.Parallel))
	}
	if len(reqs) > 40 {
		t.Errorf("%d requests for 16 MiB: window did not grow", len(reqs))
	}
	if f.peakInflight > testOpts.Parallel+1 { // +1: a READ's own fetch beside the stream
		t.Errorf("peak %d GETs in flight, Parallel is %d", f.peakInflight, testOpts.Parallel)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if b.InUse() != 0 {
		t.Errorf("InUse %d after Close", b.InUse())
	}
	if b.Peak() > r.opts.handleBound() {
		t.Errorf("peak %d above the per-handle bound %d", b.Peak(), r.opts.handleBound())
	}
}

func TestRandomReadsFetchAtMostMinRequest(t *testing.T) {
	const size = 64 * mib
	f := newFake(size, 2)
	r := New(f, "k", f.etag, size, NewBudget(64*mib), testOpts)
	defer r.Close()
	// Offsets 2 MiB apart in shuffled order: never within the sequential
	// slack of the previous read.
	offs := rand.New(rand.NewPCG(1, 2)).Perm(size / (2 * mib))
	buf := make([]byte, 4*kib)
	for i, o := range offs {
		off := int64(o)*2*mib + 777
		if _, err := r.ReadAt(context.Background(), buf, off); err != nil {
			t.Fatalf("ReadAt(%d): %v", off, err)
		}
		if !bytes.Equal(buf, f.data[off:off+4*kib]) {
			t.Fatalf("bytes differ at %d", off)
		}
		if n := len(f.requests()); n != i+1 {
			t.Fatalf("read %d caused %d requests in total", i+1, n)
		}
	}
	for _, q := range f.requests() {
		if q.Length > testOpts.MinRequest {
			t.Fatalf("random 4 KiB read fetched %d bytes", q.Length)
		}
	}
}

func TestRandomLargeReadFetchesExactly(t *testing.T) {
	const size = 8 * mib
	f := newFake(size, 3)
	r := New(f, "k", f.etag, size, nil, testOpts)
	defer r.Close()
	buf := make([]byte, 300*kib)
	if _, err := r.ReadAt(context.Background(), buf, 5*mib); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, f.data[5*mib:5*mib+300*kib]) {
		t.Fatal("bytes differ")
	}
	if reqs := f.requests(); len(reqs) != 1 || reqs[0].Length != 300*kib {
		t.Fatalf("requests %+v, want one GET of exactly the READ", reqs)
	}
}

func TestSeekBackServedFromMemory(t *testing.T) {
	const size = 8 * mib
	f := newFake(size, 4)
	r := New(f, "k", f.etag, size, NewBudget(64*mib), testOpts)
	defer r.Close()
	buf := make([]byte, 128*kib)
	var off int64
	for ; off < 3*mib; off += 128 * kib {
		if _, err := r.ReadAt(context.Background(), buf, off); err != nil {
			t.Fatal(err)
		}
	}
	before := len(f.requests())
	for _, back := range []int64{64 * kib, 200 * kib} {
		p := buf[:32*kib]
		at := off - back
		if _, err := r.ReadAt(context.Background(), p, at); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p, f.data[at:at+32*kib]) {
			t.Fatalf("bytes differ at %d", at)
		}
		for _, q := range f.requests()[before:] {
			if q.Offset < at+32*kib && at < q.Offset+q.Length {
				t.Fatalf("seek back to %d fetched %+v", at, q)
			}
		}
	}
}

func TestEOF(t *testing.T) {
	f := newFake(1000, 5)
	r := New(f, "k", f.etag, 1000, nil, Options{})
	defer r.Close()
	buf := make([]byte, 300)
	if n, err := r.ReadAt(context.Background(), buf, 900); n != 100 || err != io.EOF || !bytes.Equal(buf[:100], f.data[900:]) {
		t.Errorf("read across the end: %d, %v", n, err)
	}
	if n, err := r.ReadAt(context.Background(), buf, 1000); n != 0 || err != io.EOF {
		t.Errorf("read at the end: %d, %v", n, err)
	}
	if n, err := r.ReadAt(context.Background(), buf, 5000); n != 0 || err != io.EOF {
		t.Errorf("read past the end: %d, %v", n, err)
	}
	if n, err := r.ReadAt(context.Background(), buf[:0], 10); n != 0 || err != nil {
		t.Errorf("empty read: %d, %v", n, err)
	}
	if _, err := r.ReadAt(context.Background(), buf, -1); err == nil || err == io.EOF {
		t.Errorf("negative offset: %v", err)
	}
	empty := New(f, "e", f.etag, 0, nil, Options{})
	if n, err := empty.ReadAt(context.Background(), buf, 0); n != 0 || err != io.EOF {
		t.Errorf("empty object: %d, %v", n, err)
	}
	if err := empty.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentReadsOneReader(t *testing.T) {
	const size = 8 * mib
	f := newFake(size, 6)
	b := NewBudget(16 * mib)
	r := New(f, "k", f.etag, size, b, testOpts)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			// Each goroutine walks its own stripe; together they look
			// like many interleaved streams and random reads.
			stripe := int64(size / 16)
			buf := make([]byte, 48*kib+g)
			for off := int64(g) * stripe; off < int64(g+1)*stripe; off += int64(len(buf)) {
				n, err := r.ReadAt(context.Background(), buf, off)
				if err != nil && err != io.EOF {
					errs <- err
					return
				}
				if !bytes.Equal(buf[:n], f.data[off:off+int64(n)]) {
					errs <- fmt.Errorf("goroutine %d: bytes differ at %d", g, off)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	r.Close()
	if b.InUse() != 0 || b.Peak() > b.Limit() {
		t.Errorf("InUse %d, peak %d, limit %d", b.InUse(), b.Peak(), b.Limit())
	}
}

func TestManyReadersShareBudget(t *testing.T) {
	const size = 4*mib + 17
	const limit = 3 * mib // far below 16 windows
	f := newFake(size, 7)
	b := NewBudget(limit)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			r := New(f, "k", f.etag, size, b, testOpts)
			defer r.Close()
			got := make([]byte, 0, size)
			buf := make([]byte, 128*kib)
			for off := int64(0); ; {
				n, err := r.ReadAt(context.Background(), buf, off)
				got = append(got, buf[:n]...)
				off += int64(n)
				if err == io.EOF {
					break
				}
				if err != nil {
					errs <- err
					return
				}
			}
			if !bytes.Equal(got, f.data) {
				errs <- errors.New("bytes differ")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if b.Peak() > limit {
		t.Errorf("peak %d exceeds the budget %d", b.Peak(), limit)
	}
	if b.InUse() != 0 {
		t.Errorf("InUse %d after every Close", b.InUse())
	}
}

func TestTinyBudgetStillProgresses(t *testing.T) {
	const size = 2*mib + 3
	for _, limit := range []int64{0, 1, 5 * kib} {
		f := newFake(size, 8)
		b := NewBudget(limit)
		r := New(f, "k", f.etag, size, b, testOpts)
		if got := readAll(t, r, size, 4*kib); !bytes.Equal(got, f.data) {
			t.Fatalf("limit %d: bytes differ", limit)
		}
		r.Close()
		if b.Peak() > limit || b.InUse() != 0 {
			t.Errorf("limit %d: peak %d, InUse %d", limit, b.Peak(), b.InUse())
		}
	}
}

// blockedFake returns a fake whose GETs announce themselves and then wait
// for a token that never comes.
func blockedFake(size int) *fakeGetter {
	f := newFake(size, 9)
	f.gate = make(chan struct{})
	f.entered = make(chan struct{}, 64)
	return f
}

func TestCancelledReadReturnsPromptly(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int // < MinRequest: waits on a buffered chunk; ≥: a direct GET
	}{{"buffered", 4 * kib}, {"direct", 256 * kib}} {
		t.Run(tc.name, func(t *testing.T) {
			f := blockedFake(4 * mib)
			b := NewBudget(16 * mib)
			r := New(f, "k", f.etag, 4*mib, b, testOpts)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := r.ReadAt(ctx, make([]byte, tc.n), mib)
				done <- err
			}()
			<-f.entered
			cancel()
			if err := waitErr(t, done); !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v, want context.Canceled", err)
			}
			closed := make(chan error, 1)
			go func() { closed <- r.Close() }()
			if err := waitErr(t, closed); err != nil {
				t.Fatal(err)
			}
			if b.InUse() != 0 {
				t.Errorf("InUse %d after Close", b.InUse())
			}
			if _, err := r.ReadAt(context.Background(), make([]byte, 1), 0); !errors.Is(err, ErrClosed) {
				t.Errorf("read after Close: %v", err)
			}
		})
	}
}

// waitErr fails the test rather than hanging it if a call never returns.
func waitErr(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("call did not return")
		return nil
	}
}

func TestCloseReleasesInFlightPrefetch(t *testing.T) {
	const size = 8 * mib
	f := newFake(size, 10)
	b := NewBudget(64 * mib)
	r := New(f, "k", f.etag, size, b, testOpts)
	buf := make([]byte, 128*kib)
	for off := int64(0); off < mib; off += int64(len(buf)) {
		if _, err := r.ReadAt(context.Background(), buf, off); err != nil {
			t.Fatal(err)
		}
	}
	// Block the next parts in flight, then close under them.
	f.mu.Lock()
	f.gate = make(chan struct{})
	f.mu.Unlock()
	if _, err := r.ReadAt(context.Background(), buf, mib); err != nil {
		t.Fatal(err)
	}
	if b.InUse() == 0 {
		t.Fatal("nothing buffered before Close")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if b.InUse() != 0 {
		t.Errorf("InUse %d after Close", b.InUse())
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestChangedObjectFailsWithoutMixing(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		t.Run(fmt.Sprintf("getterIgnoresIfMatch=%v", ignore), func(t *testing.T) {
			const size = 8 * mib
			f := newFake(size, 11)
			f.ignoreIfMatch = ignore
			old := f.data
			r := New(f, "k", f.etag, size, NewBudget(64*mib), testOpts)
			defer r.Close()
			buf := make([]byte, 128*kib)
			off := int64(0)
			for ; off < mib; off += int64(len(buf)) {
				if _, err := r.ReadAt(context.Background(), buf, off); err != nil {
					t.Fatal(err)
				}
			}
			f.change(randBytes(size, 99), `"v2"`)
			var err error
			for ; off < size; off += int64(len(buf)) {
				var n int
				n, err = r.ReadAt(context.Background(), buf, off)
				if !bytes.Equal(buf[:n], old[off:off+int64(n)]) {
					t.Fatalf("bytes at %d are not the opened version", off)
				}
				if err != nil {
					break
				}
			}
			if !errors.Is(err, ossapi.ErrPreconditionFailed) {
				t.Fatalf("err %v, want ErrPreconditionFailed", err)
			}
			// Sticky, even where old bytes are still buffered.
			if _, err := r.ReadAt(context.Background(), buf[:4*kib], 0); !errors.Is(err, ossapi.ErrPreconditionFailed) {
				t.Fatalf("later read: %v", err)
			}
		})
	}
}

func TestFetchErrorIsRetriedByALaterRead(t *testing.T) {
	const size = 2 * mib
	f := newFake(size, 12)
	boom := errors.New("connection reset")
	f.failNext = boom
	r := New(f, "k", f.etag, size, nil, testOpts)
	defer r.Close()
	buf := make([]byte, 4*kib)
	if _, err := r.ReadAt(context.Background(), buf, 100); !errors.Is(err, boom) {
		t.Fatalf("err %v, want the injected error", err)
	}
	if _, err := r.ReadAt(context.Background(), buf, 100); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if !bytes.Equal(buf, f.data[100:100+4*kib]) {
		t.Fatal("bytes differ")
	}
}

func TestOutOfOrderReadsStaySequential(t *testing.T) {
	const size = 8 * mib
	const rd = 128 * kib
	f := newFake(size, 13)
	r := New(f, "k", f.etag, size, NewBudget(64*mib), testOpts)
	defer r.Close()
	buf := make([]byte, rd)
	// Async readahead: pairs of READs arrive swapped.
	for pair := int64(0); pair < size/(2*rd); pair++ {
		for _, off := range []int64{(2*pair + 1) * rd, 2 * pair * rd} {
			if _, err := r.ReadAt(context.Background(), buf, off); err != nil && err != io.EOF {
				t.Fatalf("ReadAt(%d): %v", off, err)
			}
			if !bytes.Equal(buf, f.data[off:off+rd]) {
				t.Fatalf("bytes differ at %d", off)
			}
		}
	}
	if f.fetched > size+size/8 {
		t.Errorf("fetched %d bytes for %d: the stream kept restarting", f.fetched, size)
	}
	if n := len(f.requests()); n > 30 {
		t.Errorf("%d requests: the window did not grow", n)
	}
}
