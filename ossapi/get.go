package ossapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// GetObject streams bytes [Offset, Offset+Length) of the object (to its end
// when Length < 0). The returned ObjectInfo has the whole object's Size.
// The reader lives as long as ctx: cancelling ctx ends the stream. If the
// body breaks, the reader resumes with a ranged GET pinned to the ETag it
// started with; if the object changed meanwhile, Read fails with an error
// matching ErrPreconditionFailed. Reading at or past the end of the object
// gives an empty stream. The reader is not safe for concurrent use.
func (c *Client) GetObject(ctx context.Context, gr GetRequest) (io.ReadCloser, ObjectInfo, error) {
	if gr.Key == "" {
		return nil, ObjectInfo{}, errors.New("get: empty key")
	}
	if gr.Offset < 0 {
		return nil, ObjectInfo{}, fmt.Errorf("get %q: negative offset %d", gr.Key, gr.Offset)
	}
	if gr.Length == 0 {
		info, err := c.HeadObject(ctx, gr.Key)
		if err != nil {
			return nil, ObjectInfo{}, err
		}
		if gr.IfMatch != "" && info.ETag != gr.IfMatch {
			return nil, ObjectInfo{}, fmt.Errorf("get %q: etag is %s, not %s: %w", gr.Key, info.ETag, gr.IfMatch, ErrPreconditionFailed)
		}
		return io.NopCloser(strings.NewReader("")), info, nil
	}
	r := &objectReader{c: c, ctx: ctx, key: gr.Key, etag: gr.IfMatch, pos: gr.Offset, end: -1}
	if gr.Length > 0 {
		r.end = gr.Offset + gr.Length
		if r.end < gr.Offset {
			return nil, ObjectInfo{}, fmt.Errorf("get %q: offset+length overflows", gr.Key)
		}
	}
	info, err := r.open(true)
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	r.startWatch()
	return r, info, nil
}

// rangeHeader is the Range value for [pos, end), "" for the whole object.
func rangeHeader(pos, end int64) string {
	switch {
	case end < 0 && pos == 0:
		return ""
	case end < 0:
		return "bytes=" + strconv.FormatInt(pos, 10) + "-"
	default:
		return "bytes=" + strconv.FormatInt(pos, 10) + "-" + strconv.FormatInt(end-1, 10)
	}
}

// parseContentRange parses "bytes first-last/total".
func parseContentRange(s string) (first, last, total int64, err error) {
	bad := fmt.Errorf("%w: bad Content-Range %q", ErrMalformedResponse, s)
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), "bytes ")
	if !ok {
		return 0, 0, 0, bad
	}
	rng, tot, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, 0, 0, bad
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return 0, 0, 0, bad
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	total, err3 := strconv.ParseInt(tot, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || first < 0 || last < first || total <= last {
		return 0, 0, 0, bad
	}
	return first, last, total, nil
}

// totalFromUnsatisfied reads N from a 416's "bytes */N", or -1.
func totalFromUnsatisfied(h http.Header) int64 {
	s, ok := strings.CutPrefix(h.Get("Content-Range"), "bytes */")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}
