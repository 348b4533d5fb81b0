package ossapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/ossapi"
)

func okHead(w http.ResponseWriter) {
	w.Header().Set("Content-Length", "42")
	w.Header().Set("ETag", `"5EB63BBBE01EEED093CB22BB8F5ACDC3"`)
	w.Header().Set("Last-Modified", "Fri, 24 Feb 2012 06:07:48 GMT")
	w.Header().Set("x-oss-object-type", "Normal")
	w.Header().Set("x-oss-storage-class", "Archive")
	w.Header().Set("x-oss-restore", `ongoing-request="true"`)
	w.Header().Set("x-oss-meta-Mtime", "1700000000")
}

func TestHeadObject(t *testing.T) {
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "HEAD" || r.URL.EscapedPath() != "/bucket/k" {
			t.Errorf("got %s %s", r.Method, r.URL.EscapedPath())
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "OSS4-HMAC-SHA256 Credential="+testAK+"/") {
			t.Errorf("Authorization %q", r.Header.Get("Authorization"))
		}
		if r.Header.Get("x-oss-security-token") != testToken {
			t.Errorf("no security token header")
		}
		okHead(w)
	}))
	info, err := c.HeadObject(t.Context(), "k")
	if err != nil {
		t.Fatal(err)
	}
	want := ossapi.ObjectInfo{Key: "k", Size: 42, ETag: `"5EB63BBBE01EEED093CB22BB8F5ACDC3"`,
		LastModified: time.Date(2012, 2, 24, 6, 7, 48, 0, time.UTC), ObjectType: "Normal", StorageClass: "Archive",
		Restore: `ongoing-request="true"`, Metadata: map[string]string{"mtime": "1700000000"}}
	if info.Key != want.Key || info.Size != want.Size || info.ETag != want.ETag || !info.LastModified.Equal(want.LastModified) ||
		info.ObjectType != want.ObjectType || info.StorageClass != want.StorageClass || info.Restore != want.Restore ||
		info.Metadata["mtime"] != "1700000000" || len(info.Metadata) != 1 {
		t.Errorf("got %+v\nwant %+v", info, want)
	}
}

func TestV1Signing(t *testing.T) {
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "OSS "+testAK+":") || r.Header.Get("Date") == "" {
			t.Errorf("Authorization %q Date %q", r.Header.Get("Authorization"), r.Header.Get("Date"))
		}
		okHead(w)
	}), func(cfg *ossapi.Config) { cfg.SignatureVersion = 1 })
	if _, err := c.HeadObject(t.Context(), "k"); err != nil {
		t.Fatal(err)
	}
}

func TestRetriesServerErrorsThenSucceeds(t *testing.T) {
	for _, status := range []int{500, 503, 429} {
		var n counter
		c := newClient(t, n.wrap(func(w http.ResponseWriter, r *http.Request) {
			if n.n.Load() <= 2 {
				writeError(w, status, "InternalError", "boom")
				return
			}
			okHead(w)
		}))
		if _, err := c.HeadObject(t.Context(), "k"); err != nil {
			t.Fatalf("%d: %v", status, err)
		}
		if got := n.n.Load(); got != 3 {
			t.Errorf("%d: %d requests, want 3", status, got)
		}
	}
}

func TestRetriesAreBounded(t *testing.T) {
	var n counter
	c := newClient(t, n.wrap(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 503, "ServiceUnavailable", "busy")
	}))
	_, err := c.HeadObject(t.Context(), "k")
	var se *ossapi.ServiceError
	if !errors.As(err, &se) || se.StatusCode != 503 {
		t.Fatalf("err = %v, want 503 ServiceError", err)
	}
	if got := n.n.Load(); got != 4 {
		t.Errorf("%d requests, want MaxAttempts=4", got)
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	tests := []struct {
		status   int
		code     string
		sentinel error
	}{
		{403, "AccessDenied", ossapi.ErrAccessDenied},
		{404, "NoSuchKey", ossapi.ErrNotFound},
		{404, "NoSuchBucket", ossapi.ErrNoSuchBucket},
		{403, "SignatureDoesNotMatch", ossapi.ErrInvalidCredentials},
		{403, "RequestTimeTooSkewed", ossapi.ErrClockSkew},
		{403, "InvalidObjectState", ossapi.ErrNotRestored},
		{412, "PreconditionFailed", ossapi.ErrPreconditionFailed},
		{400, "NotSymlink", ossapi.ErrNotSymlink},
		{403, "SecurityTokenExpired", ossapi.ErrInvalidCredentials}, // static provider: no Refresher
	}
	for _, tt := range tests {
		var n counter
		c := newClient(t, n.wrap(func(w http.ResponseWriter, r *http.Request) { writeError(w, tt.status, tt.code, "msg") }))
		_, _, err := c.GetObject(t.Context(), ossapi.GetRequest{Key: "k", Length: -1})
		if !errors.Is(err, tt.sentinel) {
			t.Errorf("%s: err %v does not match %v", tt.code, err, tt.sentinel)
		}
		var se *ossapi.ServiceError
		if !errors.As(err, &se) || se.Code != tt.code || se.StatusCode != tt.status || se.RequestID != "5C3D9175B6FC201293AD4890" {
			t.Errorf("%s: err %#v", tt.code, err)
		}
		if got := n.n.Load(); got != 1 {
			t.Errorf("%s: %d requests, want 1", tt.code, got)
		}
		if errors.Is(err, ossapi.ErrUnreachable) {
			t.Errorf("%s: service error matches ErrUnreachable", tt.code)
		}
	}
}

// refresher counts Invalidate calls and hands out a new token afterwards.
type refresher struct {
	invalidated atomic.Int64
}

func (p *refresher) Credentials(context.Context) (creds.Credentials, error) {
	c := testCreds
	if p.invalidated.Load() > 0 {
		c.SecurityToken = "fresh"
	}
	return c, nil
}
func (p *refresher) Invalidate() { p.invalidated.Add(1) }

func TestCredentialsErrorRetriedOnceAfterInvalidate(t *testing.T) {
	for _, code := range []string{"SecurityTokenExpired", "InvalidAccessKeyId", "InvalidSecurityToken"} {
		var n counter
		p := &refresher{}
		c := newClient(t, n.wrap(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("x-oss-security-token") != "fresh" {
				writeError(w, 403, code, "expired")
				return
			}
			okHead(w)
		}), func(cfg *ossapi.Config) { cfg.Credentials = p })
		if _, err := c.HeadObject(t.Context(), "k"); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		if n.n.Load() != 2 || p.invalidated.Load() != 1 {
			t.Errorf("%s: %d requests, %d invalidations; want 2, 1", code, n.n.Load(), p.invalidated.Load())
		}
	}
}

func TestCredentialsErrorRetriedOnlyOnce(t *testing.T) {
	var n counter
	p := &refresher{}
	c := newClient(t, n.wrap(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 403, "SecurityTokenExpired", "expired")
	}), func(cfg *ossapi.Config) { cfg.Credentials = p })
	_, err := c.HeadObject(t.Context(), "k")
	if !errors.Is(err, ossapi.ErrInvalidCredentials) {
		t.Fatalf("err = %v", err)
	}
	if n.n.Load() != 2 || p.invalidated.Load() != 1 {
		t.Errorf("%d requests, %d invalidations; want 2, 1", n.n.Load(), p.invalidated.Load())
	}
}

func TestCancelStopsRetrying(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var n counter
	c := newClient(t, n.wrap(func(w http.ResponseWriter, r *http.Request) {
		cancel() // the client is now sleeping a long backoff
		writeError(w, 503, "ServiceUnavailable", "busy")
	}), func(cfg *ossapi.Config) {
		cfg.Retry = ossapi.RetryPolicy{MaxAttempts: 10, BaseDelay: time.Hour, MaxDelay: time.Hour, MaxElapsed: 10 * time.Hour}
	})
	_, err := c.HeadObject(ctx, "k")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n.n.Load() != 1 {
		t.Errorf("%d requests after cancel, want 1", n.n.Load())
	}
}

func TestHeadErrorFromHeader(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?><Error xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com"><Code>InvalidTargetType</Code><Message>The symbolic's target file type is invalid</Message><RequestId>R1</RequestId><EC>0026-00000011</EC></Error>`
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-oss-err", base64.StdEncoding.EncodeToString([]byte(doc)))
		w.WriteHeader(400)
	}))
	_, err := c.HeadObject(t.Context(), "k")
	var se *ossapi.ServiceError
	if !errors.As(err, &se) || se.Code != "InvalidTargetType" || se.EC != "0026-00000011" || se.RequestID != "R1" || se.Op != "HeadObject" {
		t.Fatalf("err = %#v", err)
	}
}

func TestUnparseableErrorBodies(t *testing.T) {
	bodies := map[string]string{
		"html":    "<html><body><h1>502 Bad Gateway</h1></body></html>",
		"garbage": "\x00\x01not xml at all",
		"empty":   "",
		"long":    strings.Repeat("x", 10000),
	}
	for name, body := range bodies {
		var n counter
		c := newClient(t, n.wrap(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			w.Write([]byte(body))
		}), func(cfg *ossapi.Config) { cfg.Retry.MaxAttempts = 1 })
		_, err := c.ListObjectsV2(t.Context(), ossapi.ListRequest{Prefix: "p/"})
		var se *ossapi.ServiceError
		if !errors.As(err, &se) || se.StatusCode != 502 || se.Code != "" {
			t.Fatalf("%s: err = %#v", name, err)
		}
		if name != "empty" && !strings.Contains(se.Message, "unparseable error response") {
			t.Errorf("%s: message %q", name, se.Message)
		}
		if len(err.Error()) > 400 {
			t.Errorf("%s: error message not truncated: %d bytes", name, len(err.Error()))
		}
	}
}

func TestTransportErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // now refused
	c, err := ossapi.New(ossapi.Config{Endpoint: "http://" + addr, Region: "cn-hangzhou", Bucket: "bucket",
		Credentials: creds.Static(testCreds), Retry: ossapi.RetryPolicy{BaseDelay: time.Microsecond, MaxDelay: time.Microsecond}})
	if err != nil {
		t.Fatal(err)
	}
	err = c.CheckAccess(t.Context())
	var te *ossapi.TransportError
	var op *net.OpError
	var se *ossapi.ServiceError
	if !errors.As(err, &te) || !errors.As(err, &op) || !errors.Is(err, ossapi.ErrUnreachable) || errors.As(err, &se) {
		t.Fatalf("err = %v (%T)", err, err)
	}
}

func TestResetIsRetried(t *testing.T) {
	var n counter
	c := newClient(t, n.wrap(func(w http.ResponseWriter, r *http.Request) {
		if n.n.Load() == 1 {
			resetConn(t, w)
			return
		}
		okHead(w)
	}))
	if _, err := c.HeadObject(t.Context(), "k"); err != nil {
		t.Fatal(err)
	}
	if n.n.Load() != 2 {
		t.Errorf("%d requests, want 2", n.n.Load())
	}
}

// Secrets never reach errors or logs, even at debug level.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
	}), func(cfg *ossapi.Config) {
		cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	_, err := c.HeadObject(t.Context(), "k")
	if err == nil {
		t.Fatal("no error")
	}
	all := err.Error() + logs.String()
	for _, s := range []string{testSecret, testToken, "Authorization", "OSS4-HMAC"} {
		if strings.Contains(all, s) {
			t.Errorf("%q leaked: %s", s, all)
		}
	}
	if !strings.Contains(logs.String(), `"code":"SignatureDoesNotMatch"`) || !strings.Contains(logs.String(), `"request_id":"5C3D9175B6FC201293AD4890"`) {
		t.Errorf("log lacks code/request id: %s", logs.String())
	}
}
