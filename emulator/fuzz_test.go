package emulator

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Hostile input must never crash the emulator: these fuzz the parsers a
// request reaches (go test -fuzz=FuzzX ./emulator); the seeds run as
// ordinary tests.

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-99", "bytes=500-", "bytes=-10", "bytes=-0", "bytes=0-1000", "bytes=1000-2000",
		"byte=0-1", "bytes=5-3", "bytes=0-1,5-9", "bytes= 1 - 2", "bytes=99999999999999999999-", "bytes=--5", ""} {
		f.Add(s, int64(1000), false)
		f.Add(s, int64(0), true)
	}
	f.Fuzz(func(t *testing.T, h string, size int64, standard bool) {
		if size < 0 {
			size = -size
		}
		if size < 0 { // math.MinInt64
			size = 0
		}
		br := parseRange(h, size, standard)
		if br.partial && (br.start < 0 || br.end < br.start || br.end >= size) {
			t.Fatalf("parseRange(%q, %d, %v) = %+v: not within the object", h, size, standard, br)
		}
		if br.bad && (!standard || br.partial) {
			t.Fatalf("parseRange(%q, %d, %v) = %+v: 416 without standard behaviour", h, size, standard, br)
		}
	})
}

func FuzzParsePolicy(f *testing.F) {
	f.Add(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":"acs:oss:*:*:my-bucket/*"}]}`, "oss:GetObject", "acs:oss:*:1:my-bucket/a")
	f.Add(`{"Version":"1","Statement":[{"Effect":"Deny","Action":["oss:*"],"Resource":["acs:oss:*:*:b/s?cret/*"]}]}`, "oss:ListObjects", "acs:oss:*:1:b")
	f.Add(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}]}`, "", "")
	f.Add(`{"Version":"1","Statement":[]}`, "a", "b")
	f.Add(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"**********************a"}]} x`, "oss:x", strings.Repeat("*", 300))
	f.Fuzz(func(t *testing.T, text, action, resource string) {
		p, err := parsePolicy(text)
		if err != nil {
			if p != nil {
				t.Fatal("policy and error")
			}
			return
		}
		switch e := p.effect(action, resource); e {
		case "allow", "deny", "":
		default:
			t.Fatalf("effect %q", e)
		}
	})
}

func FuzzWildcard(f *testing.F) {
	f.Add("acs:oss:*:*:b/*", "acs:oss:*:1:b/k")
	f.Add("a?c*", "abcdef")
	f.Add("*a*a*a*a*a*b", strings.Repeat("a", 200))
	f.Fuzz(func(t *testing.T, p, s string) {
		got := wildcard(p, s)
		if !strings.ContainsAny(p, "*?") && got != (p == s) {
			t.Fatalf("wildcard(%q, %q) = %v without wildcards", p, s, got)
		}
		if p == "*" && !got {
			t.Fatalf("* did not match %q", s)
		}
	})
}

func FuzzParseJWT(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	f.Add(enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(`{"sub":"s","aud":["a","b"],"exp":99999999999}`)) + ".sig")
	f.Add(enc([]byte(`{}`)) + "." + enc([]byte(`{"exp":1}`)) + ".")
	f.Add("a.b.c")
	f.Add(enc([]byte(`{}`)) + "." + enc([]byte(`{"aud":{"x":1},"exp":"soon"}`)) + ".x")
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := parseJWT(tok, now)
		if err == nil {
			_ = c.aud()
		} else if err.status != 401 {
			t.Fatalf("status %d", err.status)
		}
	})
}

// FuzzServeOSS sends a raw HTTP request (as bytes off the wire) through the
// whole OSS handler: routing, key decoding, all four signature forms,
// list/range/conditional parameters. Every answer must be a well-formed
// status, and every error carry the OSS error XML (in x-oss-err for HEAD).
func FuzzServeOSS(f *testing.F) {
	for _, s := range []string{
		"GET /bkt/dir/a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-3\r\n\r\n",
		"HEAD /bkt/nope HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /bkt/?list-type=2&prefix=dir%2F&delimiter=%2F&max-keys=1&encoding-type=url&continuation-token=ZGly HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /bkt/?marker=a&max-keys=1001 HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /bkt/dir/a.txt?OSSAccessKeyId=AK&Expires=99999999999&Signature=abc&security-token=t HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /bkt/a%2F%2Fb?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=AK%2F20300101%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20300101T000000Z&x-oss-expires=60&x-oss-signature=00 HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /bkt/k HTTP/1.1\r\nHost: bkt.x\r\nAuthorization: OSS4-HMAC-SHA256 Credential=AK/20300101/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=host,Signature=00\r\nx-oss-date: 20300101T000000Z\r\n\r\n",
		"GET /bkt/k?symlink HTTP/1.1\r\nHost: x\r\nAuthorization: OSS AK:sig\r\nDate: Tue, 01 Jan 2030 00:00:00 GMT\r\nIf-Match: \"X\"\r\n\r\n",
		"PUT /bkt/k?symlink HTTP/1.1\r\nHost: x\r\nx-oss-symlink-target: %zz\r\nContent-Length: 0\r\n\r\n",
		"GET /%zz/%% HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /bkt/?bucketInfo&list-type=2;x HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		f.Add(s)
	}
	s, err := Start(Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	s.CreateBucket("bkt")
	s.PutObject("bkt", "dir/a.txt", []byte("hello world"))
	s.PutSymlink("bkt", "k", "dir/a.txt")
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			return
		}
		w := httptest.NewRecorder()
		s.serveOSS(w, r)
		if w.Code < 200 || w.Code > 599 {
			t.Fatalf("status %d", w.Code)
		}
		if w.Code < 400 {
			return
		}
		body := w.Body.Bytes()
		if r.Method == http.MethodHead {
			if body, err = base64.StdEncoding.DecodeString(w.Header().Get("x-oss-err")); err != nil {
				t.Fatalf("HEAD %d without a base64 x-oss-err", w.Code)
			}
		}
		var e struct{ Code, EC string }
		if err := xml.Unmarshal(body, &e); err != nil || e.Code == "" || w.Header().Get("x-oss-ec") != e.EC {
			t.Fatalf("status %d with a bad error body %q: %v", w.Code, body, err)
		}
	})
}

// FuzzServeSTS sends raw requests through the STS handler: form parsing,
// RPC signature, role/policy/OIDC checks. Every error is the STS JSON.
func FuzzServeSTS(f *testing.F) {
	for _, s := range []string{
		"POST /?Action=AssumeRole&Format=JSON&Version=2015-04-01&AccessKeyId=AK&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=1&Timestamp=2030-01-01T00%3A00%3A00Z&Signature=x HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 72\r\n\r\nRoleArn=acs%3Aram%3A%3A1%3Arole%2Fr&RoleSessionName=s&Policy=%7B%7D&Dura",
		"POST /?Action=AssumeRoleWithOIDC&Timestamp=2030-01-01T00%3A00%3A00Z HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 40\r\n\r\nOIDCProviderArn=p&OIDCToken=a.b.c&RoleA",
		"GET /?Action=Nope HTTP/1.1\r\nHost: x\r\n\r\n",
		"PUT / HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		f.Add(s)
	}
	s, err := Start(Options{Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	s.AddUser("AK", "secret")
	s.AddRole("acs:ram::1:role/r", Role{})
	s.AddOIDCProvider("p")
	f.Fuzz(func(t *testing.T, raw string) {
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			return
		}
		w := httptest.NewRecorder()
		s.serveSTS(w, r)
		var reply struct{ Code, RequestId string }
		if err := json.Unmarshal(w.Body.Bytes(), &reply); err != nil || reply.RequestId == "" {
			t.Fatalf("status %d, body not STS JSON: %q", w.Code, w.Body.String())
		}
		if (w.Code == 200) != (reply.Code == "") {
			t.Fatalf("status %d with code %q", w.Code, reply.Code)
		}
	})
}
