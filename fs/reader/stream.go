package reader

// stream is the prefetch state of one handle: at most one sequential
// stream at a time, as in mountpoint-s3 and rclone's chunked reader.
type stream struct {
	seen    bool  // a read happened
	lastEnd int64 // end of the previous read
	gen     uint64
	window  int64 // 0: no stream
	start   int64 // first offset of the stream
	pos     int64 // furthest end read in the stream
	grownAt int64 // pos when the window last doubled
	front   int64 // next byte to prefetch
}

// slack is how far a read may land from where the previous one ended and
// still count as sequential: the kernel's async readahead sends several
// READs of up to 1 MiB at once, and they arrive out of order.
func (o Options) slack() int64 { return max(o.MinRequest, 1<<20) }

// observeLocked classifies the read [off, off+n) and moves the stream:
//   - inside the stream (from just before its start to just past its
//     front, since READs arrive slightly out of order): the
//     position advances; each time a part's worth has been consumed, the
//     window doubles (up to MaxWindow), and parts are issued to keep a
//     window ahead of the position. Growing per consumed part rather than
//     per READ means a stream must prove itself with bytes actually read
//     before it may hold more memory;
//   - otherwise next to the previous read: a new stream starts at off with
//     InitialWindow, adopting whatever is already buffered there;
//   - otherwise a random read: the stream is reset, and the read fetches
//     only what it needs (readSegment).
func (r *Reader) observeLocked(off, n int64) {
	r.tick++
	end := off + n
	s := &r.st
	for _, c := range r.chunks {
		if c.off < end && off < c.end {
			c.lastUse = r.tick // about to be read: not an eviction candidate
		}
	}
	switch {
	case s.window > 0 && off+r.opts.slack() >= s.start && off <= s.front+r.opts.slack():
		if end > s.pos {
			s.pos = end
			if s.pos-s.grownAt >= r.opts.partSize(s.window) {
				s.window = min(2*s.window, r.opts.MaxWindow)
				s.grownAt = s.pos
			}
		}
		// The reader outran the prefetch (budget or parallelism was
		// short): restart it where the reader is, not behind it.
		s.front = max(s.front, off)
	case s.seen && off >= s.lastEnd-r.opts.slack() && off <= s.lastEnd+r.opts.slack():
		r.resetStreamLocked()
		s.gen++
		s.window = r.opts.InitialWindow
		s.start, s.pos, s.front, s.grownAt = off, end, off, off
	default:
		r.resetStreamLocked()
	}
	s.seen, s.lastEnd = true, end
	r.topUpLocked()
	r.evictLocked()
}

// streamOwnsLocked reports whether c is a part of the live stream.
func (r *Reader) streamOwnsLocked(c *chunk) bool {
	return r.st.window > 0 && c.gen == r.st.gen
}

// topUpLocked issues parts until the window ahead of the position is
// covered, at most Parallel of them in flight. A part the budget cannot
// hold is retried at MinRequest; if even that fails, prefetch stops and
// reads go direct until memory frees up.
func (r *Reader) topUpLocked() {
	s := &r.st
	if s.window == 0 || r.closed || r.stale != nil {
		return
	}
	inflight := 0
	for _, c := range r.chunks {
		if c.fetching && r.streamOwnsLocked(c) {
			inflight++
		}
	}
	for s.front < r.size && s.front < s.pos+s.window && inflight < r.opts.Parallel {
		if c := r.findLocked(s.front); c != nil && c.err == nil {
			if c.gen != s.gen && c.fetching {
				inflight++
			}
			c.gen = s.gen // adopt: already buffered or on its way
			s.front = c.end
			continue
		}
		end := min(s.front+r.opts.partSize(s.window), r.nextStartLocked(s.front))
		c := r.startChunkLocked(s.front, end, s.gen)
		if c == nil && end-s.front > r.opts.MinRequest {
			end = s.front + r.opts.MinRequest
			c = r.startChunkLocked(s.front, end, s.gen)
		}
		if c == nil {
			return
		}
		inflight++
		s.front = end
	}
}

// resetStreamLocked ends the stream. Parts still in flight that nobody
// waits for are cancelled (a seek made them useless); the rest stay as
// retained chunks, subject to eviction.
func (r *Reader) resetStreamLocked() {
	s := &r.st
	if s.window == 0 {
		return
	}
	for i := 0; i < len(r.chunks); {
		c := r.chunks[i]
		if c.gen == s.gen {
			c.gen = 0
			if c.fetching && c.refs == 0 {
				r.dropLocked(c) // swaps another chunk into i
				continue
			}
		}
		i++
	}
	s.window = 0
}

// evictLocked keeps the chunks that are not ahead in the stream (consumed
// parts and random reads) within retainBytes, dropping the least recently
// used first. Chunks in use are skipped, so the bound can be exceeded only
// by what concurrent reads are copying at this moment.
func (r *Reader) evictLocked() {
	limit := r.opts.retainBytes()
	for {
		var total int64
		var lru *chunk
		for _, c := range r.chunks {
			if r.streamOwnsLocked(c) && c.end > r.st.pos {
				continue // ahead: the window's to keep
			}
			total += c.charge
			if c.refs == 0 && c.lastUse != r.tick && (lru == nil || c.lastUse < lru.lastUse) {
				lru = c
			}
		}
		if total <= limit || lru == nil {
			return
		}
		r.dropLocked(lru)
	}
}
