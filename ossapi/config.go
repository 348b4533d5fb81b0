package ossapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ossfs/ossfs/creds"
)

// Config configures a Client. Only Endpoint, Bucket and Credentials are
// required; the zero value of every other field picks a sensible default.
type Config struct {
	// Endpoint is a host ("oss-cn-hangzhou.aliyuncs.com", https assumed) or
	// a URL ("http://127.0.0.1:9000"). It must not carry a path.
	Endpoint string
	// Region is the V4 signing region; derived from an aliyuncs.com
	// endpoint when empty.
	Region string
	Bucket string
	// PathStyle sends /bucket/key to the endpoint host instead of using
	// bucket.host. IP-literal endpoints always use path style.
	PathStyle bool
	// SignatureVersion is 4 (default) or 1.
	SignatureVersion int
	Credentials      creds.Provider
	// Transport defaults to one tuned transport shared by all clients.
	Transport http.RoundTripper
	Retry     RetryPolicy
	UserAgent string
	// Now is the signing clock; time.Now when nil.
	Now func() time.Time
	// StallTimeout bounds how long a GET body read may make no progress
	// before the reader resumes with a new request. 0 means 60s; negative
	// disables stall detection.
	StallTimeout time.Duration
	// Logger receives failed attempts and requests, at Debug only: errors
	// are returned, and callers decide what to warn about. Nil discards.
	Logger *slog.Logger
	// Observer, when set, is told about every HTTP attempt and retry (for
	// metrics). Nil observes nothing.
	Observer RequestObserver
}

// RequestObserver watches the client's traffic; *metrics.Registry is one.
// Calls happen on the request path, so implementations must be cheap and
// safe for concurrent use.
type RequestObserver interface {
	// ObserveAttempt follows every HTTP attempt: api is the operation
	// ("GetObject"), status the HTTP status, 0 when no response came.
	ObserveAttempt(api string, status int)
	// ObserveRetry precedes every attempt after the first, the single
	// retry after a credentials refresh included.
	ObserveRetry(api string)
}

// nopObserver keeps the request path free of nil checks.
type nopObserver struct{}

func (nopObserver) ObserveAttempt(string, int) {}
func (nopObserver) ObserveRetry(string)        {}

// RetryPolicy bounds retries. Zero fields take the defaults noted.
type RetryPolicy struct {
	MaxAttempts int           // total attempts per request, 4; 1 disables retries
	MaxElapsed  time.Duration // no new attempt after this much time, 60s
	BaseDelay   time.Duration // first backoff ceiling, 200ms
	MaxDelay    time.Duration // backoff ceiling, 20s
}

const (
	defaultUserAgent    = "ossfs"
	defaultStallTimeout = 60 * time.Second
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 4
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = 60 * time.Second
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 200 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 20 * time.Second
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	return p
}

// endpoint is the parsed Config.Endpoint.
type endpoint struct {
	scheme string
	host   string // host[:port] as given
	ipHost bool   // the host is an IP literal
}

func parseEndpoint(raw string) (endpoint, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return endpoint{}, errors.New("endpoint is empty")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return endpoint{}, fmt.Errorf("endpoint %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return endpoint{}, fmt.Errorf("endpoint %q: scheme must be http or https", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return endpoint{}, fmt.Errorf("endpoint %q: no host", raw)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return endpoint{}, fmt.Errorf("endpoint %q: must be a host or scheme://host[:port], without path, query or credentials", raw)
	}
	return endpoint{
		scheme: u.Scheme,
		host:   strings.ToLower(u.Host),
		ipHost: net.ParseIP(u.Hostname()) != nil,
	}, nil
}

// regionFromHost derives the region from an OSS endpoint host:
// oss-<region>[-internal].aliyuncs.com or <region>.oss.aliyuncs.com.
func regionFromHost(hostport string) (string, bool) {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	rest, ok := strings.CutSuffix(host, ".aliyuncs.com")
	if !ok {
		return "", false
	}
	if r, ok := strings.CutSuffix(rest, ".oss"); ok && !strings.Contains(r, ".") {
		return r, r != ""
	}
	r, ok := strings.CutPrefix(rest, "oss-")
	if !ok || strings.Contains(r, ".") {
		return "", false
	}
	r = strings.TrimSuffix(r, "-internal")
	if r == "" || strings.HasPrefix(r, "accelerate") {
		return "", false
	}
	return r, true
}

// validBucket applies the OSS bucket naming rules.
func validBucket(b string) error {
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("bucket name %q: must be 3 to 63 characters", b)
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return fmt.Errorf("bucket name %q: only lower-case letters, digits and '-' are allowed", b)
		}
	}
	if b[0] == '-' || b[len(b)-1] == '-' {
		return fmt.Errorf("bucket name %q: must not start or end with '-'", b)
	}
	return nil
}
