package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/internal/pct"
	"github.com/ossfs/ossfs/ossapi/signer"
)

// client sends requests signed with ossapi/signer (V1 unless v4).
type client struct {
	t      *testing.T
	s      *Server
	c      creds.Credentials
	v4     bool
	now    func() time.Time
	region string
}

func newClient(t *testing.T, s *Server) *client {
	ak, secret := s.NewUser()
	return &client{t: t, s: s, c: creds.Credentials{AccessKeyID: ak, AccessKeySecret: secret}, now: time.Now, region: s.Region()}
}

// do sends method on /bucket/key?query with extra headers.
func (c *client) do(method, bucket, key, query string, hdr ...string) (*http.Response, []byte) {
	c.t.Helper()
	u := c.s.Endpoint() + "/" + bucket + "/" + pct.EncodePath(key)
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if c.c.AccessKeyID != "" {
		if c.v4 {
			signer.SignV4(req, bucket, key, c.region, c.c, c.now())
		} else {
			signer.SignV1(req, bucket, key, c.c, c.now())
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func errCode(resp *http.Response, body []byte) string {
	if resp.Request.Method == http.MethodHead {
		body, _ = base64.StdEncoding.DecodeString(resp.Header.Get("x-oss-err"))
	}
	var e struct{ Code, EC string }
	xml.Unmarshal(body, &e)
	return e.Code
}

func TestParseRange(t *testing.T) {
	cases := []struct {
		h        string
		standard bool
		want     byteRange
	}{
		{"bytes=0-99", false, byteRange{0, 99, true, false}},
		{"bytes=500-", false, byteRange{500, 999, true, false}},
		{"bytes=-100", false, byteRange{900, 999, true, false}},
		{"bytes=0-1000", false, byteRange{}},
		{"bytes=1000-2000", false, byteRange{}},
		{"bytes=1000-", false, byteRange{}},
		{"bytes=-2000", false, byteRange{}},
		{"byte=0-9", false, byteRange{}},
		{"bytes=9-0", false, byteRange{}},
		{"bytes=x-9", false, byteRange{}},
		{"bytes=0-9,20-29", false, byteRange{0, 9, true, false}},
		{"bytes=500-2000", true, byteRange{500, 999, true, false}},
		{"bytes=1000-2000", true, byteRange{bad: true}},
		{"bytes=1000-", true, byteRange{bad: true}},
		{"bytes=-2000", true, byteRange{0, 999, true, false}},
		{"", true, byteRange{}},
	}
	for _, c := range cases {
		if got := parseRange(c.h, 1000, c.standard); got != c.want {
			t.Errorf("parseRange(%q, standard=%v) = %+v, want %+v", c.h, c.standard, got, c.want)
		}
	}
	if got := parseRange("bytes=0-0", 0, false); got != (byteRange{}) {
		t.Errorf("empty object: %+v", got)
	}
}

func TestGetRangesAndConditions(t *testing.T) {
	s := start(t, Options{})
	s.CreateBucket("bkt")
	data := GeneratedData(1000, 7)
	info, _ := s.PutObject("bkt", "obj", data, WithLastModified(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)))
	c := newClient(t, s)
	lm := "Tue, 02 Jan 2024 03:04:05 GMT"
	before, after := "Mon, 01 Jan 2024 00:00:00 GMT", "Wed, 03 Jan 2024 00:00:00 GMT"
	cases := []struct {
		name   string
		hdr    []string
		status int
		body   []byte
		code   string
	}{
		{"range", []string{"Range", "bytes=10-19"}, 206, data[10:20], ""},
		{"range beyond end", []string{"Range", "bytes=500-2000"}, 200, data, ""},
		{"range beyond end standard", []string{"Range", "bytes=500-2000", "x-oss-range-behavior", "standard"}, 206, data[500:], ""},
		{"start beyond end standard", []string{"Range", "bytes=1000-", "x-oss-range-behavior", "standard"}, 416, nil, "InvalidRange"},
		{"if-match ok", []string{"If-Match", info.ETag, "Range", "bytes=0-0"}, 206, data[:1], ""},
		{"if-match stale", []string{"If-Match", `"0123"`}, 412, nil, "PreconditionFailed"},
		{"if-none-match", []string{"If-None-Match", info.ETag}, 304, nil, ""},
		{"if-modified-since later", []string{"If-Modified-Since", after}, 304, nil, ""},
		{"if-modified-since same", []string{"If-Modified-Since", lm}, 304, nil, ""},
		{"if-modified-since earlier", []string{"If-Modified-Since", before}, 200, data, ""},
		{"if-unmodified-since earlier", []string{"If-Unmodified-Since", before}, 412, nil, "PreconditionFailed"},
		{"if-unmodified-since later", []string{"If-Unmodified-Since", after}, 200, data, ""},
	}
	for _, cs := range cases {
		resp, body := c.do("GET", "bkt", "obj", "", cs.hdr...)
		if resp.StatusCode != cs.status {
			t.Errorf("%s: status %d, want %d (%s)", cs.name, resp.StatusCode, cs.status, body)
			continue
		}
		if cs.code != "" {
			if got := errCode(resp, body); got != cs.code {
				t.Errorf("%s: code %s, want %s", cs.name, got, cs.code)
			}
			if resp.Header.Get("x-oss-ec") == "" || len(resp.Header.Get("x-oss-request-id")) != 24 {
				t.Errorf("%s: missing x-oss-ec / request id", cs.name)
			}
		} else if cs.body != nil && !bytes.Equal(body, cs.body) {
			t.Errorf("%s: body of %d bytes, want %d", cs.name, len(body), len(cs.body))
		}
	}
	resp, _ := c.do("HEAD", "bkt", "obj", "")
	if resp.Header.Get("ETag") != info.ETag || resp.Header.Get("Last-Modified") != lm ||
		resp.Header.Get("x-oss-hash-crc64ecma") == "" || resp.ContentLength != 1000 {
		t.Errorf("HEAD headers %v", resp.Header)
	}
}

func TestObjectsKeysAndStates(t *testing.T) {
	s := start(t, Options{})
	s.CreateBucket("bkt")
	c := newClient(t, s)
	// Keys that a path-cleaning mux would mangle.
	for _, key := range []string{"a//b", "./x", "../y", "dir/./z", "p%2Fq", "plus+sign", "sp ace", "文"} {
		if resp, body := c.do("PUT", "bkt", key, "", "x-oss-meta-k", "v"); resp.StatusCode != 200 {
			t.Fatalf("PUT %q: %d %s", key, resp.StatusCode, body)
		}
		if _, err := s.PutObject("bkt", key+".seeded", []byte(key)); err != nil {
			t.Fatal(err)
		}
		resp, body := c.do("GET", "bkt", key+".seeded", "")
		if resp.StatusCode != 200 || string(body) != key {
			t.Errorf("GET %q: %d %q", key, resp.StatusCode, body)
		}
	}
	// Archive objects: HEAD works, GET refused until restored.
	s.PutObject("bkt", "cold", []byte("zzz"), WithStorageClass("Archive"))
	s.PutObject("bkt", "thawed", []byte("zzz"), WithStorageClass("ColdArchive"), WithRestored(true))
	if resp, _ := c.do("HEAD", "bkt", "cold", ""); resp.StatusCode != 200 || resp.Header.Get("x-oss-storage-class") != "Archive" {
		t.Errorf("HEAD archive: %d", resp.StatusCode)
	}
	if resp, body := c.do("GET", "bkt", "cold", ""); resp.StatusCode != 403 || errCode(resp, body) != "InvalidObjectState" {
		t.Errorf("GET archive: %d %s", resp.StatusCode, body)
	}
	if resp, _ := c.do("GET", "bkt", "thawed", ""); resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("x-oss-restore"), `ongoing-request="false"`) {
		t.Errorf("GET restored: %d %v", resp.StatusCode, resp.Header)
	}
	// Symlinks: followed on GET/HEAD, errors for dangling and chained links.
	s.PutObject("bkt", "target", []byte("T"))
	s.PutSymlink("bkt", "link", "target")
	s.PutSymlink("bkt", "dangling", "missing")
	s.PutSymlink("bkt", "chain", "link")
	if resp, body := c.do("GET", "bkt", "link", ""); resp.StatusCode != 200 || string(body) != "T" || resp.Header.Get("x-oss-object-type") != "Symlink" {
		t.Errorf("GET link: %d %q", resp.StatusCode, body)
	}
	if resp, body := c.do("GET", "bkt", "dangling", ""); errCode(resp, body) != "SymlinkTargetNotExist" {
		t.Errorf("dangling: %d %s", resp.StatusCode, body)
	}
	if resp, body := c.do("HEAD", "bkt", "chain", ""); resp.StatusCode != 400 || errCode(resp, body) != "InvalidTargetType" {
		t.Errorf("chain: %d", resp.StatusCode)
	}
	if resp, _ := c.do("GET", "bkt", "link", "symlink"); resp.Header.Get("x-oss-symlink-target") != "target" {
		t.Errorf("GetSymlink: %v", resp.Header)
	}
	// Delete, then NoSuchKey; unknown bucket.
	if resp, _ := c.do("DELETE", "bkt", "target", ""); resp.StatusCode != 204 {
		t.Errorf("DELETE: %d", resp.StatusCode)
	}
	if resp, body := c.do("HEAD", "bkt", "target", ""); resp.StatusCode != 404 || errCode(resp, body) != "NoSuchKey" {
		t.Errorf("after delete: %d", resp.StatusCode)
	}
	if resp, body := c.do("GET", "nobkt", "x", ""); errCode(resp, body) != "NoSuchBucket" {
		t.Errorf("no bucket: %d %s", resp.StatusCode, body)
	}
	// Virtual-hosted style: bucket from the Host header.
	req, _ := http.NewRequest("GET", s.Endpoint()+"/plus+sign.seeded", nil)
	req.Host = "bkt.oss-cn-hangzhou.aliyuncs.com"
	signer.SignV1(req, "bkt", "plus+sign.seeded", c.c, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "plus+sign" {
		t.Errorf("virtual-hosted: %d %s", resp.StatusCode, body)
	}
}

func TestAuthFailures(t *testing.T) {
	s := start(t, Options{Region: "cn-beijing"})
	s.CreateBucket("bkt")
	s.PutObject("bkt", "k", []byte("v"))
	c := newClient(t, s)
	anon := &client{t: t, s: s}
	if resp, body := anon.do("GET", "bkt", "k", ""); resp.StatusCode != 403 || errCode(resp, body) != "AccessDenied" {
		t.Errorf("anonymous: %d %s", resp.StatusCode, body)
	}
	c.now = func() time.Time { return time.Now().Add(-16 * time.Minute) }
	for _, v4 := range []bool{false, true} {
		c.v4 = v4
		if resp, body := c.do("GET", "bkt", "k", ""); errCode(resp, body) != "RequestTimeTooSkewed" {
			t.Errorf("v4=%v skew: %d %s", v4, resp.StatusCode, body)
		}
	}
	c.now = time.Now
	c.region = "cn-hangzhou"
	resp, body := c.do("GET", "bkt", "k", "")
	if errCode(resp, body) != "SignatureDoesNotMatch" || !strings.Contains(string(body), "<StringToSign>OSS4-HMAC-SHA256") {
		t.Errorf("wrong region: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), c.c.AccessKeySecret) {
		t.Error("secret echoed in error")
	}
	c.region = "cn-beijing"
	if resp, body := c.do("GET", "bkt", "k", ""); resp.StatusCode != 200 || string(body) != "v" {
		t.Errorf("right region: %d %s", resp.StatusCode, body)
	}
}

func TestPolicyEnforcement(t *testing.T) {
	s := start(t, Options{})
	s.CreateBucket("my-bucket")
	s.PutObject("my-bucket", "pub/a", []byte("a"))
	s.PutObject("my-bucket", "secret/b", []byte("b"))
	role := `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject","oss:ListObjects"],"Resource":["acs:oss:*:*:my-bucket","acs:oss:*:*:my-bucket/*"]},
		{"Effect":"Deny","Action":"oss:*","Resource":"acs:oss:*:*:my-bucket/secret/*"}]}`
	if err := s.AddRole(readerARN, Role{Policy: role}); err != nil {
		t.Fatal(err)
	}
	ak, secret, token, _, err := s.IssueCredentials(readerARN, `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*"}]}`, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s)
	c.c = creds.Credentials{AccessKeyID: ak, AccessKeySecret: secret, SecurityToken: token}
	for _, cs := range []struct {
		method, key, query string
		status             int
	}{
		{"GET", "pub/a", "", 200},
		{"GET", "secret/b", "", 403},
		{"GET", "", "list-type=2", 200},
		{"PUT", "pub/new", "", 403},
	} {
		resp, body := c.do(cs.method, "my-bucket", cs.key, cs.query)
		if resp.StatusCode != cs.status {
			t.Errorf("%s %s?%s: %d, want %d (%s)", cs.method, cs.key, cs.query, resp.StatusCode, cs.status, body)
		}
		if cs.status == 403 && !strings.Contains(string(body), "Access denied by authorizer's policy.") {
			t.Errorf("policy denial message: %s", body)
		}
	}
	if !wildcard("acs:oss:*:*:my-bucket/*", "acs:oss:*:1:my-bucket/a/b") || wildcard("a?c", "abbc") || !wildcard("*", "") {
		t.Error("wildcard")
	}
}

type listXML struct {
	Contents []struct {
		Key  string
		ETag string
	}
	CommonPrefixes []struct{ Prefix string }
	IsTruncated    bool
	NextMarker     string
	NextToken      string `xml:"NextContinuationToken"`
	KeyCount       int
}

func TestList(t *testing.T) {
	s := start(t, Options{})
	s.CreateBucket("bkt")
	keys := []string{"a", "b/1", "b/2", "b/3", "c+d", "c d", "e/f/g", "e/h", "z"}
	for _, k := range keys {
		s.PutObject("bkt", k, nil)
	}
	c := newClient(t, s)
	collect := func(query string, v2 bool) (entries []string, pages int) {
		marker := ""
		for pages = 1; pages < 50; pages++ {
			q := query
			if marker != "" {
				if v2 {
					q += "&continuation-token=" + marker
				} else {
					q += "&marker=" + marker
				}
			}
			resp, body := c.do("GET", "bkt", "", q)
			if resp.StatusCode != 200 {
				t.Fatalf("list %s: %d %s", q, resp.StatusCode, body)
			}
			if bytes.Contains(body, []byte("+")) {
				t.Errorf("bare '+' in %s", body)
			}
			var l listXML
			if err := xml.Unmarshal(body, &l); err != nil {
				t.Fatal(err)
			}
			if v2 && l.KeyCount != len(l.Contents)+len(l.CommonPrefixes) {
				t.Errorf("KeyCount %d", l.KeyCount)
			}
			for _, o := range l.Contents {
				entries = append(entries, o.Key)
			}
			for _, p := range l.CommonPrefixes {
				entries = append(entries, "P:"+p.Prefix)
			}
			if !l.IsTruncated {
				return entries, pages
			}
			marker = l.NextMarker
			if v2 {
				marker = l.NextToken
			}
		}
		t.Fatal("pagination does not end")
		return nil, 0
	}
	for _, v2 := range []bool{false, true} {
		base := "encoding-type=url"
		if v2 {
			base += "&list-type=2"
		}
		got, pages := collect(base+"&delimiter=%2F&max-keys=2", v2)
		want := "a,P:b%2F,c%20d,c%2Bd,P:e%2F,z"
		if strings.Join(sortedEntries(got), ",") != sortedJoin(want) || pages != 3 {
			t.Errorf("v2=%v delimiter pages=%d: %v", v2, pages, got)
		}
		got, _ = collect(base+"&prefix=b%2F&max-keys=1", v2)
		if strings.Join(got, ",") != "b%2F1,b%2F2,b%2F3" {
			t.Errorf("v2=%v prefix: %v", v2, got)
		}
	}
	// start-after, default max-keys, bad arguments.
	resp, body := c.do("GET", "bkt", "", "list-type=2&start-after=c%2Bd")
	var l listXML
	xml.Unmarshal(body, &l)
	if len(l.Contents) != 3 || l.Contents[0].Key != "e/f/g" || resp.StatusCode != 200 {
		t.Errorf("start-after: %s", body)
	}
	for _, q := range []string{"list-type=2&max-keys=1001", "list-type=2&max-keys=x", "list-type=2&encoding-type=base64", "list-type=2&continuation-token=%25%25"} {
		if resp, body := c.do("GET", "bkt", "", q); resp.StatusCode != 400 || errCode(resp, body) != "InvalidArgument" {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
}

func sortedEntries(e []string) []string {
	out := append([]string(nil), e...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if strings.TrimPrefix(out[j], "P:") < strings.TrimPrefix(out[i], "P:") {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func sortedJoin(s string) string { return strings.Join(sortedEntries(strings.Split(s, ",")), ",") }

func TestFaultsReproducibleAndCounters(t *testing.T) {
	run := func() string {
		s := start(t, Options{})
		s.CreateBucket("bkt")
		s.PutObject("bkt", "k", GeneratedData(64<<10, 1))
		c := newClient(t, s)
		s.SetFaults(Faults{ErrorRate: 0.3, Seed: 42})
		var out []string
		for i := 0; i < 40; i++ {
			resp, _ := c.do("GET", "bkt", "k", "")
			out = append(out, fmt.Sprint(resp.StatusCode))
		}
		if n := s.Count("GetObject"); n != 40 {
			t.Errorf("GetObject count %d", n)
		}
		ok := strings.Count(strings.Join(out, ","), "200")
		if s.BytesSent() != int64(ok)*(64<<10) {
			t.Errorf("BytesSent %d for %d full bodies", s.BytesSent(), ok)
		}
		log := s.Requests()
		if len(log) != 40 || log[0].API != "GetObject" || log[0].Key != "k" || fmt.Sprint(log[0].Status) != out[0] {
			t.Errorf("request log %+v", log[:1])
		}
		s.ResetCounts()
		if s.Count("GetObject") != 0 || s.BytesSent() != 0 || len(s.Requests()) != 0 {
			t.Error("ResetCounts")
		}
		return strings.Join(out, ",")
	}
	a, b := run(), run()
	if a != b {
		t.Errorf("same seed, different faults:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, "200") || !strings.Contains(a, "50") && !strings.Contains(a, "429") {
		t.Errorf("error rate 0.3 gave %s", a)
	}
}

func TestFaultReset(t *testing.T) {
	s := start(t, Options{})
	s.CreateBucket("bkt")
	data := GeneratedData(1<<20, 3)
	s.PutObject("bkt", "k", data)
	c := newClient(t, s)
	s.SetFaults(Faults{ResetRate: 1, Seed: 1})
	req, _ := http.NewRequest("GET", s.Endpoint()+"/bkt/k", nil)
	signer.SignV1(req, "bkt", "k", c.c, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || len(got) == 0 || len(got) >= len(data) || !bytes.Equal(got, data[:len(got)]) {
		t.Errorf("reset: read %d bytes, err %v", len(got), err)
	}
	s.SetFaults(Faults{StallRate: 1, StallFor: time.Millisecond})
	if resp, body := c.do("GET", "bkt", "k", ""); resp.StatusCode != 200 || !bytes.Equal(body, data) {
		t.Errorf("stall: %d, %d bytes", resp.StatusCode, len(body))
	}
	s.SetFaults(Faults{RefuseConnections: true})
	req, _ = http.NewRequest("GET", s.Endpoint()+"/bkt/k", nil)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	if _, err := (&http.Client{Transport: tr}).Do(req); err == nil {
		t.Error("refused connections: request succeeded")
	}
}

func BenchmarkGetObject64MiB(b *testing.B) {
	s, err := Start(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.CreateBucket("bkt")
	s.PutObjectGenerated("bkt", "big", 64<<20, 1)
	ak, secret := s.NewUser()
	cr := creds.Credentials{AccessKeyID: ak, AccessKeySecret: secret}
	b.SetBytes(64 << 20)
	for b.Loop() {
		req, _ := http.NewRequest("GET", s.Endpoint()+"/bkt/big", nil)
		signer.SignV1(req, "bkt", "big", cr, time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if n != 64<<20 {
			b.Fatalf("read %d", n)
		}
	}
}
