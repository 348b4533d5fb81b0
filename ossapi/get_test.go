package ossapi_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/ossfs/ossfs/ossapi"
)

const testETag = `"5EB63BBBE01EEED093CB22BB8F5ACDC3"`

func get(t *testing.T, c *ossapi.Client, gr ossapi.GetRequest) ([]byte, ossapi.ObjectInfo, error) {
	t.Helper()
	rc, info, err := c.GetObject(t.Context(), gr)
	if err != nil {
		return nil, info, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return b, info, err
}

func TestGetRanges(t *testing.T) {
	data := testData(1000)
	s := &objectServer{data: data, etag: testETag}
	c := newClient(t, s)
	tests := []struct {
		off, n    int64
		want      []byte
		wantRange string
	}{
		{0, -1, data, ""},
		{10, 20, data[10:30], "bytes=10-29"},
		{990, -1, data[990:], "bytes=990-"},
		{990, 100, data[990:], "bytes=990-1089"}, // clamped by the server
		{1000, 10, nil, "bytes=1000-1009"},       // at EOF: empty
	}
	for _, tt := range tests {
		got, info, err := get(t, c, ossapi.GetRequest{Key: "k", Offset: tt.off, Length: tt.n})
		if err != nil {
			t.Fatalf("%d+%d: %v", tt.off, tt.n, err)
		}
		if !bytes.Equal(got, tt.want) || info.Size != 1000 && tt.off < 1000 || info.ETag != testETag {
			t.Errorf("%d+%d: got %d bytes, info %+v", tt.off, tt.n, len(got), info)
		}
		reqs := s.requests()
		r := reqs[len(reqs)-1]
		if r.Header.Get("Range") != tt.wantRange {
			t.Errorf("%d+%d: Range %q, want %q", tt.off, tt.n, r.Header.Get("Range"), tt.wantRange)
		}
	}
}

// A service that ignores the range and sends the whole object with 200:
// the reader skips to the offset and stops at the end asked for.
func TestGetWholeObjectForRange(t *testing.T) {
	data := testData(1000)
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", testETag)
		w.Write(data)
	}))
	for _, tt := range []struct{ off, n int64 }{{100, 50}, {100, -1}, {999, 5}, {1000, -1}, {2000, 3}} {
		got, _, err := get(t, c, ossapi.GetRequest{Key: "k", Offset: tt.off, Length: tt.n})
		end := min(tt.off+tt.n, 1000)
		if tt.n < 0 {
			end = 1000
		}
		var want []byte
		if tt.off < 1000 {
			want = data[tt.off:end]
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%d+%d: %d bytes, %v", tt.off, tt.n, len(got), err)
		}
	}
}

func TestGetRejectsWrongContentRange(t *testing.T) {
	data := testData(100)
	for _, cr := range []string{"bytes 11-20/100", "bytes 10-30/100", "bytes 10-19", "garbage"} {
		c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Range", cr)
			w.WriteHeader(206)
			w.Write(data[10:20])
		}))
		_, _, err := get(t, c, ossapi.GetRequest{Key: "k", Offset: 10, Length: 10})
		if !errors.Is(err, ossapi.ErrMalformedResponse) {
			t.Errorf("%q: err = %v", cr, err)
		}
	}
}

// Chunked encoding lets a server send more than Content-Range says.
func TestGetRejectsLongerBody(t *testing.T) {
	data := testData(100)
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", testETag)
		w.Header().Set("Content-Range", "bytes 10-19/100")
		w.WriteHeader(206)
		w.Write(data[10:25])
	}))
	got, _, err := get(t, c, ossapi.GetRequest{Key: "k", Offset: 10, Length: 10})
	if !errors.Is(err, ossapi.ErrMalformedResponse) {
		t.Fatalf("err = %v, %d bytes", err, len(got))
	}
}

// breakBody sends the first cut bytes of what was asked, announcing the
// full length, and then breaks the connection with how.
func breakBody(t *testing.T, data []byte, cut int, how string) func(n int, w http.ResponseWriter, r *http.Request) bool {
	return func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n != 1 {
			return false
		}
		w.Header().Set("ETag", testETag)
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(200)
		w.Write(data[:cut])
		w.(http.Flusher).Flush()
		switch how {
		case "reset":
			resetConn(t, w)
		case "close":
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
		case "stall":
			<-r.Context().Done()
		}
		return true
	}
}

func TestGetResumes(t *testing.T) {
	data := testData(1 << 20)
	for _, how := range []string{"reset", "close", "stall"} {
		t.Run(how, func(t *testing.T) {
			s := &objectServer{data: data, etag: testETag}
			s.before = breakBody(t, data, 300000, how)
			c := newClient(t, s, func(cfg *ossapi.Config) { cfg.StallTimeout = 50 * time.Millisecond })
			got, info, err := get(t, c, ossapi.GetRequest{Key: "k", Length: -1})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) || info.Size != int64(len(data)) {
				t.Fatalf("got %d bytes, want %d equal bytes", len(got), len(data))
			}
			reqs := s.requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			// A reset may discard bytes the kernel had already received,
			// so the resume starts somewhere up to the cut.
			var from int
			r := reqs[1].Header
			if _, err := fmt.Sscanf(r.Get("Range"), "bytes=%d-1048575", &from); err != nil || from <= 0 || from > 300000 || r.Get("If-Match") != testETag {
				t.Errorf("resume sent Range %q If-Match %q", r.Get("Range"), r.Get("If-Match"))
			}
		})
	}
}

// The object changes between the first GET and the resume: the reader
// must fail rather than splice two versions.
func TestGetResumeAfterChangeFails(t *testing.T) {
	data := testData(100000)
	s := &objectServer{data: data, etag: testETag}
	s.before = func(n int, w http.ResponseWriter, r *http.Request) bool {
		if n == 1 {
			s.mu.Lock()
			s.etag = `"CHANGED"`
			s.mu.Unlock()
			return breakBody(t, data, 1000, "reset")(n, w, r)
		}
		return false
	}
	c := newClient(t, s)
	got, _, err := get(t, c, ossapi.GetRequest{Key: "k", Length: -1})
	if !errors.Is(err, ossapi.ErrPreconditionFailed) {
		t.Fatalf("err = %v", err)
	}
	if !bytes.Equal(got, data[:len(got)]) {
		t.Errorf("wrong bytes delivered")
	}
}

// A server that always breaks: bounded resumes, then an error.
func TestGetResumesAreBounded(t *testing.T) {
	data := testData(100000)
	s := &objectServer{data: data, etag: testETag}
	s.before = func(n int, w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("ETag", testETag)
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		resetConn(t, w)
		return true
	}
	c := newClient(t, s)
	rc, _, err := c.GetObject(t.Context(), ossapi.GetRequest{Key: "k", Length: -1})
	if err != nil {
		// the first response may already fail; that is fine too
		return
	}
	defer rc.Close()
	if _, err := io.ReadAll(rc); err == nil {
		t.Fatal("no error")
	}
	if n := len(s.requests()); n > 12 {
		t.Errorf("%d requests", n)
	}
}

func TestGetIfMatch(t *testing.T) {
	s := &objectServer{data: testData(10), etag: testETag}
	c := newClient(t, s)
	_, _, err := get(t, c, ossapi.GetRequest{Key: "k", Length: -1, IfMatch: `"OTHER"`})
	if !errors.Is(err, ossapi.ErrPreconditionFailed) {
		t.Fatalf("err = %v", err)
	}
	if _, _, err := get(t, c, ossapi.GetRequest{Key: "k", Length: -1, IfMatch: testETag}); err != nil {
		t.Fatal(err)
	}
}

func TestGetBadRequests(t *testing.T) {
	c := newClient(t, http.NotFoundHandler())
	for _, gr := range []ossapi.GetRequest{{Key: ""}, {Key: "k", Offset: -1}} {
		if _, _, err := c.GetObject(t.Context(), gr); err == nil {
			t.Errorf("%+v accepted", gr)
		}
	}
}

func TestGetCancel(t *testing.T) {
	data := testData(1 << 20)
	s := &objectServer{data: data, etag: testETag}
	s.before = breakBody(t, data, 1000, "stall")
	c := newClient(t, s)
	ctx, cancel := contextWithCancel(t)
	rc, _, err := c.GetObject(ctx, ossapi.GetRequest{Key: "k", Length: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 1000)
	if _, err := io.ReadFull(rc, buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := rc.Read(buf); err == nil {
		t.Fatal("read after cancel succeeded")
	}
}
