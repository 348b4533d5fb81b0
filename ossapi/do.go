package ossapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/ossapi/signer"
)

// call describes one logical request; do turns it into attempts.
type call struct {
	op       string // API name for errors, logs
	key      string // object key ("" for bucket-level calls)
	errKey   string // what errors name: the key, or the list prefix
	method   string
	rawQuery string      // strictly encoded
	header   http.Header // extra headers, e.g. Range, If-Match
	okStatus func(int) bool
	// slurp > 0 reads the whole body (at most slurp bytes) inside the
	// attempt, so a connection that breaks mid-body is retried like one
	// that broke before the headers.
	slurp int64
}

func ok200(s int) bool { return s == http.StatusOK }

// do sends c with retries and returns a response whose status passed
// okStatus; the caller owns its body. Other answers become *ServiceError,
// failures to get an answer *TransportError.
func (c *Client) do(ctx context.Context, r *call) (*http.Response, error) {
	start := time.Now()
	refreshed := false
	for attempt := 1; ; attempt++ {
		if attempt > 1 || refreshed {
			c.obs.ObserveRetry(r.op)
		}
		resp, err := c.once(ctx, r)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			if retryable(err) {
				// The caller gave up: say so, whatever the last attempt met
				// (it may have answered before the cancellation reached it).
				return nil, fmt.Errorf("oss %s %q: %w (last attempt: %v)", r.op, r.errKey, ctx.Err(), err)
			}
			return nil, err
		}
		var se *ServiceError
		if errors.As(err, &se) && isCredentialsCode(se.Code) && !refreshed {
			if ref, ok := c.creds.(creds.Refresher); ok {
				// The token may have expired or been revoked since the
				// provider cached it: one immediate retry with fresh keys.
				refreshed = true
				c.logFailure(r, attempt, err)
				ref.Invalidate()
				attempt--
				continue
			}
		}
		if !retryable(err) || attempt >= c.retry.MaxAttempts {
			c.logFailure(r, attempt, err)
			return nil, err
		}
		delay := c.backoff(attempt)
		if time.Since(start)+delay > c.retry.MaxElapsed {
			c.logFailure(r, attempt, err)
			return nil, err
		}
		c.logFailure(r, attempt, err)
		if serr := sleepCtx(ctx, delay); serr != nil {
			return nil, fmt.Errorf("oss %s %q: %w (while retrying after: %v)", r.op, r.errKey, serr, err)
		}
	}
}

// once makes a single attempt.
func (c *Client) once(ctx context.Context, r *call) (*http.Response, error) {
	cr, err := c.creds.Credentials(ctx)
	if err != nil {
		return nil, fmt.Errorf("oss %s %q: %w: %w", r.op, r.errKey, ErrCredentialsUnavailable, err)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.objectURL(r.key, r.rawQuery), nil)
	if err != nil {
		return nil, fmt.Errorf("oss %s %q: build request: %w", r.op, r.errKey, err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.ua)
	if c.sigV == 1 {
		signer.SignV1(req, c.bucket, r.key, cr, c.now())
	} else {
		signer.SignV4(req, c.bucket, r.key, c.region, cr, c.now())
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.obs.ObserveAttempt(r.op, 0)
		return nil, &TransportError{Op: r.op, Key: r.errKey, Err: err}
	}
	c.obs.ObserveAttempt(r.op, resp.StatusCode)
	if r.okStatus(resp.StatusCode) {
		if r.slurp > 0 {
			b, err := io.ReadAll(io.LimitReader(resp.Body, r.slurp+1))
			resp.Body.Close()
			if err != nil {
				return nil, &TransportError{Op: r.op, Key: r.errKey, Err: fmt.Errorf("read body: %w", err)}
			}
			if int64(len(b)) > r.slurp {
				return nil, fmt.Errorf("oss %s %q: %w: body larger than %d bytes", r.op, r.errKey, ErrMalformedResponse, r.slurp)
			}
			resp.Body = io.NopCloser(bytes.NewReader(b))
		}
		return resp, nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	return nil, parseError(r.op, r.errKey, resp.StatusCode, resp.Header, body)
}

// backoff is full jitter: uniform in [0, min(Base*2^(attempt-1), Max)].
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retry.BaseDelay
	for i := 1; i < attempt && d < c.retry.MaxDelay; i++ {
		d *= 2
	}
	return c.jitter(min(d, c.retry.MaxDelay))
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// logFailure logs at Debug only: the error is returned, and the caller
// decides what deserves a warning (fs logs one line per failure episode,
// the command's access check prints one line); a warning here too would
// repeat each failed read of an outage.
func (c *Client) logFailure(r *call, attempt int, err error) {
	if !c.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("op", r.op), slog.String("key", r.errKey), slog.Int("attempt", attempt),
	}
	var se *ServiceError
	if errors.As(err, &se) {
		attrs = append(attrs, slog.Int("status", se.StatusCode), slog.String("code", se.Code),
			slog.String("request_id", se.RequestID), slog.String("message", se.Message))
	} else {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.log.LogAttrs(context.Background(), slog.LevelDebug, "oss request failed", attrs...)
}
