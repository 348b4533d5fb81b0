package reader

import (
	"context"
	"fmt"
	"io"

	"github.com/ossfs/ossfs/ossapi"
)

// chunk is one buffered range [off, end) of the object, fetched by one
// ranged GET into memory reserved from the Budget.
//
// Lifetime: a chunk sits in Reader.chunks until it is dropped (evicted,
// failed, stream reset, Close). Its buffer goes back to the pool and its
// charge to the budget only when it is dropped, its fetch has finished and
// no reader holds a reference: freeing earlier would hand a buffer that is
// still being written or copied to someone else.
type chunk struct {
	off, end int64
	buf      *[]byte // len end-off; written only by the fetch goroutine until done
	charge   int64   // bytes reserved from the budget
	cancel   context.CancelFunc

	done chan struct{} // closed when the fetch finished
	err  error         // set before done is closed; read only after <-done

	// GUARDED_BY(Reader.mu)
	refs     int    // readers waiting on or copying out of buf
	fetching bool   // the fetch goroutine has not finished
	dropped  bool   // no longer in Reader.chunks
	freed    bool   // buffer and charge returned
	gen      uint64 // stream generation that owns it; 0: random or retained
	lastUse  uint64 // Reader.tick at the last read that touched it
}

func (c *chunk) covers(off int64) bool { return c.off <= off && off < c.end }

// get reads exactly len(buf) bytes at off into buf with one ranged GET
// pinned to the handle's ETag.
func (r *Reader) get(ctx context.Context, buf []byte, off int64) error {
	n := int64(len(buf))
	body, info, err := r.g.GetObject(ctx, ossapi.GetRequest{Key: r.key, Offset: off, Length: n, IfMatch: r.etag})
	if err != nil {
		return fmt.Errorf("get %q bytes %d-%d: %w", r.key, off, off+n-1, err)
	}
	defer body.Close()
	// The client sends If-Match, so this only catches a getter that
	// ignores it; mixing versions is the one thing a reader must never do.
	if r.etag != "" && info.ETag != "" && info.ETag != r.etag {
		return fmt.Errorf("get %q: etag changed from %s to %s: %w", r.key, r.etag, info.ETag, ossapi.ErrPreconditionFailed)
	}
	got, err := io.ReadFull(body, buf)
	// Only ReadFull's own bare EOFs mean a short body; a wrapped EOF is a
	// failure whose cause must be kept (and is never the end of data).
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("get %q bytes %d-%d: body ended after %d bytes: %w", r.key, off, off+n-1, got, io.ErrUnexpectedEOF)
	}
	if err != nil {
		return fmt.Errorf("get %q bytes %d-%d: %w", r.key, off, off+n-1, err)
	}
	return nil
}

// startChunkLocked reserves memory for [off, end) and starts its fetch,
// tied to the handle's lifetime. It returns nil when the budget cannot
// cover it (or the reader is closed): the caller falls back.
func (r *Reader) startChunkLocked(off, end int64, gen uint64) *chunk {
	if r.closed || end <= off {
		return nil
	}
	charge := classSize(end - off)
	if !r.budget.tryReserve(charge) {
		return nil
	}
	buf, err := r.budget.getBuf(end - off)
	if err != nil {
		r.budget.release(charge)
		return nil
	}
	ctx, cancel := context.WithCancel(r.ctx)
	c := &chunk{
		off: off, end: end, buf: buf, charge: charge, cancel: cancel,
		done: make(chan struct{}), fetching: true, gen: gen, lastUse: r.tick,
	}
	r.chunks = append(r.chunks, c)
	r.wg.Add(1)
	go r.fetch(ctx, c)
	return c
}

func (r *Reader) fetch(ctx context.Context, c *chunk) {
	defer r.wg.Done()
	err := r.get(ctx, *c.buf, c.off)
	r.mu.Lock()
	defer r.mu.Unlock()
	c.err = err
	c.fetching = false
	c.cancel()
	close(c.done)
	r.maybeFreeLocked(c)
	if err == nil && r.streamOwnsLocked(c) {
		r.topUpLocked() // a slot for the next part is free
	}
}

// dropLocked removes c from the reader; its memory follows once unused.
func (r *Reader) dropLocked(c *chunk) {
	if c.dropped {
		return
	}
	c.dropped = true
	for i, x := range r.chunks {
		if x == c {
			last := len(r.chunks) - 1
			r.chunks[i] = r.chunks[last]
			r.chunks[last] = nil
			r.chunks = r.chunks[:last]
			break
		}
	}
	if c.fetching && c.refs == 0 {
		c.cancel() // nobody wants these bytes any more
	}
	r.maybeFreeLocked(c)
}

func (r *Reader) maybeFreeLocked(c *chunk) {
	if !c.dropped || c.fetching || c.refs > 0 || c.freed {
		return
	}
	c.freed = true
	r.budget.putBuf(c.buf)
	c.buf = nil
	r.budget.release(c.charge)
}
