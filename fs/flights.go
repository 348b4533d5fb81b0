package fs

import "sync"

// flights lets concurrent lookups of the same uncached path share one
// HEAD+LIST: the kernel sends them in parallel (two processes opening one
// file, or a LOOKUP racing a GETATTR), and each would otherwise cost a
// round trip of its own.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight // GUARDED_BY(mu)
	// shared counts the stats that waited for another's round trip.
	shared int // GUARDED_BY(mu)
}

// flight is one stat in progress; m and err are set before done closes.
type flight struct {
	done chan struct{}
	m    meta
	err  error
}

// join returns the flight for key, and whether the caller leads it (and
// must call finish).
func (fs *flights) join(key string) (*flight, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fl, ok := fs.m[key]; ok {
		fs.shared++
		return fl, false
	}
	if fs.m == nil {
		fs.m = map[string]*flight{}
	}
	fl := &flight{done: make(chan struct{})}
	fs.m[key] = fl
	return fl, true
}

// finish publishes the leader's result.
func (fs *flights) finish(key string, fl *flight) {
	fs.mu.Lock()
	delete(fs.m, key)
	fs.mu.Unlock()
	close(fl.done)
}

func (fs *flights) sharedCount() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.shared
}
