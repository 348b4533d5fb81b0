package reader

// Defaults for a zero Options field.
//
//   - MinRequest 256 KiB: with tens of milliseconds to the first byte, a
//     GET of 256 KiB costs barely more than one of 4 KiB, and it covers the
//     kernel's usual 128 KiB READs plus a neighbour; it is still small enough
//     that a random-read workload does not pay for bytes it never uses.
//   - InitialWindow 1 MiB: a stream proves itself with a few READs before it
//     is allowed to hold much memory.
//   - MaxWindow 64 MiB: at 100 MB/s per connection and 20 ms to the first
//     byte, 8 parts of 8 MiB keep 8 connections busy ~95% of the time.
//   - Parallel 8: enough connections to multiply single-stream throughput
//     without one handle monopolising the transport or the memory budget.
const (
	DefaultMinRequest    int64 = 256 << 10
	DefaultInitialWindow int64 = 1 << 20
	DefaultMaxWindow     int64 = 64 << 20
	DefaultParallel            = 8

	maxParallel = 64 // more parts in flight per handle only adds overhead
	// maxSize caps every size option: buffers are sized in power-of-two
	// classes, and an absurd setting must not overflow them.
	maxSize int64 = 4 << 30
)

// Options tunes one Reader. A zero (or negative) field takes its default.
type Options struct {
	// MinRequest is the smallest GET issued for a random read that is
	// buffered, and the smallest prefetch part.
	MinRequest int64
	// InitialWindow is the prefetch window when a stream is detected; it
	// doubles as the stream is consumed, up to MaxWindow.
	InitialWindow int64
	MaxWindow     int64
	// Parallel is the number of ranged GETs a window is split into (and
	// the most a handle has in flight for its stream).
	Parallel int
}

// normalize fills defaults and makes the fields consistent:
// MinRequest ≤ InitialWindow ≤ MaxWindow, 1 ≤ Parallel ≤ maxParallel.
func (o Options) normalize() Options {
	if o.MinRequest <= 0 {
		o.MinRequest = DefaultMinRequest
	}
	if o.InitialWindow <= 0 {
		o.InitialWindow = DefaultInitialWindow
	}
	if o.MaxWindow <= 0 {
		o.MaxWindow = DefaultMaxWindow
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	o.MinRequest = min(o.MinRequest, maxSize)
	o.InitialWindow = min(o.InitialWindow, maxSize)
	o.MaxWindow = min(o.MaxWindow, maxSize)
	if o.Parallel > maxParallel {
		o.Parallel = maxParallel
	}
	if o.InitialWindow < o.MinRequest {
		o.InitialWindow = o.MinRequest
	}
	if o.MaxWindow < o.InitialWindow {
		o.MaxWindow = o.InitialWindow
	}
	return o
}

// partSize is the size of one prefetch GET for window w.
func (o Options) partSize(w int64) int64 {
	return max(w/int64(o.Parallel), o.MinRequest)
}

// retainBytes bounds the consumed and random-read chunks a handle keeps for
// seek-backs: one full-size part, or a few minimum requests.
func (o Options) retainBytes() int64 {
	return max(o.partSize(o.MaxWindow), 4*o.MinRequest)
}

// handleBound is the most memory one handle can hold: the window, one part
// of overshoot from rounding the window to parts, and the retained chunks.
// A nil Budget given to New is replaced by a private budget of this size.
func (o Options) handleBound() int64 {
	return o.MaxWindow + o.partSize(o.MaxWindow) + o.retainBytes()
}
