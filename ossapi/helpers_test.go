package ossapi_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/ossapi"
)

const (
	testAK     = "LTAItestAK"
	testSecret = "testSecretValue-DoNotLeak"
	testToken  = "testTokenValue-DoNotLeak"
)

var testCreds = creds.Credentials{AccessKeyID: testAK, AccessKeySecret: testSecret, SecurityToken: testToken}

// newClient starts h on an httptest server and returns a client for bucket
// "bucket" on it with fast retries.
func newClient(t *testing.T, h http.Handler, mod ...func(*ossapi.Config)) *ossapi.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := ossapi.Config{
		Endpoint:    srv.URL,
		Region:      "cn-hangzhou",
		Bucket:      "bucket",
		Credentials: creds.Static(testCreds),
		Retry:       ossapi.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Microsecond, MaxDelay: time.Millisecond},
		Transport:   srv.Client().Transport,
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := ossapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// counter counts requests that reach a handler.
type counter struct{ n atomic.Int64 }

func (c *counter) wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c.n.Add(1)
		h(w, r)
	}
}

// writeError answers as OSS does: the XML body, and on HEAD (no body) the
// same document base64-encoded in x-oss-err.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	doc := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>%s</Code><Message>%s</Message><RequestId>5C3D9175B6FC201293AD4890</RequestId><HostId>h</HostId><EC>0002-00000001</EC></Error>`, code, msg)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-oss-request-id", "5C3D9175B6FC201293AD4890")
	w.Header().Set("x-oss-err", base64.StdEncoding.EncodeToString([]byte(doc)))
	w.WriteHeader(status)
	io.WriteString(w, doc)
}

// objectServer serves one object with ranges and If-Match the way OSS
// does. before, if set, may take over request n (1-based) and report true.
type objectServer struct {
	mu     sync.Mutex
	data   []byte
	etag   string
	before func(n int, w http.ResponseWriter, r *http.Request) bool
	reqs   []*http.Request // GUARDED_BY(mu)
}

func (s *objectServer) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

func (s *objectServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.reqs = append(s.reqs, r.Clone(context.Background()))
	n := len(s.reqs)
	data, etag := s.data, s.etag
	s.mu.Unlock()
	if s.before != nil && s.before(n, w, r) {
		return
	}
	if im := r.Header.Get("If-Match"); im != "" && im != etag {
		writeError(w, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", "Fri, 24 Feb 2012 06:07:48 GMT")
	w.Header().Set("Content-Type", "application/octet-stream")
	first, last, ok := parseRange(r.Header.Get("Range"), int64(len(data)))
	if !ok {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(200)
		w.Write(data)
		return
	}
	w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, len(data)))
	w.Header().Set("Content-Length", strconv.FormatInt(last-first+1, 10))
	w.WriteHeader(206)
	w.Write(data[first : last+1])
}

// parseRange understands bytes=a-b and bytes=a- with standard clamping.
func parseRange(h string, size int64) (int64, int64, bool) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return 0, 0, false
	}
	a, b, _ := strings.Cut(spec, "-")
	first, err := strconv.ParseInt(a, 10, 64)
	if err != nil || first >= size {
		return 0, 0, false
	}
	last := size - 1
	if b != "" {
		if l, err := strconv.ParseInt(b, 10, 64); err == nil && l < last {
			last = l
		}
	}
	return first, last, true
}

func testData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// dialTo is a transport that connects every request to addr, whatever the
// URL host (virtual-hosted names resolve nowhere in tests).
func dialTo(addr string) http.RoundTripper {
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// resetConn hijacks the connection and closes it with a TCP RST.
func resetConn(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}
