package creds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Design: renewal is driven by two things. A call that finds the cached
// credentials past their renewal point starts one background fetch and
// returns the cached ones at once; a call that finds none (or expired
// ones) waits for that single fetch. And, once Start is called, a loop
// (background.go) sleeps until the renewal point (or the end of the
// backoff after a failure) and fetches then, so an idle mount still holds
// valid credentials when the next request comes. Both paths share one
// flight. After a failure the next fetch waits for a backoff (doubling
// from MinBackoff to MaxBackoff, with equal jitter); until the cached
// credentials expire callers keep getting them, after that they get the
// last error, naming the source and the cause. Clock, timer and jitter
// are injectable, so the tests never sleep.

// RefreshOptions tunes NewRefreshing. Zero values take the defaults.
type RefreshOptions struct {
	Now func() time.Time // default time.Now
	// Renewal starts when the remaining lifetime falls below
	// clamp(Fraction × lifetime, MinAhead, MaxAhead), lifetime being
	// Expiration minus the time of the fetch; if that is not less than
	// the lifetime (very short tokens), at half the lifetime.
	Fraction float64       // default 0.2 (the OSS SDK's 80 % point)
	MinAhead time.Duration // default 2 min
	MaxAhead time.Duration // default 20 min (ossfs 1.x's margin)
	// Backoff between failed fetches: MinBackoff, doubled up to
	// MaxBackoff, then jittered: the wait is d/2 + Rand()·d/2 ("equal
	// jitter"), so many mounts that lost STS together do not retry in step.
	MinBackoff time.Duration  // default 1 s
	MaxBackoff time.Duration  // default 1 min
	Rand       func() float64 // in [0, 1]; default math/rand/v2.Float64
	// After is the timer of the Start loop; default time.After.
	After func(time.Duration) <-chan time.Time
	// FetchTimeout bounds one fetch; callers' contexts do not cancel it.
	FetchTimeout time.Duration // default 30 s
	// InvalidateGrace: Invalidate is ignored for credentials fetched less
	// than this long ago, so a burst of requests refused with the old
	// credentials causes one refetch, not one each. Default 1 s.
	InvalidateGrace time.Duration
	Logger          *slog.Logger             // default slog.Default(); one line per failure episode
	OnRefresh       func(ok bool, err error) // called after every fetch, outside locks
	// Go starts a background fetch; default `go f()`. Tests use it to
	// wait for the fetch deterministically.
	Go func(f func())
}

func (o *RefreshOptions) fill() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Fraction <= 0 || o.Fraction >= 1 {
		o.Fraction = 0.2
	}
	if o.MinAhead <= 0 {
		o.MinAhead = 2 * time.Minute
	}
	if o.MaxAhead <= 0 {
		o.MaxAhead = 20 * time.Minute
	}
	if o.MaxAhead < o.MinAhead {
		o.MaxAhead = o.MinAhead
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(time.Minute, o.MinBackoff)
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.After == nil {
		o.After = time.After
	}
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = 30 * time.Second
	}
	if o.InvalidateGrace < 0 {
		o.InvalidateGrace = 0
	} else if o.InvalidateGrace == 0 {
		o.InvalidateGrace = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Go == nil {
		o.Go = func(f func()) { go f() }
	}
}

// RefreshStats counts fetches since NewRefreshing.
type RefreshStats struct {
	Renewals uint64 // successful fetches
	Failures uint64 // failed fetches
}

// Refreshing caches the credentials of a source and renews them ahead of
// expiry, one fetch at a time however many callers there are. It is the
// Provider every request shares.
type Refreshing struct {
	src  Provider
	name string
	o    RefreshOptions

	renewals, failed atomic.Uint64

	mu sync.Mutex
	// GUARDED_BY(mu):
	cur       Credentials
	have      bool          // cur is usable (false at start and after Invalidate)
	fetchedAt time.Time     // when cur arrived
	refreshAt time.Time     // start renewing at this time; zero: cur never expires
	nextTry   time.Time     // after a failure, no fetch before this
	failures  int           // consecutive failed fetches (the current episode)
	lastErr   error         // cause of the last failed fetch
	flight    chan struct{} // non-nil while a fetch runs; closed when it ends
	loop      *loopState    // the Start loop, nil when not running

	// wake (capacity 1) tells the Start loop the schedule changed: a
	// fetch ended or Invalidate dropped the credentials.
	wake chan struct{}
}

var (
	_ Provider  = (*Refreshing)(nil)
	_ Refresher = (*Refreshing)(nil)
)

// NewRefreshing wraps src, a fetcher that returns Credentials with an
// Expiration (zero Expiration: cached until Invalidate).
func NewRefreshing(src Provider, opts RefreshOptions) *Refreshing {
	opts.fill()
	return &Refreshing{src: src, name: SourceName(src), o: opts, wake: make(chan struct{}, 1)}
}

// SourceName is p's String() when it has one, else its type: never %v of
// a value that may hold keys.
func SourceName(p Provider) string {
	if s, ok := p.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", p)
}

// String names the source being refreshed.
func (r *Refreshing) String() string { return r.name }

// GoString names the source being refreshed.
func (r *Refreshing) GoString() string { return r.name }

// Format prints the source name for every verb (the struct holds keys).
func (r *Refreshing) Format(f fmt.State, verb rune) { formatName(f, verb, r.name) }

// Stats returns the fetch counters.
func (r *Refreshing) Stats() RefreshStats {
	return RefreshStats{Renewals: r.renewals.Load(), Failures: r.failed.Load()}
}

// Credentials returns the cached credentials while they are valid,
// starting a background renewal once they are due; otherwise it waits for
// the single in-flight fetch (or ctx).
func (r *Refreshing) Credentials(ctx context.Context) (Credentials, error) {
	r.mu.Lock()
	now := r.o.Now()
	if r.have && !r.cur.Expired(now) {
		if r.dueLocked(now) {
			r.startLocked()
		}
		c := r.cur
		r.mu.Unlock()
		return c, nil
	}
	if r.flight == nil {
		if r.lastErr != nil && now.Before(r.nextTry) {
			err := r.errLocked()
			r.mu.Unlock()
			return Credentials{}, err // backing off: do not hammer the source
		}
		r.startLocked()
	}
	ch := r.flight
	r.mu.Unlock()

	select {
	case <-ch:
	case <-ctx.Done():
		return Credentials{}, fmt.Errorf("credentials from %s: %w", r.name, ctx.Err())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.have && !r.cur.Expired(r.o.Now()) {
		return r.cur, nil
	}
	return Credentials{}, r.errLocked()
}

// Invalidate drops the cached credentials so the next call fetches (one
// fetch for all callers). Credentials fetched within InvalidateGrace are
// kept: the requests refused were signed with the ones before them.
func (r *Refreshing) Invalidate() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.have && r.o.Now().Sub(r.fetchedAt) < r.o.InvalidateGrace {
		return
	}
	r.have = false
	r.nextTry = time.Time{}
	r.signalLocked()
}

// signalLocked wakes the Start loop, if any, without blocking.
func (r *Refreshing) signalLocked() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// dueLocked: renewal point passed, no fetch running, not backing off.
func (r *Refreshing) dueLocked(now time.Time) bool {
	return !r.refreshAt.IsZero() && !now.Before(r.refreshAt) && r.flight == nil && !now.Before(r.nextTry)
}

func (r *Refreshing) startLocked() {
	ch := make(chan struct{})
	r.flight = ch
	r.o.Go(func() { r.fetch(ch) })
}

// errLocked is the error callers get once no valid credentials are left.
func (r *Refreshing) errLocked() error {
	cause := r.lastErr
	if cause == nil {
		cause = errors.New("no credentials fetched yet")
	}
	if r.have { // had credentials, now expired
		return fmt.Errorf("credentials from %s expired at %s and renewal failed: %w",
			r.name, r.cur.Expiration.UTC().Format(time.RFC3339), cause)
	}
	return fmt.Errorf("credentials from %s: %w", r.name, cause)
}

func (r *Refreshing) fetch(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), r.o.FetchTimeout)
	c, err := r.src.Credentials(ctx)
	cancel()

	r.mu.Lock()
	now := r.o.Now()
	if err == nil && c.Expired(now) {
		err = fmt.Errorf("fetched credentials already expired at %s (clock skew?)", c.Expiration.UTC().Format(time.RFC3339))
	}
	episode, recovered := false, 0
	if err == nil {
		r.cur, r.have, r.fetchedAt = c, true, now
		r.refreshAt = r.renewPoint(now, c.Expiration)
		recovered = r.failures
		r.failures, r.lastErr, r.nextTry = 0, nil, time.Time{}
	} else {
		r.failures++
		episode = r.failures == 1
		r.lastErr = err
		r.nextTry = now.Add(r.backoff(r.failures))
	}
	validUntil := r.cur.Expiration
	if err == nil { // counted before anyone can see the fetch ended
		r.renewals.Add(1)
	} else {
		r.failed.Add(1)
	}
	r.flight = nil
	close(done)
	r.signalLocked()
	r.mu.Unlock()

	switch {
	case err == nil && recovered > 0:
		r.o.Logger.Info("credential renewal recovered", "source", r.name, "failed_attempts", recovered)
	case err != nil && episode:
		r.o.Logger.Warn("credential renewal failed; retrying with backoff while the cached credentials last",
			"source", r.name, "error", err.Error(), "cached_valid_until", validUntil)
	}
	if r.o.OnRefresh != nil {
		r.o.OnRefresh(err == nil, err)
	}
}

// renewPoint is when to start renewing credentials fetched at now.
func (r *Refreshing) renewPoint(now, exp time.Time) time.Time {
	if exp.IsZero() {
		return time.Time{}
	}
	life := exp.Sub(now)
	ahead := time.Duration(r.o.Fraction * float64(life))
	ahead = min(max(ahead, r.o.MinAhead), r.o.MaxAhead)
	if ahead >= life {
		ahead = life / 2
	}
	return exp.Add(-ahead)
}

// backoff is the jittered wait after the n-th consecutive failure: in
// [d/2, d] for the exponential d.
func (r *Refreshing) backoff(n int) time.Duration {
	d := r.o.MinBackoff
	for i := 1; i < n && d < r.o.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, r.o.MaxBackoff)
	f := r.o.Rand()
	if !(f >= 0) { // also NaN: a bad Rand must not break the bound
		f = 0
	}
	f = min(f, 1)
	return d/2 + time.Duration(f*float64(d/2))
}
