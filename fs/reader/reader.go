package reader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/ossfs/ossfs/ossapi"
)

// Getter is the one store call the read path needs; *ossapi.Client
// satisfies it. The body must honour ctx (cancelling it ends a blocked
// Read) and is expected to hide transient errors by resuming.
type Getter interface {
	GetObject(ctx context.Context, req ossapi.GetRequest) (io.ReadCloser, ossapi.ObjectInfo, error)
}

// ErrClosed is returned by ReadAt after Close.
var ErrClosed = errors.New("reader closed")

// Reader reads one open object version (key, etag, size) for one file
// handle. It is safe for concurrent use.
type Reader struct {
	g       Getter
	key     string
	etag    string
	size    int64
	budget  *Budget
	private bool // budget is this reader's own: trimmed by Close
	opts    Options

	ctx    context.Context // the handle's lifetime: parent of every buffered fetch
	cancel context.CancelFunc
	wg     sync.WaitGroup // running fetch goroutines

	// LOCK ORDERING: mu is the only lock; it is never held across a GET,
	// a wait or a copy, only over bookkeeping.
	mu sync.Mutex
	// GUARDED_BY(mu)
	chunks []*chunk
	closed bool
	stale  error  // sticky: the object changed, every later read fails
	tick   uint64 // read counter, for LRU
	st     stream
}

// New returns a Reader for an object of size bytes whose ETag (quoted, as
// ossapi.ObjectInfo.ETag) was seen at open; every GET sends it as
// If-Match. budget is shared by all readers of a mount; nil gives this
// reader a private budget of its own per-handle bound. An empty etag
// disables pinning (no If-Match): only for objects known not to change.
func New(g Getter, key, etag string, size int64, budget *Budget, opts Options) *Reader {
	opts = opts.normalize()
	private := budget == nil
	if private {
		budget = NewBudget(opts.handleBound())
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Reader{g: g, key: key, etag: etag, size: max(size, 0), budget: budget, private: private,
		opts: opts, ctx: ctx, cancel: cancel}
}

// ReadAt fills p with the bytes at off. When p reaches the end of the
// object it returns the bytes that exist with io.EOF, and (0, io.EOF) at
// or after the end; any other short read comes with an error. A cancelled ctx returns
// promptly with an error wrapping ctx.Err(); buffered fetches it was
// waiting for continue, since the kernel usually retries the same READ.
// A changed object fails with an error wrapping ossapi.ErrPreconditionFailed,
// now and on every later call.
func (r *Reader) ReadAt(ctx context.Context, p []byte, off int64) (int, error) {
	v, err := r.read(ctx, p, off, false)
	return v.n, err
}

// ReadSlices is ReadAt without the copy out of buffered chunks: the bytes
// at off are returned as slices of the reader's own buffers where they are
// buffered, and of p where they had to be fetched directly. The caller
// must call Release once it is done with them (the buffers stay allocated
// until then, even past Close). Results and errors are those of ReadAt; on
// an error other than io.EOF nothing needs releasing.
func (r *Reader) ReadSlices(ctx context.Context, p []byte, off int64) (*Slices, error) {
	v, err := r.read(ctx, p, off, true)
	if err != nil && err != io.EOF {
		v.Release()
		return nil, err
	}
	return v, err
}

// Slices is the result of ReadSlices.
type Slices struct {
	r      *Reader
	n      int
	parts  [][]byte
	chunks []*chunk // each holds one reference, dropped by Release
}

// Bytes returns the data, in order; it stays valid until Release.
func (v *Slices) Bytes() [][]byte { return v.parts }

// Len is the number of bytes.
func (v *Slices) Len() int { return v.n }

// Release lets the buffers go. It is idempotent and nil-safe.
func (v *Slices) Release() {
	if v == nil || v.r == nil {
		return
	}
	r := v.r
	for _, c := range v.chunks {
		r.release(c, false)
	}
	v.chunks, v.parts, v.r = nil, nil, nil
	r.mu.Lock()
	trim := r.closed && r.private
	r.mu.Unlock()
	if trim {
		r.budget.Trim() // Close could not: these buffers were still out
	}
}

func (r *Reader) read(ctx context.Context, p []byte, off int64, keep bool) (*Slices, error) {
	v := &Slices{r: r}
	if off < 0 {
		return v, fmt.Errorf("read %q: negative offset %d", r.key, off)
	}
	if off >= r.size {
		return v, io.EOF
	}
	eof := false
	if rem := r.size - off; int64(len(p)) >= rem {
		p, eof = p[:rem], true
	}
	if len(p) > 0 {
		r.mu.Lock()
		err := r.usableLocked()
		if err == nil {
			r.observeLocked(off, int64(len(p)))
		}
		r.mu.Unlock()
		if err != nil {
			return v, err
		}
	}
	for v.n < len(p) {
		m, err := r.readSegment(ctx, p[v.n:], off+int64(v.n), v, keep)
		v.n += m
		if err != nil {
			return v, err
		}
	}
	if eof {
		return v, io.EOF
	}
	return v, nil
}

// readSegment serves a prefix of p at off: from a buffered chunk if one
// covers off, else from a new MinRequest chunk for a small read, else by a
// direct GET into p, which needs no budget and so always makes progress.
// With keep, bytes of a chunk are not copied: v gets a slice of the chunk
// and keeps its reference; bytes read into p are appended to v as well.
func (r *Reader) readSegment(ctx context.Context, p []byte, off int64, v *Slices, keep bool) (int, error) {
	r.mu.Lock()
	if err := r.usableLocked(); err != nil {
		r.mu.Unlock()
		return 0, err
	}
	c := r.findLocked(off)
	if c == nil {
		want := min(int64(len(p)), r.nextStartLocked(off)-off)
		if want < r.opts.MinRequest {
			end := min(off+r.opts.MinRequest, r.size, r.nextStartLocked(off))
			c = r.startChunkLocked(off, end, 0)
		}
		if c == nil {
			r.mu.Unlock()
			if err := r.get(ctx, p[:want], off); err != nil {
				return 0, r.failed(fmt.Errorf("read %q at %d: %w", r.key, off, err))
			}
			if keep {
				v.parts = append(v.parts, p[:want])
			}
			return int(want), nil
		}
	}
	c.refs++
	c.lastUse = r.tick
	r.mu.Unlock()

	select {
	case <-c.done:
	case <-ctx.Done():
		r.release(c, false)
		return 0, fmt.Errorf("read %q at %d: %w", r.key, off, ctx.Err())
	}
	if c.err != nil {
		r.release(c, true)
		return 0, r.failed(fmt.Errorf("read %q at %d: %w", r.key, off, c.err))
	}
	if keep {
		part := (*c.buf)[off-c.off:]
		part = part[:min(len(part), len(p))]
		v.parts = append(v.parts, part)
		v.chunks = append(v.chunks, c)
		return len(part), nil
	}
	n := copy(p, (*c.buf)[off-c.off:])
	r.release(c, false)
	return n, nil
}

// release drops the caller's reference; a failed chunk leaves the reader
// so that a later read fetches it again.
func (r *Reader) release(c *chunk, failed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c.refs--
	if failed {
		r.dropLocked(c)
	}
	r.maybeFreeLocked(c)
}

// failed makes a changed object sticky: no later read may succeed with
// bytes of either version.
func (r *Reader) failed(err error) error {
	if errors.Is(err, ossapi.ErrPreconditionFailed) {
		r.mu.Lock()
		if r.stale == nil {
			r.stale = err
			r.resetStreamLocked()
			for len(r.chunks) > 0 {
				r.dropLocked(r.chunks[0])
			}
		}
		r.mu.Unlock()
	}
	return err
}

func (r *Reader) usableLocked() error {
	if r.closed {
		return fmt.Errorf("read %q: %w", r.key, ErrClosed)
	}
	return r.stale
}

// findLocked returns the chunk covering off, preferring one without error.
func (r *Reader) findLocked(off int64) *chunk {
	var found *chunk
	for _, c := range r.chunks {
		if c.covers(off) {
			if c.err == nil {
				return c
			}
			found = c
		}
	}
	return found
}

// nextStartLocked is where the next buffered chunk after off begins (or
// the object's end), so a fetch for off does not duplicate it.
func (r *Reader) nextStartLocked(off int64) int64 {
	next := r.size
	for _, c := range r.chunks {
		if c.off > off && c.off < next {
			next = c.off
		}
	}
	return next
}

// Close cancels in-flight GETs, waits for them to end and returns every
// buffer to the budget. Later reads fail with ErrClosed. It is idempotent.
func (r *Reader) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.cancel()
	r.resetStreamLocked()
	for len(r.chunks) > 0 {
		r.dropLocked(r.chunks[0])
	}
	r.mu.Unlock()
	r.wg.Wait()
	if r.private {
		r.budget.Trim()
	}
	return nil
}
