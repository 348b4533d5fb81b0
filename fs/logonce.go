package fs

import (
	"log/slog"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// onceLogger logs each distinct message key once. It remembers a bounded
// number of keys, so a bucket full of bad names can not grow memory; a key
// forgotten long ago may be logged again.
type onceLogger struct {
	log *slog.Logger

	mu   sync.Mutex
	seen *simplelru.LRU[string, struct{}] // GUARDED_BY(mu)
}

const onceLoggerKeys = 4096

func newOnceLogger(log *slog.Logger) *onceLogger {
	seen, _ := simplelru.NewLRU[string, struct{}](onceLoggerKeys, nil) // size > 0 never fails
	return &onceLogger{log: log, seen: seen}
}

// warn logs msg with args unless the same id was logged already.
func (l *onceLogger) warn(id, msg string, args ...any) {
	l.mu.Lock()
	dup := l.seen.Contains(id)
	if !dup {
		l.seen.Add(id, struct{}{})
	}
	l.mu.Unlock()
	if !dup {
		l.log.Warn(msg, args...)
	}
}
