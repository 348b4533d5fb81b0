package creds

import (
	"context"
	"time"
)

// loopState is one run of the Start loop.
type loopState struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when the loop has returned
}

// Start runs a goroutine that renews the credentials without waiting for a
// caller: it fetches at once if nothing is cached, then sleeps (with
// RefreshOptions.After) until the renewal point, or until the end of the
// backoff after a failed fetch, and fetches again. Callers keep their own
// path (a call past the renewal point still starts a fetch); both share one
// flight. The loop ends when ctx is done or Stop is called. Calling Start
// while a loop runs does nothing.
func (r *Refreshing) Start(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loop != nil {
		select {
		case <-r.loop.done: // ended by its ctx: start anew
		default:
			return
		}
	}
	select { // a stale signal from before the loop would only cost a spurious pass
	case <-r.wake:
	default:
	}
	ctx, cancel := context.WithCancel(ctx)
	l := &loopState{cancel: cancel, done: make(chan struct{})}
	r.loop = l
	go func() {
		defer close(l.done)
		r.run(ctx)
	}()
}

// Stop ends the loop started by Start and waits until it has returned. A
// fetch it started finishes on its own (bounded by FetchTimeout). Stop
// without Start, or twice, does nothing.
func (r *Refreshing) Stop() {
	r.mu.Lock()
	l := r.loop
	r.loop = nil
	r.mu.Unlock()
	if l != nil {
		l.cancel()
		<-l.done
	}
}

func (r *Refreshing) run(ctx context.Context) {
	for ctx.Err() == nil {
		wait, ok := r.schedule()
		var timer <-chan time.Time
		if ok {
			timer = r.o.After(wait)
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-timer:
		}
	}
}

// schedule starts a fetch if one is due and returns how long to sleep
// before looking again; ok false means until woken (a fetch is running,
// or the credentials never expire). Every fetch that ends wakes the loop.
func (r *Refreshing) schedule() (wait time.Duration, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.flight != nil {
		return 0, false
	}
	var at time.Time // when the next fetch is due
	switch {
	case !r.have || r.cur.Expired(r.o.Now()):
		at = r.nextTry // zero unless backing off
	case r.refreshAt.IsZero():
		return 0, false
	default:
		at = r.refreshAt
		if r.nextTry.After(at) {
			at = r.nextTry
		}
	}
	now := r.o.Now()
	if now.Before(at) {
		return at.Sub(now), true
	}
	r.startLocked()
	return 0, false
}
