package creds

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock; nothing in the tests sleeps.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeSTSFetcher issues credentials valid for life from the fake clock's
// now; it can fail, and can block until released.
type fakeSTSFetcher struct {
	clock *fakeClock
	life  time.Duration
	calls atomic.Int64
	mu    sync.Mutex
	fail  error         // GUARDED_BY(mu)
	gate  chan struct{} // GUARDED_BY(mu); when non-nil a fetch waits on it
}

func (f *fakeSTSFetcher) Credentials(ctx context.Context) (Credentials, error) {
	n := f.calls.Add(1)
	f.mu.Lock()
	gate, fail := f.gate, f.fail
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if fail != nil {
		return Credentials{}, fail
	}
	return Credentials{
		AccessKeyID:     "STS.key" + string(rune('0'+n%10)),
		AccessKeySecret: "secret",
		SecurityToken:   "token",
		Expiration:      f.clock.Now().Add(f.life),
	}, nil
}

func (f *fakeSTSFetcher) String() string { return "sts:Fake" }

func (f *fakeSTSFetcher) setFail(err error) { f.mu.Lock(); f.fail = err; f.mu.Unlock() }
func (f *fakeSTSFetcher) hold() chan struct{} {
	g := make(chan struct{})
	f.mu.Lock()
	f.gate = g
	f.mu.Unlock()
	return g
}
func (f *fakeSTSFetcher) unhold(g chan struct{}) {
	f.mu.Lock()
	f.gate = nil
	f.mu.Unlock()
	close(g)
}

// harness tracks background fetches so a test can wait for them.
type harness struct {
	clock *fakeClock
	src   *fakeSTSFetcher
	r     *Refreshing
	wg    sync.WaitGroup
	log   bytes.Buffer
	logMu sync.Mutex
	oks   atomic.Int64
	errs  atomic.Int64
	timer *fakeTimer
	rnd   atomic.Value // float64 returned by Rand; 1 = no jitter
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func newHarness(life time.Duration) *harness {
	h := &harness{clock: newFakeClock(), timer: &fakeTimer{reqs: make(chan fakeWait, 64)}}
	h.rnd.Store(1.0)
	h.src = &fakeSTSFetcher{clock: h.clock, life: life}
	h.r = NewRefreshing(h.src, RefreshOptions{
		Now:    h.clock.Now,
		Logger: slog.New(slog.NewTextHandler(lockedWriter{&h.logMu, &h.log}, nil)),
		OnRefresh: func(ok bool, err error) {
			if ok {
				h.oks.Add(1)
			} else {
				h.errs.Add(1)
			}
		},
		Go:    func(f func()) { h.wg.Add(1); go func() { defer h.wg.Done(); f() }() },
		After: h.timer.After,
		Rand:  func() float64 { return h.rnd.Load().(float64) },
	})
	return h
}

func (h *harness) get(t *testing.T) Credentials {
	t.Helper()
	c, err := h.r.Credentials(context.Background())
	if err != nil {
		t.Fatalf("Credentials: %v", err)
	}
	return c
}

func (h *harness) logs() string { h.logMu.Lock(); defer h.logMu.Unlock(); return h.log.String() }

func TestRenewalPoint(t *testing.T) {
	r := NewRefreshing(Static(Credentials{}), RefreshOptions{})
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		life, ahead time.Duration
	}{
		{15 * time.Minute, 3 * time.Minute}, // 20 %
		{time.Hour, 12 * time.Minute},       // 20 %
		{12 * time.Hour, 20 * time.Minute},  // ceiling
		{5 * time.Minute, 2 * time.Minute},  // floor
		{2 * time.Second, 1 * time.Second},  // shorter than the floor: half
	} {
		got := r.renewPoint(now, now.Add(tc.life))
		if want := now.Add(tc.life - tc.ahead); !got.Equal(want) {
			t.Errorf("life %v: renew at +%v, want +%v", tc.life, got.Sub(now), want.Sub(now))
		}
	}
	if !r.renewPoint(now, time.Time{}).IsZero() {
		t.Error("credentials without expiry must never be renewed")
	}
}

// Renewal starts at the documented point (20 % of a 15-minute lifetime left)
// and not before; callers never wait for it.
func TestRenewsInBackgroundAtDocumentedPoint(t *testing.T) {
	h := newHarness(15 * time.Minute)
	first := h.get(t)
	if h.src.calls.Load() != 1 {
		t.Fatalf("calls = %d", h.src.calls.Load())
	}
	h.clock.Advance(12*time.Minute - time.Second) // 3m01s left
	if c := h.get(t); c.AccessKeyID != first.AccessKeyID {
		t.Fatal("renewed too early")
	}
	h.wg.Wait()
	if n := h.src.calls.Load(); n != 1 {
		t.Fatalf("fetches before the renewal point: %d", n)
	}

	h.clock.Advance(time.Second) // exactly 3 minutes left
	gate := h.src.hold()
	if c := h.get(t); c.AccessKeyID != first.AccessKeyID { // served from cache while STS is busy
		t.Fatal("caller did not get cached credentials during renewal")
	}
	h.src.unhold(gate)
	h.wg.Wait()
	if c := h.get(t); c.AccessKeyID == first.AccessKeyID {
		t.Fatal("not renewed")
	}
	if s := h.r.Stats(); s.Renewals != 2 || s.Failures != 0 || h.oks.Load() != 2 {
		t.Fatalf("stats %+v oks %d", s, h.oks.Load())
	}
}

// 1000 concurrent callers across a renewal: exactly one STS call, nobody waits.
func TestThousandCallersOneRenewal(t *testing.T) {
	h := newHarness(15 * time.Minute)
	first := h.get(t)
	h.clock.Advance(13 * time.Minute)
	gate := h.src.hold()
	var wg sync.WaitGroup
	var stale atomic.Int64
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := h.r.Credentials(context.Background())
			if err != nil {
				t.Error(err)
			}
			if c.AccessKeyID == first.AccessKeyID {
				stale.Add(1)
			}
		}()
	}
	wg.Wait() // all returned while the renewal is still blocked: no caller waited
	if stale.Load() != 1000 {
		t.Fatalf("%d callers got cached credentials, want 1000", stale.Load())
	}
	h.src.unhold(gate)
	h.wg.Wait()
	if n := h.src.calls.Load(); n != 2 {
		t.Fatalf("STS calls = %d, want 2 (initial + one renewal)", n)
	}
}

// With nothing cached, 1000 concurrent callers share one fetch.
func TestThousandCallersColdStartOneFetch(t *testing.T) {
	h := newHarness(time.Hour)
	gate := h.src.hold()
	var wg sync.WaitGroup
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.r.Credentials(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	for h.src.calls.Load() == 0 {
		runtime.Gosched() // until the single fetch has started
	}
	h.src.unhold(gate)
	wg.Wait()
	if n := h.src.calls.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}
}

// An outage shorter than the remaining lifetime: no caller error, retries
// back off, one log line for the episode, recovery when STS returns.
func TestOutageWithinLifetimeThenRecovery(t *testing.T) {
	h := newHarness(15 * time.Minute)
	first := h.get(t)
	h.src.setFail(errors.New("connection refused"))
	h.clock.Advance(12 * time.Minute) // renewal due

	for i := 0; i < 20; i++ { // 20 calls 5 s apart: 100 s of outage
		if c := h.get(t); c.AccessKeyID != first.AccessKeyID {
			t.Fatal("unexpected credentials")
		}
		h.wg.Wait()
		h.clock.Advance(5 * time.Second)
	}
	// backoff 1,2,4,8,16,32,60 s, calls every 5 s: attempts at
	// 0,5,10,15,25,45,80 → 7 failures, not 20
	if s := h.r.Stats(); s.Failures != 7 {
		t.Errorf("failures = %d, want 7 (backoff)", s.Failures)
	}
	if n := strings.Count(h.logs(), "credential renewal failed"); n != 1 {
		t.Errorf("failure log lines = %d, want 1 per episode:\n%s", n, h.logs())
	}
	h.src.setFail(nil)
	h.clock.Advance(40 * time.Second) // past the 60 s backoff from t=80
	h.get(t)
	h.wg.Wait()
	if c := h.get(t); c.AccessKeyID == first.AccessKeyID {
		t.Fatal("did not recover")
	}
	if !strings.Contains(h.logs(), "credential renewal recovered") {
		t.Errorf("no recovery log:\n%s", h.logs())
	}
	if strings.Contains(h.logs(), "secret") || strings.Contains(h.logs(), "token=") {
		t.Errorf("log leaks: %s", h.logs())
	}
}

// Past expiry callers get an error naming the source and the cause; when
// STS returns, they get fresh credentials.
func TestExpiredThenErrorThenRecovery(t *testing.T) {
	h := newHarness(15 * time.Minute)
	h.get(t)
	h.src.setFail(errors.New("sts unreachable: dial tcp: connection refused"))
	h.clock.Advance(15 * time.Minute) // expired
	_, err := h.r.Credentials(context.Background())
	if err == nil {
		t.Fatal("no error past expiry")
	}
	for _, want := range []string{"sts:Fake", "expired at", "connection refused"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// Backing off: the next call fails fast without another STS call.
	calls := h.src.calls.Load()
	if _, err := h.r.Credentials(context.Background()); err == nil || h.src.calls.Load() != calls {
		t.Fatalf("expected a fast error during backoff, err=%v calls %d→%d", err, calls, h.src.calls.Load())
	}
	h.src.setFail(nil)
	h.clock.Advance(2 * time.Second)
	if c := h.get(t); c.Expired(h.clock.Now()) {
		t.Fatal("got expired credentials")
	}
}

func TestCallerContextCancelledWhileWaiting(t *testing.T) {
	h := newHarness(time.Hour)
	gate := h.src.hold()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.r.Credentials(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	h.src.unhold(gate)
	h.wg.Wait()
	h.get(t) // the shared fetch was not cancelled with the caller
	if n := h.src.calls.Load(); n != 1 {
		t.Fatalf("fetches = %d", n)
	}
}

func TestInvalidateForcesOneFetch(t *testing.T) {
	h := newHarness(time.Hour)
	first := h.get(t)
	h.r.Invalidate() // within the grace period: ignored
	if h.get(t).AccessKeyID != first.AccessKeyID {
		t.Fatal("Invalidate within grace refetched")
	}
	h.clock.Advance(time.Minute)
	for i := 0; i < 50; i++ {
		h.r.Invalidate()
	}
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c, err := h.r.Credentials(context.Background()); err != nil || c.AccessKeyID == first.AccessKeyID {
				t.Errorf("got %v, %v", c, err)
			}
		}()
	}
	wg.Wait()
	if n := h.src.calls.Load(); n != 2 {
		t.Fatalf("fetches = %d, want 2", n)
	}
}

func TestAlreadyExpiredReplyIsAnError(t *testing.T) {
	h := newHarness(-time.Second)
	_, err := h.r.Credentials(context.Background())
	if err == nil || !strings.Contains(err.Error(), "clock skew") {
		t.Fatalf("err = %v", err)
	}
}

func TestStaticSourceCachedForever(t *testing.T) {
	var calls atomic.Int64
	src := ProviderFunc(func(context.Context) (Credentials, error) {
		calls.Add(1)
		return Credentials{AccessKeyID: "a", AccessKeySecret: "b"}, nil
	})
	clock := newFakeClock()
	r := NewRefreshing(src, RefreshOptions{Now: clock.Now})
	for i := 0; i < 3; i++ {
		if _, err := r.Credentials(context.Background()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(100 * time.Hour)
	}
	if calls.Load() != 1 {
		t.Fatalf("calls = %d", calls.Load())
	}
}
