package ossapi

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/internal/pct"
)

// Client is a read-only OSS client for one bucket. Safe for concurrent use.
type Client struct {
	ep        endpoint
	region    string
	bucket    string
	pathStyle bool
	sigV      int
	creds     creds.Provider
	hc        *http.Client
	retry     RetryPolicy
	ua        string
	now       func() time.Time
	stall     time.Duration
	log       *slog.Logger
	obs       RequestObserver

	randMu sync.Mutex
	rand   *rand.Rand // GUARDED_BY(randMu); backoff jitter
}

// New validates cfg and returns a Client. It makes no request.
func New(cfg Config) (*Client, error) {
	ep, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("ossapi: %w", err)
	}
	if err := validBucket(cfg.Bucket); err != nil {
		return nil, fmt.Errorf("ossapi: %w", err)
	}
	if cfg.Credentials == nil {
		return nil, errors.New("ossapi: no credentials provider")
	}
	sigV := cfg.SignatureVersion
	switch sigV {
	case 0:
		sigV = 4
	case 1, 4:
	default:
		return nil, fmt.Errorf("ossapi: signature version %d: must be 1 or 4", sigV)
	}
	region := strings.TrimSpace(cfg.Region)
	if region == "" {
		if r, ok := regionFromHost(ep.host); ok {
			region = r
		} else if sigV == 4 {
			return nil, fmt.Errorf("ossapi: cannot derive the region from endpoint %q; set the region explicitly (V4 signing needs it)", cfg.Endpoint)
		}
	}
	rt := cfg.Transport
	if rt == nil {
		rt = sharedTransport
	}
	c := &Client{
		ep:        ep,
		region:    region,
		bucket:    cfg.Bucket,
		pathStyle: cfg.PathStyle || ep.ipHost,
		sigV:      sigV,
		creds:     cfg.Credentials,
		// No client timeout: bodies stream for as long as they progress.
		hc:    &http.Client{Transport: rt, CheckRedirect: noRedirect},
		retry: cfg.Retry.withDefaults(),
		ua:    cfg.UserAgent,
		now:   cfg.Now,
		stall: cfg.StallTimeout,
		log:   cfg.Logger,
		obs:   cfg.Observer,
		rand:  rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
	if c.ua == "" {
		c.ua = defaultUserAgent
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.stall == 0 {
		c.stall = defaultStallTimeout
	}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.obs == nil {
		c.obs = nopObserver{}
	}
	return c, nil
}

// A redirect would need re-signing for another host; OSS does not redirect
// reads, so surface the 3xx as an error instead.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Bucket returns the bucket name.
func (c *Client) Bucket() string { return c.bucket }

// Region returns the signing region (may be empty with V1 on a custom endpoint).
func (c *Client) Region() string { return c.region }

// Endpoint returns the endpoint as scheme://host[:port].
func (c *Client) Endpoint() string { return c.ep.scheme + "://" + c.ep.host }

// objectURL is the request URL for key ("" for the bucket itself) with an
// already encoded query.
func (c *Client) objectURL(key, rawQuery string) string {
	var b strings.Builder
	b.Grow(len(c.ep.host) + len(c.bucket) + len(key)*3 + len(rawQuery) + 16)
	b.WriteString(c.ep.scheme)
	b.WriteString("://")
	if c.pathStyle {
		b.WriteString(c.ep.host)
		b.WriteString("/")
		b.WriteString(c.bucket)
	} else {
		b.WriteString(c.bucket)
		b.WriteString(".")
		b.WriteString(c.ep.host)
	}
	b.WriteString("/")
	b.WriteString(pct.EncodePath(key))
	if rawQuery != "" {
		b.WriteString("?")
		b.WriteString(rawQuery)
	}
	return b.String()
}

// jitter returns a uniformly random duration in [0, d].
func (c *Client) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	c.randMu.Lock()
	defer c.randMu.Unlock()
	return time.Duration(c.rand.Int64N(int64(d) + 1))
}
