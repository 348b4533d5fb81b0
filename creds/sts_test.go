package creds

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossfs/ossfs/creds/rpcsign"
)

// TestAssumeRoleMatchesCredentialsGoCapture rebuilds the credentials-go
// v1.4.14 request captured in protocol.md §7.5 with the same nonce and time
// and asserts the exact query, body and signature.
func TestAssumeRoleMatchesCredentialsGoCapture(t *testing.T) {
	at, _ := time.Parse(time.RFC3339, "2026-11-26T17:37:03Z")
	a, err := NewAssumeRole(AssumeRoleConfig{
		Endpoint:    "https://sts.aliyuncs.com",
		RoleARN:     "acs:ram::123456789012****:role/adminrole",
		SessionName: "alice",
		Duration:    3600 * time.Second,
		Policy:      `{"Statement":[{"Action":["oss:GetObject"],"Effect":"Allow","Resource":["*"]}],"Version":"1"}`,
		Source:      Static(Credentials{AccessKeyID: "testid", AccessKeySecret: "testsecret"}),
		Now:         func() time.Time { return at },
		Nonce:       func() string { return "ba7aa1334a779f808343188d397c4622" },
	})
	if err != nil {
		t.Fatal(err)
	}
	src := Credentials{AccessKeyID: "testid", AccessKeySecret: "testsecret"}
	req, err := a.call(src).buildRequest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wantQuery := "AccessKeyId=testid&Action=AssumeRole&Format=JSON&Signature=FpcwrAwG8fYpuovybymebQZhj%2FU%3D&SignatureMethod=HMAC-SHA1&SignatureNonce=ba7aa1334a779f808343188d397c4622&SignatureVersion=1.0&Timestamp=2026-11-26T17%3A37%3A03Z&Version=2015-04-01"
	if req.Method != http.MethodPost || req.URL.Path != "/" || req.URL.RawQuery != wantQuery {
		t.Errorf("request line:\n got %s %s?%s\nwant POST /?%s", req.Method, req.URL.Path, req.URL.RawQuery, wantQuery)
	}
	body, _ := io.ReadAll(req.Body)
	wantBody := "DurationSeconds=3600&Policy=%7B%22Statement%22%3A%5B%7B%22Action%22%3A%5B%22oss%3AGetObject%22%5D%2C%22Effect%22%3A%22Allow%22%2C%22Resource%22%3A%5B%22%2A%22%5D%7D%5D%2C%22Version%22%3A%221%22%7D&RoleArn=acs%3Aram%3A%3A123456789012%2A%2A%2A%2A%3Arole%2Fadminrole&RoleSessionName=alice"
	if string(body) != wantBody {
		t.Errorf("body:\n got %s\nwant %s", body, wantBody)
	}
	for h, want := range map[string]string{
		"Content-Type":               "application/x-www-form-urlencoded",
		"Accept-Encoding":            "identity",
		"X-Acs-Credentials-Provider": "static_ak",
	} {
		if got := req.Header.Get(h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
}

// fakeSTS is an httptest STS that verifies the RPC signature with rpcsign
// against the secrets it knows and answers like the service.
type fakeSTS struct {
	secrets map[string]string // AccessKeyId -> secret
	calls   atomic.Int64
	last    atomic.Value                                        // url.Values of the last request, merged
	handle  func(w http.ResponseWriter, params url.Values) bool // optional override; true = handled
	expires time.Time
}

func (f *fakeSTS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if err := r.ParseForm(); err != nil { // merges query and body
		http.Error(w, "bad form", 400)
		return
	}
	params := r.Form
	f.last.Store(params)
	if f.handle != nil && f.handle(w, params) {
		return
	}
	if params.Get("Action") == "AssumeRole" {
		secret, ok := f.secrets[params.Get("AccessKeyId")]
		if !ok {
			stsErr(w, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
			return
		}
		if got, want := params.Get("Signature"), rpcsign.Sign(r.Method, params, secret); got != want {
			stsErr(w, 400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:"+rpcsign.StringToSign(r.Method, params))
			return
		}
	}
	exp := f.expires
	if exp.IsZero() {
		exp = time.Now().Add(time.Hour)
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	json.NewEncoder(w).Encode(map[string]any{
		"RequestId": "req-1",
		"Credentials": map[string]string{
			"AccessKeyId":     "STS.issued",
			"AccessKeySecret": "issued-secret-XYZ",
			"SecurityToken":   "issued-token-ABC",
			"Expiration":      exp.UTC().Format("2006-01-02T15:04:05Z"),
		},
	})
}

func stsErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"RequestId": "req-err", "HostId": "sts", "Code": code, "Message": msg})
}

func newAssumeRole(t *testing.T, endpoint string, src Provider) *AssumeRole {
	t.Helper()
	a, err := NewAssumeRole(AssumeRoleConfig{Endpoint: endpoint, RoleARN: "acs:ram::123:role/reader", Source: src, Duration: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAssumeRoleAgainstFakeSTS(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	f := &fakeSTS{secrets: map[string]string{"ak": "sk/with+chars="}, expires: exp}
	srv := httptest.NewServer(f)
	defer srv.Close()

	a := newAssumeRole(t, srv.URL, Static(Credentials{AccessKeyID: "ak", AccessKeySecret: "sk/with+chars="}))
	c, err := a.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != "STS.issued" || c.AccessKeySecret != "issued-secret-XYZ" || c.SecurityToken != "issued-token-ABC" || !c.Expiration.Equal(exp) {
		t.Fatalf("got %+v", c)
	}
	p := f.last.Load().(url.Values)
	if p.Get("DurationSeconds") != "900" || p.Get("RoleArn") != "acs:ram::123:role/reader" || p.Has("SecurityToken") {
		t.Errorf("params %v", p)
	}
	if !strings.HasPrefix(p.Get("RoleSessionName"), "ossfs-") {
		t.Errorf("default session name %q", p.Get("RoleSessionName"))
	}
	if got := a.String(); got != "sts:AssumeRole(acs:ram::123:role/reader)" {
		t.Errorf("String() = %q", got)
	}
}

// An STS source (temporary keys) must send its token as SecurityToken, and
// the signature must cover it.
func TestAssumeRoleWithSTSSourceSendsSecurityToken(t *testing.T) {
	f := &fakeSTS{secrets: map[string]string{"STS.src": "srcsecret"}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	a := newAssumeRole(t, srv.URL, Static(Credentials{AccessKeyID: "STS.src", AccessKeySecret: "srcsecret", SecurityToken: "src-token"}))
	if _, err := a.Credentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.last.Load().(url.Values).Get("SecurityToken"); got != "src-token" {
		t.Fatalf("SecurityToken = %q", got)
	}
}

func TestAssumeRoleErrors(t *testing.T) {
	const secret, token = "S3cr3t+/=", "T0k3n+/=tok"
	src := Static(Credentials{AccessKeyID: "ak", AccessKeySecret: secret, SecurityToken: token})
	cases := []struct {
		name   string
		handle func(w http.ResponseWriter, p url.Values) bool
		want   []string
		sts    bool // an *STSError
	}{
		{"bad signature echoes string to sign", nil, []string{"SignatureDoesNotMatch", "HTTP 400", "req-err"}, true},
		{"no permission", func(w http.ResponseWriter, p url.Values) bool {
			stsErr(w, 403, "NoPermission", "You are not authorized to do this action.")
			return true
		}, []string{"NoPermission", "not authorized"}, true},
		{"non-JSON error", func(w http.ResponseWriter, p url.Values) bool {
			w.WriteHeader(502)
			io.WriteString(w, "<html>bad gateway "+secret+"</html>")
			return true
		}, []string{"HTTP 502", "unrecognised error body"}, true},
		{"malformed 200 echoing secrets", func(w http.ResponseWriter, p url.Values) bool {
			io.WriteString(w, `{"Credentials":{"AccessKeySecret":"`+secret+`","SecurityToken":"`+token+`"`)
			return true
		}, []string{"malformed reply", "not JSON"}, false},
		{"missing fields", func(w http.ResponseWriter, p url.Values) bool {
			io.WriteString(w, `{"Credentials":{"AccessKeySecret":"`+secret+`"}}`)
			return true
		}, []string{"missing AccessKeyId, SecurityToken, Expiration"}, false},
		{"bad expiration", func(w http.ResponseWriter, p url.Values) bool {
			io.WriteString(w, `{"Credentials":{"AccessKeyId":"a","AccessKeySecret":"`+secret+`","SecurityToken":"t","Expiration":"2030-01-01 00:00:00"}}`)
			return true
		}, []string{"Expiration", "not YYYY-MM-DDThh:mm:ssZ"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeSTS{secrets: map[string]string{"ak": "other"}, handle: tc.handle}
			srv := httptest.NewServer(f)
			defer srv.Close()
			_, err := newAssumeRole(t, srv.URL, src).Credentials(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range append(tc.want, "sts:AssumeRole(acs:ram::123:role/reader)") {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			assertNoSecrets(t, msg, secret, token)
			var se *STSError
			if errors.As(err, &se) != tc.sts {
				t.Errorf("errors.As STSError = %v, want %v", !tc.sts, tc.sts)
			}
		})
	}
}

func TestAssumeRoleConfigErrors(t *testing.T) {
	src := Static(Credentials{AccessKeyID: "a", AccessKeySecret: "b"})
	cases := map[string]AssumeRoleConfig{
		"no role":           {Source: src},
		"no source":         {RoleARN: "r"},
		"bad endpoint":      {RoleARN: "r", Source: src, Endpoint: "ftp://x"},
		"bad session":       {RoleARN: "r", Source: src, SessionName: "bad name"},
		"short session":     {RoleARN: "r", Source: src, SessionName: "a"},
		"fraction duration": {RoleARN: "r", Source: src, Duration: 1500 * time.Millisecond},
		"negative duration": {RoleARN: "r", Source: src, Duration: -time.Second},
		"bad policy":        {RoleARN: "r", Source: src, Policy: "{"},
		"both policies":     {RoleARN: "r", Source: src, Policy: "{}", PolicyFile: "/x"},
		"missing policy":    {RoleARN: "r", Source: src, PolicyFile: "/nonexistent/policy.json"},
	}
	for name, cfg := range cases {
		if _, err := NewAssumeRole(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSTSEndpoint(t *testing.T) {
	for _, tc := range []struct {
		region string
		vpc    bool
		want   string
	}{
		{"", false, "https://sts.aliyuncs.com"},
		{"", true, "https://sts.aliyuncs.com"},
		{"cn-hangzhou", false, "https://sts.cn-hangzhou.aliyuncs.com"},
		{"cn-hangzhou", true, "https://sts-vpc.cn-hangzhou.aliyuncs.com"},
	} {
		if got := STSEndpoint(tc.region, tc.vpc); got != tc.want {
			t.Errorf("STSEndpoint(%q, %v) = %q, want %q", tc.region, tc.vpc, got, tc.want)
		}
	}
	for in, want := range map[string]string{
		"sts.aliyuncs.com":        "https://sts.aliyuncs.com",
		"http://127.0.0.1:8080/":  "http://127.0.0.1:8080",
		"https://sts.example.com": "https://sts.example.com",
	} {
		if got, err := normalizeEndpoint(in); err != nil || got != want {
			t.Errorf("normalizeEndpoint(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func assertNoSecrets(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			t.Errorf("output leaks %q: %s", sec, s)
		}
	}
}
