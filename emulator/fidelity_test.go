package emulator

import (
	"net/http"
	"testing"
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
