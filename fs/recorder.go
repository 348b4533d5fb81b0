package fs

import (
	"syscall"
	"time"
)

// Recorder receives the filesystem's measurements; *metrics.Registry
// implements it. Leave Options.Metrics nil when metrics are off: the
// filesystem then does not even read the clock.
type Recorder interface {
	// FUSEOp is one answered FUSE operation ("lookup", "getattr", "open",
	// "read", "readlink", "getxattr", "listxattr") and its errno (0: ok).
	FUSEOp(op string, d time.Duration, errno syscall.Errno)
	// CacheLookup is one metadata cache lookup: a fresh entry (hit), a
	// fresh "no such path" (negative) or nothing usable (both false).
	CacheLookup(hit, negative bool)
	// PrefetchMemory is called once at mount with a reader of the
	// prefetch memory in use and the budget's limit, in bytes.
	PrefetchMemory(inUse func() int64, limit int64)
}

// begin starts timing an operation; the zero time when nothing records.
func (f *filesystem) begin() time.Time {
	if f.rec == nil {
		return time.Time{}
	}
	return time.Now()
}

// done records the operation begun at start with the errno *errno holds
// when the deferred call runs.
func (f *filesystem) done(op string, start time.Time, errno *syscall.Errno) {
	if f.rec == nil {
		return
	}
	f.rec.FUSEOp(op, time.Since(start), *errno)
}
