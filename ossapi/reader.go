package ossapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// errStalled marks a body read cancelled by the stall watchdog.
var errStalled = errors.New("body read stalled")

// objectReader is the resuming GetObject body. It tracks the absolute
// position reached, so after a failure it can ask for exactly the rest.
//
// INVARIANT: bytes handed to the caller are bytes [start, pos) of the
// object version named by etag, in order.
type objectReader struct {
	c    *Client
	ctx  context.Context
	key  string
	etag string // pinned version; resumes send If-Match with it
	pos  int64  // next absolute offset to deliver
	end  int64  // exclusive end, -1 while unknown (chunked whole-object GET)

	body    io.ReadCloser
	trimmed bool  // body continues past end on purpose (200 to a ranged GET)
	eof     bool  // body already returned io.EOF
	fails   int   // consecutive body failures without progress
	err     error // sticky: io.EOF or the final error
	probe   [1]byte

	// Stall watchdog. readStart is the UnixNano a body Read began, 0 when
	// none is in progress.
	readStart atomic.Int64
	stalled   atomic.Bool
	mu        sync.Mutex
	cancel    context.CancelFunc // GUARDED_BY(mu); cancels the current body's request
	timer     *time.Timer        // GUARDED_BY(mu); nil when stopped
	closed    bool               // GUARDED_BY(mu)
}

// open issues the GET for [pos, end) and installs its body. On the first
// open it returns the object's info; on a resume it checks the answer is
// the same object version.
func (r *objectReader) open(first bool) (ObjectInfo, error) {
	h := http.Header{}
	rng := rangeHeader(r.pos, r.end)
	if rng != "" {
		h.Set("Range", rng)
		// Standard behaviour: an end past the size is clamped (206) instead
		// of the whole object being sent with 200.
		h.Set("X-Oss-Range-Behavior", "standard")
	}
	if r.etag != "" {
		h.Set("If-Match", r.etag)
	}
	reqCtx, cancel := context.WithCancel(r.ctx)
	resp, err := r.c.do(reqCtx, &call{op: "GetObject", key: r.key, errKey: r.key, method: "GET", header: h,
		okStatus: func(s int) bool { return s == 200 || s == 206 || s == 416 && rng != "" }})
	if err != nil {
		cancel()
		return ObjectInfo{}, err
	}
	info, err := r.accept(resp, first)
	if err != nil {
		drainClose(resp.Body)
		cancel()
		return ObjectInfo{}, fmt.Errorf("get %q: %w", r.key, err)
	}
	if resp.StatusCode == http.StatusRequestedRangeNotSatisfiable {
		drainClose(resp.Body) // an error document, not object bytes
		cancel()
		return info, nil
	}
	r.mu.Lock()
	r.cancel = cancel
	r.mu.Unlock()
	r.body, r.eof, r.trimmed = resp.Body, false, false
	r.stalled.Store(false)
	return info, r.skipIfWhole(resp)
}

// accept validates resp against what was asked and returns the object info.
func (r *objectReader) accept(resp *http.Response, first bool) (ObjectInfo, error) {
	info, err := infoFromHeader(r.key, resp.Header)
	if err != nil {
		return ObjectInfo{}, err
	}
	if r.etag != "" && info.ETag != "" && info.ETag != r.etag {
		return ObjectInfo{}, fmt.Errorf("etag changed from %s to %s: %w", r.etag, info.ETag, ErrPreconditionFailed)
	}
	switch resp.StatusCode {
	case http.StatusRequestedRangeNotSatisfiable:
		// Start at or past the end: an empty read, as read(2) past EOF.
		if !first {
			return ObjectInfo{}, fmt.Errorf("%w: 416 on resume at byte %d", ErrMalformedResponse, r.pos)
		}
		info.Size = totalFromUnsatisfied(resp.Header)
		r.end = r.pos
	case http.StatusPartialContent:
		a, b, total, err := parseContentRange(resp.Header.Get("Content-Range"))
		if err != nil {
			return ObjectInfo{}, err
		}
		want := total
		if r.end >= 0 && r.end < total {
			want = r.end
		}
		if a != r.pos || b != want-1 {
			return ObjectInfo{}, fmt.Errorf("%w: asked for %s, got Content-Range %q",
				ErrMalformedResponse, rangeHeader(r.pos, r.end), resp.Header.Get("Content-Range"))
		}
		if resp.ContentLength >= 0 && resp.ContentLength != b-a+1 {
			return ObjectInfo{}, fmt.Errorf("%w: Content-Length %d does not match Content-Range %q",
				ErrMalformedResponse, resp.ContentLength, resp.Header.Get("Content-Range"))
		}
		info.Size = total
		r.end = b + 1
	default: // 200: the whole object
		info.Size = resp.ContentLength
		if info.Size < 0 && (r.pos > 0 || r.end >= 0 || !first) {
			return ObjectInfo{}, fmt.Errorf("%w: whole-object answer without Content-Length to a ranged GET", ErrMalformedResponse)
		}
		if info.Size >= 0 && (r.end < 0 || r.end > info.Size) {
			r.end = info.Size
		}
	}
	if r.etag == "" {
		r.etag = info.ETag
	}
	return info, nil
}

// skipIfWhole handles a 200 answer to a ranged request: it discards the
// bytes before pos, so the caller still gets exactly what it asked for.
func (r *objectReader) skipIfWhole(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	// Bytes past end are expected here, not a protocol violation.
	r.trimmed = r.pos > 0 || resp.ContentLength > r.end
	if r.pos == 0 {
		return nil
	}
	if r.pos >= r.end {
		r.closeBody() // nothing of it is wanted
		return nil
	}
	r.c.log.Debug("oss answered a ranged GET with the whole object; skipping", "key", r.key, "offset", r.pos)
	if _, err := io.CopyN(io.Discard, r.body, r.pos); err != nil {
		r.closeBody()
		if err == io.EOF {
			err = io.ErrUnexpectedEOF // a short body, not the end of the data asked for
		}
		return fmt.Errorf("get %q: skip to offset %d of a whole-object answer: %w", r.key, r.pos, err)
	}
	return nil
}

// Read delivers the next bytes, resuming the body after transient failures.
func (r *objectReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if r.end >= 0 && r.pos >= r.end {
			r.err = r.finish()
			return 0, r.err
		}
		if r.body == nil {
			if err := r.resume(); err != nil {
				r.err = err
				if r.ctx.Err() == nil {
					r.c.log.Debug("oss GetObject resume failed", "key", r.key, "offset", r.pos, "error", err.Error())
				}
				return 0, err
			}
		}
		q := p
		if r.end >= 0 && int64(len(q)) > r.end-r.pos {
			q = q[:r.end-r.pos]
		}
		n, err := r.readBody(q)
		r.pos += int64(n)
		if n > 0 {
			r.fails = 0
		}
		switch {
		case err == nil:
			return n, nil
		case err == io.EOF && r.end < 0:
			r.closeBody()
			r.err = io.EOF
			return n, io.EOF
		case err == io.EOF && r.pos >= r.end:
			r.eof = true
			return n, nil
		case err == io.EOF:
			err = fmt.Errorf("body ended at byte %d of %d: %w", r.pos, r.end, io.ErrUnexpectedEOF)
		}
		if r.stalled.Load() {
			err = fmt.Errorf("%w for %v at byte %d", errStalled, r.c.stall, r.pos)
		}
		r.closeBody()
		if cerr := r.ctx.Err(); cerr != nil {
			r.err = fmt.Errorf("get %q: %w", r.key, cerr)
			return n, r.err
		}
		r.fails++
		if r.fails > r.c.retry.MaxAttempts {
			r.err = fmt.Errorf("get %q: body failed %d times at byte %d: %w", r.key, r.fails, r.pos, err)
			r.c.log.Debug("oss GetObject body keeps failing; giving up", "key", r.key, "offset", r.pos, "error", err.Error())
			return n, r.err
		}
		r.c.log.Debug("oss GetObject body failed; resuming", "key", r.key, "offset", r.pos, "error", err.Error())
		if n > 0 {
			return n, nil
		}
	}
}

// readBody reads once from the body with the stall watchdog armed.
func (r *objectReader) readBody(q []byte) (int, error) {
	if r.c.stall <= 0 {
		return r.body.Read(q)
	}
	r.readStart.Store(time.Now().UnixNano())
	n, err := r.body.Read(q)
	r.readStart.Store(0)
	return n, err
}

// resume reopens the body at pos after a failure, pinned to the ETag.
func (r *objectReader) resume() error {
	if r.etag == "" {
		return fmt.Errorf("get %q: body failed at byte %d and the object has no ETag to resume safely", r.key, r.pos)
	}
	if r.fails > 1 {
		if err := sleepCtx(r.ctx, r.c.backoff(r.fails-1)); err != nil {
			return fmt.Errorf("get %q: %w", r.key, err)
		}
	}
	r.c.obs.ObserveRetry("GetObject") // a resume is a retry of the broken body
	if _, err := r.open(false); err != nil {
		return fmt.Errorf("get %q: resume at byte %d: %w", r.key, r.pos, err)
	}
	return nil
}

// finish is called once pos reached end: it makes sure the service did not
// send more than it announced, then reports io.EOF.
func (r *objectReader) finish() error {
	defer r.Close()
	if r.body == nil || r.eof || r.trimmed {
		return io.EOF
	}
	n, err := r.readBody(r.probe[:])
	if n > 0 {
		return fmt.Errorf("get %q: %w: body longer than the %d bytes announced", r.key, ErrMalformedResponse, r.end)
	}
	_ = err // the data is complete; a late error on the connection does not matter
	return io.EOF
}

func (r *objectReader) closeBody() {
	if r.body != nil {
		r.body.Close()
		r.body = nil
	}
	r.mu.Lock()
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
	r.mu.Unlock()
}

// Close releases the body and stops the watchdog. Safe to call twice.
func (r *objectReader) Close() error {
	r.closeBody()
	r.mu.Lock()
	r.closed = true
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	r.mu.Unlock()
	if r.err == nil {
		r.err = errors.New("read of closed object reader")
	}
	return nil
}

// startWatch arms the stall watchdog: a timer that looks every quarter of
// the stall timeout for a body Read that has been blocked too long and
// cancels its request, so Read sees an error and resumes.
func (r *objectReader) startWatch() {
	if r.c.stall <= 0 {
		return
	}
	tick := max(r.c.stall/4, time.Millisecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	var check func()
	check = func() {
		if s := r.readStart.Load(); s != 0 && time.Since(time.Unix(0, s)) >= r.c.stall {
			r.stalled.Store(true)
			r.mu.Lock()
			if r.cancel != nil {
				r.cancel()
			}
			r.mu.Unlock()
		}
		r.mu.Lock()
		if !r.closed && r.timer != nil {
			r.timer.Reset(tick)
		}
		r.mu.Unlock()
	}
	r.timer = time.AfterFunc(tick, check)
}

func drainClose(b io.ReadCloser) {
	io.Copy(io.Discard, io.LimitReader(b, 4<<10))
	b.Close()
}
