package fs

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// episodes logs failures per outage episode rather than per operation. An
// outage (STS down, endpoint unreachable, a run of 5xx) fails every READ
// and lookup until it ends; logging each would bury the cause under
// thousands of lines. So the first failure of a kind logs one warning that
// names the cause (the error text carries the service code and request
// id), later failures of that kind are only counted, and the first
// successful store request afterwards logs one line saying how many
// operations failed. A kind is the errno the kernel got and the cause's
// category, so an EACCES episode and an EIO one are told apart.
//
// Success is a store request that got an answer, not a FUSE operation that
// succeeded: ls from the cache during an outage proves nothing.
//
// A flapping service (a few requests failing among many that succeed)
// would make every failure an episode of its own. So a kind warns at most
// once per episodeQuiet: an episode that starts sooner is counted
// silently, and its failures are added to the next recovery line of that
// kind, so none goes unreported.
type episodes struct {
	log     *slog.Logger
	now     func() time.Time
	anyOpen atomic.Bool // fast path of ok: most requests succeed with no episode open

	mu    sync.Mutex
	open  map[episodeKind]*episode     // GUARDED_BY(mu)
	kinds map[episodeKind]*kindHistory // GUARDED_BY(mu); bounded by the few kinds there are
}

const episodeQuiet = time.Minute

type episodeKind struct {
	errno syscall.Errno
	cause string
}

type episode struct {
	failures int64
	warned   bool
}

type kindHistory struct {
	lastWarn time.Time
	unlogged int64 // failures of silent episodes, reported with the next recovery line
}

func newEpisodes(log *slog.Logger, now func() time.Time) *episodes {
	return &episodes{log: log, now: now, open: map[episodeKind]*episode{}, kinds: map[episodeKind]*kindHistory{}}
}

// fail counts one failed operation; the first of an episode is logged.
func (e *episodes) fail(errno syscall.Errno, cause, op, key string, err error) {
	k := episodeKind{errno, cause}
	e.mu.Lock()
	ep := e.open[k]
	if ep == nil {
		ep = &episode{}
		e.open[k] = ep
		e.anyOpen.Store(true)
	}
	h := e.kinds[k]
	if h == nil {
		h = &kindHistory{}
		e.kinds[k] = h
	}
	warn := false
	// A silent episode that outlasts the quiet period is an outage after
	// all: it warns then.
	if now := e.now(); !ep.warned && (h.lastWarn.IsZero() || now.Sub(h.lastWarn) >= episodeQuiet) {
		h.lastWarn, ep.warned, warn = now, true, true
	}
	ep.failures++
	e.mu.Unlock()
	if warn {
		e.log.Warn("ossfs: operations failing ("+cause+"); further failures are counted until one succeeds",
			"cause", cause, "errno", errno.Error(), "op", op, "key", key, "err", err.Error())
	}
}

// ok ends every open episode: the store answered again.
func (e *episodes) ok() {
	if !e.anyOpen.Load() {
		return
	}
	type ended struct {
		k episodeKind
		n int64
	}
	var lines []ended
	e.mu.Lock()
	for k, ep := range e.open {
		h := e.kinds[k]
		if !ep.warned {
			h.unlogged += ep.failures
			continue
		}
		lines = append(lines, ended{k, ep.failures + h.unlogged})
		h.unlogged = 0
	}
	clear(e.open)
	e.anyOpen.Store(false)
	e.mu.Unlock()
	for _, l := range lines {
		e.log.Info(fmt.Sprintf("ossfs: recovered after %d failed operations (%s)", l.n, l.k.cause),
			"cause", l.k.cause, "errno", l.k.errno.Error(), "failures", l.n)
	}
}
