package main

import (
	"context"
	"log/slog"
	"sync"
)

// Until the mount serves, log records are held back: if the pre-mount
// checks fail, the one "ossfs: <cause>" line says everything and the
// warnings that led to it (a failed credential fetch, a refused request)
// would only repeat it. Once mounted, the held records are written in
// order and later ones pass straight through. At debug level nothing is
// held, so a user chasing a problem sees every step as it happens.

// maxHeld bounds the records kept before the mount; the rest are counted.
const maxHeld = 256

// holdState is shared by a held handler and every handler derived from it
// (WithAttrs, WithGroup), so one release covers all loggers.
type holdState struct {
	mu       sync.Mutex
	held     []heldRecord // GUARDED_BY(mu)
	dropped  int          // GUARDED_BY(mu); records beyond maxHeld
	released bool         // GUARDED_BY(mu)
}

type heldRecord struct {
	h slog.Handler
	r slog.Record
}

type holdHandler struct {
	inner slog.Handler
	st    *holdState
}

// newHeldLogger wraps inner. release(true) writes what was held and lets
// later records through; release(false) discards what was held and lets
// later records through. Calls after the first do nothing.
func newHeldLogger(inner slog.Handler) (log *slog.Logger, release func(flush bool)) {
	st := &holdState{}
	release = func(flush bool) {
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.released {
			return
		}
		st.released = true
		if flush {
			for _, hr := range st.held {
				_ = hr.h.Handle(context.Background(), hr.r)
			}
			if st.dropped > 0 {
				r := slog.NewRecord(st.held[len(st.held)-1].r.Time, slog.LevelWarn, "earlier log lines dropped while starting", 0)
				r.AddAttrs(slog.Int("count", st.dropped))
				_ = inner.Handle(context.Background(), r)
			}
		}
		st.held, st.dropped = nil, 0
	}
	return slog.New(&holdHandler{inner: inner, st: st}), release
}

func (h *holdHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *holdHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.inner.Enabled(ctx, slog.LevelDebug) {
		return h.inner.Handle(ctx, r) // debugging: every step as it happens
	}
	h.st.mu.Lock()
	if !h.st.released {
		if len(h.st.held) < maxHeld {
			h.st.held = append(h.st.held, heldRecord{h.inner, r.Clone()})
		} else {
			h.st.dropped++
		}
		h.st.mu.Unlock()
		return nil
	}
	h.st.mu.Unlock()
	return h.inner.Handle(ctx, r)
}

func (h *holdHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &holdHandler{inner: h.inner.WithAttrs(attrs), st: h.st}
}

func (h *holdHandler) WithGroup(name string) slog.Handler {
	return &holdHandler{inner: h.inner.WithGroup(name), st: h.st}
}
