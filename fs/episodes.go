package fs

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
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
type episodes struct {
	log     *slog.Logger
	anyOpen atomic.Bool // fast path of ok: most requests succeed with no episode open

	mu   sync.Mutex
	open map[episodeKind]int64 // GUARDED_BY(mu): failures counted per open episode
}

type episodeKind struct {
	errno syscall.Errno
	cause string
}

func newEpisodes(log *slog.Logger) *episodes {
	return &episodes{log: log, open: map[episodeKind]int64{}}
}

// fail counts one failed operation; the first of its kind is logged.
func (e *episodes) fail(errno syscall.Errno, cause, op, key string, err error) {
	k := episodeKind{errno, cause}
	e.mu.Lock()
	n, started := e.open[k]
	e.open[k] = n + 1
	e.anyOpen.Store(true)
	e.mu.Unlock()
	if !started {
		e.log.Warn("ossfs: operations failing ("+cause+"); further failures are counted until one succeeds",
			"cause", cause, "errno", errno.Error(), "op", op, "key", key, "err", err.Error())
	}
}

// ok ends every open episode: the store answered again.
func (e *episodes) ok() {
	if !e.anyOpen.Load() {
		return
	}
	e.mu.Lock()
	ended := e.open
	e.open = map[episodeKind]int64{}
	e.anyOpen.Store(false)
	e.mu.Unlock()
	for k, n := range ended {
		e.log.Info(fmt.Sprintf("ossfs: recovered after %d failed operations (%s)", n, k.cause),
			"cause", k.cause, "errno", k.errno.Error(), "failures", n)
	}
}
