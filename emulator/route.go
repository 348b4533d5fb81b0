package emulator

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ossReq is a parsed OSS request.
type ossReq struct {
	bucket string
	key    string // raw (decoded) object key; empty for bucket-level calls
	query  url.Values
	api    string // counter name, e.g. "GetObject"
	action string // RAM action checked against STS policies
}

// resource is the RAM resource the request acts on.
func (q *ossReq) resource() string {
	if q.key == "" {
		return "acs:oss:*:" + accountID + ":" + q.bucket
	}
	return "acs:oss:*:" + accountID + ":" + q.bucket + "/" + q.key
}

// accountID is the owner account of every emulated bucket and role.
const accountID = "1234567890123456"

// statusWriter records the status and body size for the request log.
//
// onLast, when set, runs once just before the write that completes the
// announced Content-Length, with those bytes already counted. The handler
// records the request there: once the client holds the whole body it may
// ask for Requests or BytesSent at once, and the entry must be there (a
// record in the handler's defer would race with a large body, which
// net/http writes through while the handler is still running).
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	onLast func()
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.onLast != nil && w.completes(len(p)) {
		f := w.onLast
		w.onLast = nil
		w.bytes += int64(len(p)) // counted as sent: see onLast
		f()
		return w.ResponseWriter.Write(p)
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// completes reports whether writing n more bytes reaches the announced
// Content-Length.
func (w *statusWriter) completes(n int) bool {
	cl, err := strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64)
	return err == nil && n > 0 && w.bytes+int64(n) >= cl
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// serveOSS is the raw OSS handler: no mux, so keys keep //, . and ..
func (s *Server) serveOSS(rw http.ResponseWriter, r *http.Request) {
	w := &statusWriter{ResponseWriter: rw}
	h := w.Header()
	h.Set("x-oss-request-id", s.requestID())
	h.Set("Date", s.now().UTC().Format(http1123))
	h.Set("Server", "AliyunOSS")

	q, perr := s.parseOSS(r)
	entry := LogEntry{Method: r.Method, API: q.api, Bucket: q.bucket, Key: q.key, Range: r.Header.Get("Range")}
	s.metrics.count(q.api)
	recorded := false
	record := func() {
		if recorded {
			return
		}
		recorded = true
		entry.Status, entry.Bytes = w.status, w.bytes
		if q.api == "GetObject" && (w.status == http.StatusOK || w.status == http.StatusPartialContent) {
			s.metrics.bytes.Add(w.bytes)
		}
		s.metrics.record(entry)
	}
	w.onLast = record
	defer record()

	f, d := s.faults.next()
	if f.Latency > 0 && !sleepCtx(r, f.Latency) {
		return
	}
	switch d.errStatus {
	case 500:
		writeError(w, r, errInternal)
		return
	case 503:
		writeError(w, r, errUnavailable)
		return
	case 429:
		writeError(w, r, errThrottled)
		return
	}
	if perr != nil {
		writeError(w, r, perr)
		return
	}
	id, aerr := s.authenticate(r, q)
	if aerr != nil {
		writeError(w, r, aerr)
		return
	}
	entry.AccessKeyID = id.accessKeyID
	if !id.allows(q.action, q.resource()) {
		writeError(w, r, errPolicyDenied)
		return
	}
	b := s.store.bucket(q.bucket)
	if b == nil && q.api != "PutBucket" {
		writeError(w, r, errNoSuchBucket.with("BucketName", q.bucket))
		return
	}
	switch q.api {
	case "GetObject":
		s.getObject(w, r, b, q, d, f)
	case "HeadObject":
		s.getObject(w, r, b, q, draw{}, f)
	case "GetObjectMeta":
		s.getObjectMeta(w, r, b, q)
	case "PutObject":
		s.putObject(w, r, b, q)
	case "DeleteObject":
		b.delete(q.key)
		w.WriteHeader(http.StatusNoContent)
	case "GetSymlink":
		s.getSymlink(w, r, b, q)
	case "PutSymlink":
		s.putSymlink(w, r, b, q)
	case "ListObjects", "ListObjectsV2":
		s.listObjects(w, r, b, q)
	case "GetBucketInfo":
		s.getBucketInfo(w, r, b, q)
	case "PutBucket":
		if err := s.CreateBucket(q.bucket); err != nil {
			writeError(w, r, errInvalidBucket.with("BucketName", q.bucket))
			return
		}
		w.WriteHeader(http.StatusOK)
	default:
		writeError(w, r, errNotImplemented)
	}
}

// sleepCtx waits d or until the client goes away; false if it went away.
func sleepCtx(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// parseOSS finds bucket and key (virtual-hosted when the first Host label
// names an existing bucket, else path-style) and the API. The key is
// unescaped from the raw path so %2F, +, // and dot segments survive.
func (s *Server) parseOSS(r *http.Request) (*ossReq, *ossError) {
	q := &ossReq{api: "Unknown"}
	var err error
	if q.query, err = url.ParseQuery(r.URL.RawQuery); err != nil {
		return q, invalidArg("The query string is malformed.", "query", r.URL.RawQuery)
	}
	esc := r.URL.EscapedPath()
	if !strings.HasPrefix(esc, "/") {
		return q, invalidArg("The request path is malformed.", "path", esc)
	}
	esc = esc[1:]
	if b := s.vhostBucket(r.Host); b != "" {
		q.bucket = b
		if q.key, err = url.PathUnescape(esc); err != nil {
			return q, errInvalidKey
		}
	} else {
		bkt, rest, hasKey := strings.Cut(esc, "/")
		if q.bucket, err = url.PathUnescape(bkt); err != nil {
			return q, errInvalidBucket
		}
		if hasKey {
			if q.key, err = url.PathUnescape(rest); err != nil {
				return q, errInvalidKey
			}
		}
	}
	q.api, q.action = classify(r.Method, q)
	if q.bucket == "" {
		return q, errNotImplemented
	}
	if !validBucketName(q.bucket) {
		return q, errInvalidBucket.with("BucketName", q.bucket)
	}
	if len(q.key) > 1023 {
		return q, errInvalidKey
	}
	if q.api == "MethodNotAllowed" {
		return q, errMethod
	}
	return q, nil
}

func (s *Server) vhostBucket(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if net.ParseIP(host) != nil {
		return ""
	}
	label, _, ok := strings.Cut(host, ".")
	if !ok || s.store.bucket(label) == nil {
		return ""
	}
	return label
}

// classify names the API and the RAM action of a request.
func classify(method string, q *ossReq) (api, action string) {
	has := func(name string) bool { _, ok := q.query[name]; return ok }
	if q.bucket == "" {
		return "ListBuckets", "oss:ListBuckets"
	}
	if q.key == "" {
		switch {
		case method == http.MethodGet && has("bucketInfo"):
			return "GetBucketInfo", "oss:GetBucketInfo"
		case method == http.MethodGet && q.query.Get("list-type") == "2":
			return "ListObjectsV2", "oss:ListObjects"
		case method == http.MethodGet && len(q.query) == 0 || method == http.MethodGet && !hasSubresource(q.query):
			return "ListObjects", "oss:ListObjects"
		case method == http.MethodPut && len(q.query) == 0:
			return "PutBucket", "oss:PutBucket"
		}
		return "UnsupportedBucketOperation", "oss:Unsupported"
	}
	switch method {
	case http.MethodGet:
		if has("symlink") {
			return "GetSymlink", "oss:GetObject"
		}
		return "GetObject", "oss:GetObject"
	case http.MethodHead:
		if has("objectMeta") {
			return "GetObjectMeta", "oss:GetObject"
		}
		return "HeadObject", "oss:GetObject"
	case http.MethodPut:
		if has("symlink") {
			return "PutSymlink", "oss:PutObject"
		}
		return "PutObject", "oss:PutObject"
	case http.MethodDelete:
		return "DeleteObject", "oss:DeleteObject"
	}
	return "MethodNotAllowed", "oss:Unsupported"
}

// hasSubresource reports a bucket sub-resource other than the list
// parameters (and the presign parameters), i.e. not a plain ListObjects.
func hasSubresource(v url.Values) bool {
	for name := range v {
		switch name {
		case "prefix", "marker", "delimiter", "max-keys", "encoding-type",
			"OSSAccessKeyId", "Expires", "Signature", "security-token":
			continue
		}
		if strings.HasPrefix(name, "x-oss-") {
			continue
		}
		return true
	}
	return false
}
