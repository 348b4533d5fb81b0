package creds

import (
	"context"
	"errors"
	"math"
	"runtime"
	"testing"
	"time"
)

// fakeTimer hands each After request to the test, which advances the fake
// clock and fires it: the Start loop never really sleeps.
type fakeTimer struct{ reqs chan fakeWait }

type fakeWait struct {
	d  time.Duration
	ch chan time.Time
}

func (f *fakeTimer) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	f.reqs <- fakeWait{d, ch}
	return ch
}

// next is the loop's next sleep request. The deadline only turns a hang
// into a failure; nothing passes by waiting.
func (h *harness) next(t *testing.T) fakeWait {
	t.Helper()
	select {
	case w := <-h.timer.reqs:
		return w
	case <-time.After(10 * time.Second):
		t.Fatal("the loop never went to sleep")
		return fakeWait{}
	}
}

// fire advances the clock by the requested sleep and wakes the loop.
func (h *harness) fire(w fakeWait) {
	h.clock.Advance(w.d)
	w.ch <- h.clock.Now()
}

// An idle provider (no caller at all after Start) fetches at once and then
// renews at the documented point, 20 % of a 15-minute lifetime before expiry.
func TestStartRenewsIdleProvider(t *testing.T) {
	h := newHarness(15 * time.Minute)
	h.r.Start(context.Background())
	defer h.r.Stop()
	for i := 1; i <= 3; i++ {
		w := h.next(t)
		if w.d != 12*time.Minute {
			t.Fatalf("sleep %d = %v, want 12m (renew with 3m left)", i, w.d)
		}
		if n := h.src.calls.Load(); n != int64(i) {
			t.Fatalf("fetches after sleep request %d = %d", i, n)
		}
		h.fire(w)
	}
	h.next(t)
	if s := h.r.Stats(); s.Renewals != 4 || s.Failures != 0 {
		t.Fatalf("stats %+v, want 4 renewals", s)
	}
	if c := h.get(t); c.Expiration.Sub(h.clock.Now()) != 15*time.Minute {
		t.Fatalf("cached credentials are not the fresh ones: %v", c)
	}
	if n := h.src.calls.Load(); n != 4 {
		t.Fatalf("caller caused a fetch: %d", n)
	}
}

// A failed background renewal retries after the jittered backoff, the old
// credentials serving meanwhile; success returns to the renewal schedule.
func TestStartBacksOffWithJitterWhileOldCredentialsServe(t *testing.T) {
	h := newHarness(15 * time.Minute)
	h.rnd.Store(0.5) // wait = d/2 + 0.5·d/2 = 0.75·d
	h.r.Start(context.Background())
	defer h.r.Stop()
	w := h.next(t)
	first := h.get(t)
	h.src.setFail(errors.New("sts down"))
	h.fire(w)
	for _, want := range []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 6 * time.Second} {
		w = h.next(t)
		if w.d != want {
			t.Fatalf("backoff sleep = %v, want %v", w.d, want)
		}
		if c := h.get(t); c.AccessKeyID != first.AccessKeyID {
			t.Fatalf("old credentials not served during the outage: %v", c)
		}
		h.fire(w)
	}
	w = h.next(t)
	if s := h.r.Stats(); s.Failures != 5 {
		t.Fatalf("failures = %d, want 5", s.Failures)
	}
	h.src.setFail(nil)
	h.fire(w) // 12 s, jittered from 16 s
	w = h.next(t)
	if c := h.get(t); c.AccessKeyID == first.AccessKeyID {
		t.Fatal("not renewed after recovery")
	}
	if want := 12 * time.Minute; w.d != want {
		t.Fatalf("sleep after recovery = %v, want %v", w.d, want)
	}
}

func TestBackoffJitterBounds(t *testing.T) {
	var f float64
	r := NewRefreshing(Static(Credentials{}), RefreshOptions{Rand: func() float64 { return f }})
	for _, tc := range []struct {
		rnd  float64
		n    int
		want time.Duration
	}{
		{0, 1, 500 * time.Millisecond},
		{1, 1, time.Second},
		{0.5, 3, 3 * time.Second},
		{1, 30, time.Minute}, // capped
		{0, 30, 30 * time.Second},
		{math.NaN(), 1, 500 * time.Millisecond}, // a broken Rand stays in bounds
		{7, 1, time.Second},
		{-3, 1, 500 * time.Millisecond},
	} {
		f = tc.rnd
		if got := r.backoff(tc.n); got != tc.want {
			t.Errorf("backoff(%d) with rand %v = %v, want %v", tc.n, tc.rnd, got, tc.want)
		}
	}
}

// Invalidate wakes the loop, which fetches without waiting for a caller.
func TestStartFetchesAfterInvalidate(t *testing.T) {
	h := newHarness(time.Hour)
	h.r.Start(context.Background())
	defer h.r.Stop()
	w := h.next(t)
	if w.d != 48*time.Minute {
		t.Fatalf("sleep = %v", w.d)
	}
	h.clock.Advance(time.Minute) // past InvalidateGrace
	h.r.Invalidate()
	w = h.next(t)
	if n := h.src.calls.Load(); n != 2 || w.d != 48*time.Minute {
		t.Fatalf("fetches = %d, sleep %v", n, w.d)
	}
}

// Credentials that never expire: one fetch, then the loop sleeps until
// woken, asking for no timer.
func TestStartNeverExpiringSource(t *testing.T) {
	h := newHarness(time.Hour)
	src := ProviderFunc(func(ctx context.Context) (Credentials, error) {
		h.src.calls.Add(1)
		return Credentials{AccessKeyID: "a", AccessKeySecret: "b"}, nil
	})
	h.r.src = src
	h.r.Start(context.Background())
	h.wg.Wait()
	for h.src.calls.Load() == 0 {
		runtime.Gosched()
	}
	h.r.Stop()
	select {
	case w := <-h.timer.reqs:
		t.Fatalf("loop asked for a %v timer for credentials that never expire", w.d)
	default:
	}
}

// Stop (and the context) end the goroutine; Start after Stop works again.
func TestStopEndsLoop(t *testing.T) {
	base := runtime.NumGoroutine()
	h := newHarness(15 * time.Minute)
	h.r.Start(context.Background())
	h.r.Start(context.Background()) // no second loop
	h.next(t)
	h.r.Stop()
	h.r.Stop()
	h.wg.Wait()
	select {
	case w := <-h.timer.reqs:
		t.Fatalf("second loop asked for %v", w.d)
	default:
	}

	ctx, cancel := context.WithCancel(context.Background())
	h.r.Start(ctx)
	h.next(t) // a new loop runs
	l := h.r.loop
	cancel()
	<-l.done // ended by its context
	h.r.Start(context.Background())
	h.next(t)
	h.r.Stop()
	h.wg.Wait()

	for i := 0; runtime.NumGoroutine() > base; i++ {
		if i > 1000 {
			t.Fatalf("goroutines: %d, started with %d", runtime.NumGoroutine(), base)
		}
		runtime.Gosched()
	}
}

// A loop started with a dead context fetches nothing.
func TestStartWithCancelledContext(t *testing.T) {
	h := newHarness(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h.r.Start(ctx)
	h.r.Stop()
	if n := h.src.calls.Load(); n != 0 {
		t.Fatalf("fetches = %d", n)
	}
}
