package emulator

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/ossfs/ossfs/internal/pct"
)

// The request log and BytesSent are complete as soon as the client holds
// the whole body, even for bodies net/http writes through while the
// handler still runs.
func TestRequestRecordedBeforeBodyCompletes(t *testing.T) {
	s := start(t, Options{})
	s.CreateBucket("bkt")
	const size = 1 << 20
	s.PutObject("bkt", "big", GeneratedData(size, 1))
	c := newClient(t, s)
	for i := 1; i <= 20; i++ {
		resp, body := c.do("GET", "bkt", "big", "")
		if len(body) != size || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET: %d bytes, status %d", len(body), resp.StatusCode)
		}
		if got := s.BytesSent(); got != int64(i)*size {
			t.Fatalf("after %d GETs BytesSent = %d", i, got)
		}
		if log := s.Requests(); len(log) != i || log[i-1].Bytes != size || log[i-1].Status != 200 {
			t.Fatalf("after %d GETs the log has %d entries", i, len(log))
		}
	}
}

// A '*' in the pattern is a wildcard even where the resource holds a
// literal '*' (keys may contain one): "my-bucket/*" covers "my-bucket/*x".
func TestPolicyWildcardAgainstLiteralStar(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"*", "*0", true},
		{"acs:oss:*:*:b/*", "acs:oss:*:1:b/*x", true},
		{"b/*.txt", "b/*/a.txt", true},
		{"b/a*", "b/*a", false},
		{"b/?", "b/*", true},
	} {
		if got := wildcard(tc.p, tc.s); got != tc.want {
			t.Errorf("wildcard(%q, %q) = %v, want %v", tc.p, tc.s, got, tc.want)
		}
	}
}

// max-keys must be 1..1000: a 0 would give a truncated page with nothing to
// resume from. start-after and marker must be under 1024 bytes.
func TestListArgumentLimits(t *testing.T) {
	s := start(t, Options{})
	s.CreateBucket("bkt")
	s.PutObject("bkt", "a", nil)
	c := newClient(t, s)
	long := strings.Repeat("k", 1024)
	for _, q := range []string{"list-type=2&max-keys=0", "max-keys=0", "list-type=2&start-after=" + long, "marker=" + long} {
		if resp, body := c.do("GET", "bkt", "", q); resp.StatusCode != 400 || errCode(resp, body) != "InvalidArgument" {
			t.Errorf("%.40s: %d %s", q, resp.StatusCode, body)
		}
	}
	for _, q := range []string{"list-type=2&max-keys=1", "list-type=2&max-keys=1000", "list-type=2&start-after=" + long[:1023], "marker=" + long[:1023]} {
		if resp, body := c.do("GET", "bkt", "", q); resp.StatusCode != 200 {
			t.Errorf("%.40s: %d %s", q, resp.StatusCode, body)
		}
	}
}

// With encoding-type=url every echoed field is encoded too, not only keys.
func TestListEchoedFieldsEncoded(t *testing.T) {
	s := start(t, Options{})
	s.CreateBucket("bkt")
	for _, k := range []string{"p q+/1", "p q+/2", "p q+/x y/3"} {
		s.PutObject("bkt", k, nil)
	}
	c := newClient(t, s)
	q := "list-type=2&encoding-type=url&prefix=" + pct.Encode("p q+/") + "&delimiter=" + pct.Encode("/") +
		"&start-after=" + pct.Encode("p q+/0 +") + "&max-keys=1"
	resp, body := c.do("GET", "bkt", "", q)
	if resp.StatusCode != 200 || bytes.Contains(body, []byte("+")) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var l struct {
		Prefix, Delimiter, StartAfter, NextContinuationToken string
		KeyCount                                             int
	}
	if err := xml.Unmarshal(body, &l); err != nil {
		t.Fatal(err)
	}
	if l.Prefix != "p%20q%2B%2F" || l.Delimiter != "%2F" || l.StartAfter != "p%20q%2B%2F0%20%2B" || l.KeyCount != 1 {
		t.Fatalf("echoed fields not strictly encoded: %+v", l)
	}
	resp, body = c.do("GET", "bkt", "", "list-type=2&encoding-type=url&continuation-token="+l.NextContinuationToken+"&prefix="+pct.Encode("p q+/"))
	var l2 struct{ ContinuationToken string }
	xml.Unmarshal(body, &l2)
	if resp.StatusCode != 200 || l2.ContinuationToken != l.NextContinuationToken {
		t.Fatalf("continuation token echo %q, sent %q: %s", l2.ContinuationToken, l.NextContinuationToken, body)
	}
}

// A ranged GET whose If-Match fails is a 412 with no partial body; on HEAD
// the error travels in x-oss-err. The error names the failing condition.
func TestConditionalFailuresOnRangedGetAndHead(t *testing.T) {
	s := start(t, Options{})
	s.CreateBucket("bkt")
	info, _ := s.PutObject("bkt", "k", []byte("0123456789"))
	c := newClient(t, s)
	resp, body := c.do("GET", "bkt", "k", "", "Range", "bytes=2-5", "If-Match", `"0000"`)
	if resp.StatusCode != 412 || errCode(resp, body) != "PreconditionFailed" || resp.Header.Get("Content-Range") != "" {
		t.Fatalf("ranged GET with a stale If-Match: %d %s", resp.StatusCode, body)
	}
	resp, body = c.do("HEAD", "bkt", "k", "", "If-Match", `"0000"`)
	if resp.StatusCode != 412 || errCode(resp, body) != "PreconditionFailed" || resp.Header.Get("x-oss-ec") == "" {
		t.Fatalf("HEAD with a stale If-Match: %d, x-oss-err %q", resp.StatusCode, resp.Header.Get("x-oss-err"))
	}
	resp, body = c.do("GET", "bkt", "k", "", "If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")
	if resp.StatusCode != 412 || !bytes.Contains(body, []byte("<Condition>If-Unmodified-Since</Condition>")) {
		t.Fatalf("If-Unmodified-Since: %d %s", resp.StatusCode, body)
	}
	resp, body = c.do("GET", "bkt", "k", "", "Range", "bytes=2-5", "If-Match", info.ETag)
	if resp.StatusCode != 206 || string(body) != "2345" || resp.Header.Get("Content-Length") != "4" {
		t.Fatalf("ranged GET with the right If-Match: %d %q len %s", resp.StatusCode, body, resp.Header.Get("Content-Length"))
	}
}
