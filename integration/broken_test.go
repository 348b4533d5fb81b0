package integration

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/fs"
	"github.com/ossfs/ossfs/ossapi"
)

// Issue 6, scenario 6: broken service answers (malformed XML, truncated
// list pages, a lying Content-Length, an HTML error page) give the user a
// clear error without panic or hang, and the mount stays up.

// breakingProxy forwards to the emulator except for the requests that
// break returns true for, which it answers itself.
func breakingProxy(t *testing.T, target string, breaker func(w http.ResponseWriter, r *http.Request) bool) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !breaker(w, r) {
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(ps.Close)
	return ps.URL
}

// brokenContent is the data of every object under broken/ and of ok.txt.
const brokenContent = "0123456789abcdefghijklmnopqrstuvwxyz\n"

// breakOSS answers the requests of the broken/ cases.
func breakOSS(w http.ResponseWriter, r *http.Request) bool {
	key := strings.TrimPrefix(r.URL.Path, "/"+testBucket+"/")
	q := r.URL.Query()
	isList := r.URL.Path == "/"+testBucket || r.URL.Path == "/"+testBucket+"/"
	if isList {
		if q.Get("max-keys") == "1" { // a lookup's probe: let it through
			return false
		}
		switch q.Get("prefix") {
		case "broken/xml/":
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, `<?xml version="1.0"?><ListBucketResult><Contents><Key>broken/xml/a</Key><Size>zz`)
		case "broken/trunc/":
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult><Name>`+testBucket+`</Name><Prefix>broken/trunc/</Prefix><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><KeyCount>1</KeyCount>
<Contents><Key>broken%2Ftrunc%2Fa</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"AB"</ETag><Type>Normal</Type><Size>3</Size><StorageClass>Standard</StorageClass></Contents>
</ListBucketResult>`)
		case "broken/cut/":
			body := `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>` + testBucket + `</Name><Contents><Key>broken%2Fcut%2Fa</Key>`
			w.Header().Set("Content-Type", "application/xml")
			w.Header().Set("Content-Length", fmt.Sprint(len(body)*3))
			fmt.Fprint(w, body) // net/http closes the connection short
		case "broken/html-list/":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
		default:
			return false
		}
		return true
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	switch key {
	case "broken/long-cl", "broken/short-cl":
		if r.Method == http.MethodHead {
			return false
		}
		var first, last int
		if _, err := fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-%d", &first, &last); err != nil {
			first, last = 0, len(brokenContent)-1
		}
		last = min(last, len(brokenContent)-1)
		part := brokenContent[first : last+1]
		h := w.Header()
		if im := r.Header.Get("If-Match"); im != "" {
			h.Set("ETag", im) // the version the reader pinned
		}
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, len(brokenContent)))
		if key == "broken/long-cl" {
			h.Set("Content-Length", fmt.Sprint(len(part)+100)) // more than sent: the connection closes short
		} else {
			h.Set("Content-Length", fmt.Sprint(len(part)/2)) // less than the range: a short body
		}
		w.WriteHeader(http.StatusPartialContent)
		fmt.Fprint(w, part[:min(len(part), len(part)/2+1)])
	case "broken/html":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>")
	case "broken/html403":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, "<!DOCTYPE html><html><body>Forbidden by the proxy</body></html>")
	case "elsewhere/unlisted-html":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		if r.Method == http.MethodGet {
			fmt.Fprint(w, "<html>oops</html>")
		}
	case "broken/garbage-xml-error":
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<Error><Code>SlowDown</Code><Message>unterminated")
	default:
		return false
	}
	return true
}

func TestBrokenServiceResponses(t *testing.T) {
	requireFUSE(t)
	srv := startEmulator(t, emulator.Options{})
	objs := map[string]string{"ok.txt": brokenContent, "elsewhere/x": "x"}
	for _, k := range []string{
		"broken/xml/a", "broken/trunc/a", "broken/cut/a", "broken/html-list/a",
		"broken/long-cl", "broken/short-cl", "broken/html", "broken/html403", "broken/garbage-xml-error",
	} {
		objs[k] = brokenContent
	}
	put(t, srv, objs)
	log := &logBuf{}
	proxy := breakingProxy(t, srv.Endpoint(), breakOSS)
	c := newClient(t, srv, nil, log, func(cfg *ossapi.Config) { cfg.Endpoint = proxy })
	m := mount(t, c, fs.Options{})
	// List first: the cat cases then cost GETs only, so the broken GET
	// answers (not a HEAD) are what they meet.
	mustSh(t, "ls", "-l", m.path("broken"))

	type tc struct {
		cmd    []string
		errMsg []string // acceptable stderr fragments; nil = must succeed with brokenContent or fail with EIO
	}
	eio := []string{"Input/output error"}
	cases := []tc{
		{[]string{"ls", m.path("broken/xml")}, eio},
		{[]string{"ls", m.path("broken/trunc")}, eio},
		{[]string{"ls", m.path("broken/cut")}, eio},
		{[]string{"ls", m.path("broken/html-list")}, eio},
		{[]string{"cat", m.path("broken/long-cl")}, nil},
		{[]string{"cat", m.path("broken/short-cl")}, nil},
		{[]string{"cat", m.path("broken/html")}, eio},
		{[]string{"cat", m.path("broken/html403")}, []string{"Permission denied", "Input/output error"}},
		{[]string{"stat", m.path("elsewhere/unlisted-html")}, eio},
		{[]string{"cat", m.path("broken/garbage-xml-error")}, eio},
	}
	for _, c := range cases {
		start := time.Now()
		r := sh(t, 90*time.Second, c.cmd[0], c.cmd[1:]...)
		el := time.Since(start).Round(time.Millisecond)
		if r.err != nil && strings.Contains(r.err.Error(), "(hang)") {
			t.Errorf("%q hung: %v", c.cmd, r.err)
			continue
		}
		switch {
		case c.errMsg == nil && r.err == nil:
			if r.stdout != brokenContent {
				t.Errorf("%q succeeded with wrong data %q", c.cmd, r.stdout)
			}
			t.Logf("%q: right data after resuming (%v)", c.cmd, el)
		case r.err == nil:
			t.Errorf("%q succeeded (%q), want an error", c.cmd, r.stdout)
		default:
			want := c.errMsg
			if want == nil {
				want = eio
			}
			ok := false
			for _, w := range want {
				ok = ok || strings.Contains(r.stderr, w)
			}
			if !ok {
				t.Errorf("%q: stderr %q, want one of %q", c.cmd, r.stderr, want)
			}
			t.Logf("%q: %s (%v)", c.cmd, strings.TrimSpace(r.stderr), el)
		}
		// The mount is still up and serving.
		if got := mustSh(t, "cat", m.path("ok.txt")); got != brokenContent {
			t.Fatalf("after %q: ok.txt = %q", c.cmd, got)
		}
	}
	if strings.Contains(log.String()+m.log.String(), "panic") {
		t.Errorf("a panic was logged:\n%s\n%s", log, m.log)
	}
	t.Logf("filesystem log:\n%s", m.log)
}
