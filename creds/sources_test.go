package creds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func envMap(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestEnv(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		wantID  string
		wantTok string
		wantErr string
		notConf bool
	}{
		{"alibaba set", map[string]string{EnvAccessKeyID: "a1", EnvAccessKeySecret: "s1", EnvSecurityToken: "t1", EnvOSSAccessKeyID: "o", EnvOSSAccessKeySecret: "os"}, "a1", "t1", "", false},
		{"oss set", map[string]string{EnvOSSAccessKeyID: "o", EnvOSSAccessKeySecret: "os", EnvOSSSessionToken: "ot"}, "o", "ot", "", false},
		{"none", nil, "", "", "neither", true},
		{"1.x set", map[string]string{EnvLegacyAccessKeyID: "l", EnvLegacySecret: "ls", EnvLegacySessionToken: "lt"}, "l", "lt", "", false},
		{"oss wins over 1.x", map[string]string{EnvOSSAccessKeyID: "o", EnvOSSAccessKeySecret: "os", EnvLegacyAccessKeyID: "l", EnvLegacySecret: "ls"}, "o", "", "", false},
		{"alibaba wins over 1.x", map[string]string{EnvAccessKeyID: "a1", EnvAccessKeySecret: "s1", EnvLegacyAccessKeyID: "l", EnvLegacySecret: "ls", EnvLegacySessionToken: "lt"}, "a1", "", "", false},
		{"1.x id without secret", map[string]string{EnvLegacyAccessKeyID: "l"}, "", "", "OSSSECRETACCESSKEY is empty", false},
		{"1.x not mixed with oss", map[string]string{EnvLegacyAccessKeyID: "l", EnvOSSAccessKeySecret: "os"}, "", "", "OSS_ACCESS_KEY_ID is empty", false},
		{"id without secret", map[string]string{EnvAccessKeyID: "a1"}, "", "", "ALIBABA_CLOUD_ACCESS_KEY_SECRET is empty", false},
		{"secret without id", map[string]string{EnvOSSAccessKeySecret: "zzz"}, "", "", "OSS_ACCESS_KEY_ID is empty", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewEnvFrom(envMap(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || errors.Is(err, ErrNotConfigured) != tc.notConf {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, _ := p.Credentials(context.Background())
			if c.AccessKeyID != tc.wantID || c.SecurityToken != tc.wantTok {
				t.Fatalf("got %v", c)
			}
		})
	}
}

func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // umask-proof
		t.Fatal(err)
	}
	return p
}

func TestPasswdFile(t *testing.T) {
	dir := t.TempDir()
	const file = "# comment\n\nbkt:AKB:SKB\nAKD:SKD\r\nother:AKO:SKO\n"
	cases := []struct {
		name, content, bucket string
		mode                  os.FileMode
		wantID, wantErr       string
	}{
		{"bucket entry", file, "bkt", 0o600, "AKB", ""},
		{"default entry", file, "nope", 0o600, "AKD", ""},
		{"key=value wins", "bkt:AKB:SKB\nOSSAccessKeyId=AKV\nOSSSecretKey=SKV\n", "bkt", 0o600, "AKV", ""},
		{"key=value half", "OSSAccessKeyId=AKV\nAKD:SKD\n", "bkt", 0o600, "", "must be set together"},
		{"others can read", file, "bkt", 0o604, "", "mode 0604"},
		{"group can read", file, "bkt", 0o640, "", "chmod 0600"},
		{"owner exec", file, "bkt", 0o700, "", "mode 0700"},
		{"space", "bkt:AK B:SKB\n", "bkt", 0o600, "", "line 1: contains a space"},
		{"section", "[default]\n", "bkt", 0o600, "", `line 1: "[section]"`},
		{"duplicate bucket", "b:A:S\nb:A2:S2\n", "b", 0o600, "", `line 2: second entry for bucket "b"`},
		{"duplicate default", "A:S\nA2:S2\n", "b", 0o600, "", "second default"},
		{"no colon", "justsomething\n", "b", 0o600, "", "line 1: want"},
		{"empty secret", "b:A:\n", "b", 0o600, "", "empty AccessKeyId or AccessKeySecret"},
		{"no entry", "other:A:S\n", "b", 0o600, "", `no entry for bucket "b"`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, dir, "passwd"+string(rune('a'+i)), tc.content, tc.mode)
			prov, err := NewPasswdFile(p, tc.bucket)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				assertNoSecrets(t, err.Error(), "SKB", "SKD", "SKV", "SKO")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, _ := prov.Credentials(context.Background())
			if c.AccessKeyID != tc.wantID {
				t.Fatalf("got %v, want %s", c, tc.wantID)
			}
			if got := SourceName(prov); got != "passwd:"+p {
				t.Errorf("name %q", got)
			}
		})
	}
	_, err := NewPasswdFile(filepath.Join(dir, "missing"), "b")
	if !errors.Is(err, ErrNotConfigured) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if err := checkPasswdMode(SystemPasswdFile, 0o640); err != nil {
		t.Errorf("/etc/passwd-ossfs 0640 refused: %v", err)
	}
	if err := checkPasswdMode(SystemPasswdFile, 0o660); err == nil {
		t.Error("/etc/passwd-ossfs 0660 accepted")
	}
}

func TestOIDCRereadsTokenFile(t *testing.T) {
	f := &fakeSTS{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	tok := writeFile(t, t.TempDir(), "token", "jwt-one\n", 0o600)
	cfg, err := OIDCConfigFromEnv(envMap(map[string]string{
		EnvRoleARN: "acs:ram::1:role/pod", EnvOIDCProviderARN: "acs:ram::1:oidc-provider/ack", EnvOIDCTokenFile: tok,
		EnvRoleSessionName: "my-pod",
	}))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Endpoint = srv.URL
	o, err := NewOIDC(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Credentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	p := f.last.Load().(url.Values)
	if p.Get("Action") != "AssumeRoleWithOIDC" || p.Get("OIDCToken") != "jwt-one" || p.Get("RoleSessionName") != "my-pod" ||
		p.Get("OIDCProviderArn") != "acs:ram::1:oidc-provider/ack" || p.Has("Signature") || p.Has("AccessKeyId") {
		t.Fatalf("params %v", p)
	}
	os.WriteFile(tok, []byte("jwt-two"), 0o600) // the kubelet rotates the token
	if _, err := o.Credentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.last.Load().(url.Values).Get("OIDCToken"); got != "jwt-two" {
		t.Fatalf("token not re-read: %q", got)
	}
	if o.String() != "sts:AssumeRoleWithOIDC(acs:ram::1:role/pod)" {
		t.Errorf("String %q", o)
	}

	// An OIDC auth failure is reported without the token.
	f.handle = func(w http.ResponseWriter, _ url.Values) bool {
		stsErr(w, 401, "AuthenticationFail.OIDCToken.Invalid", "token jwt-two is invalid")
		return true
	}
	_, err = o.Credentials(context.Background())
	if err == nil || !strings.Contains(err.Error(), "AuthenticationFail.OIDCToken.Invalid") {
		t.Fatalf("err = %v", err)
	}
	assertNoSecrets(t, err.Error(), "jwt-two")
}

func TestOIDCFromEnvNotConfigured(t *testing.T) {
	_, err := OIDCConfigFromEnv(envMap(map[string]string{EnvRoleARN: "r"}))
	if !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("err = %v", err)
	}
	if _, err := NewOIDC(OIDCConfig{RoleARN: "r"}); err == nil || !strings.Contains(err.Error(), "OIDCProviderARN, TokenFile required") {
		t.Fatalf("err = %v", err)
	}
}

// fakeIMDS serves the ECS metadata paths; tokenMode: "ok", "refuse" (the
// token PUT fails), "reject" (GETs with a token fail).
type fakeIMDS struct {
	tokenMode string
	role      string
	code      string
	puts      atomic.Int64
	tokenGets atomic.Int64
	plainGets atomic.Int64
}

func (f *fakeIMDS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut && r.URL.Path == imdsTokenPath {
		f.puts.Add(1)
		if f.tokenMode == "refuse" || r.Header.Get("X-aliyun-ecs-metadata-token-ttl-seconds") == "" {
			http.Error(w, "forbidden", 403)
			return
		}
		io.WriteString(w, "imds-token")
		return
	}
	if tok := r.Header.Get("X-aliyun-ecs-metadata-token"); tok != "" {
		f.tokenGets.Add(1)
		if tok != "imds-token" || f.tokenMode == "reject" {
			http.Error(w, "bad token", 401)
			return
		}
	} else {
		f.plainGets.Add(1)
	}
	switch r.URL.Path {
	case imdsCredsPath:
		io.WriteString(w, f.role+"\n")
	case imdsCredsPath + f.role:
		code := f.code
		if code == "" {
			code = "Success"
		}
		io.WriteString(w, `{"AccessKeyId":"STS.ecs","AccessKeySecret":"ecs-secret","SecurityToken":"ecs-token","Expiration":"2031-01-01T00:00:00Z","LastUpdated":"2030-12-31T18:00:00Z","Code":"`+code+`"}`)
	default:
		http.NotFound(w, r)
	}
}

func TestECSRole(t *testing.T) {
	cases := []struct {
		name                   string
		imds                   fakeIMDS
		cfg                    ECSRoleConfig
		wantErr                string
		wantTokenGets, wantPln int64
	}{
		{"token mode, role discovered", fakeIMDS{tokenMode: "ok", role: "r1"}, ECSRoleConfig{}, "", 2, 0},
		{"token mode, role given", fakeIMDS{tokenMode: "ok", role: "r1"}, ECSRoleConfig{RoleName: "r1"}, "", 1, 0},
		{"no token service: v1 fallback", fakeIMDS{tokenMode: "refuse", role: "r1"}, ECSRoleConfig{}, "", 0, 2},
		{"no token service, v1 disabled", fakeIMDS{tokenMode: "refuse", role: "r1"}, ECSRoleConfig{DisableIMDSv1: true}, "IMDSv1 disabled", 0, 0},
		{"token rejected: retried without", fakeIMDS{tokenMode: "reject", role: "r1"}, ECSRoleConfig{}, "", 2, 2},
		{"token rejected, v1 disabled", fakeIMDS{tokenMode: "reject", role: "r1"}, ECSRoleConfig{DisableIMDSv1: true}, "HTTP 401", 1, 0},
		{"unknown role", fakeIMDS{tokenMode: "ok", role: "r1"}, ECSRoleConfig{RoleName: "nope"}, `role "nope" credentials`, 1, 1},
		{"code not success", fakeIMDS{tokenMode: "ok", role: "r1", code: "Failed"}, ECSRoleConfig{}, `Code "Failed"`, 2, 0},
	}
	for i := range cases {
		tc := &cases[i]
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(&tc.imds)
			defer srv.Close()
			tc.cfg.Endpoint = srv.URL
			e, err := NewECSRole(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			c, err := e.Credentials(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				assertNoSecrets(t, err.Error(), "ecs-secret", "ecs-token")
			} else if err != nil {
				t.Fatal(err)
			} else if c.AccessKeyID != "STS.ecs" || c.SecurityToken != "ecs-token" || c.Expiration.IsZero() {
				t.Fatalf("got %v", c)
			}
			if tc.imds.tokenGets.Load() != tc.wantTokenGets || tc.imds.plainGets.Load() != tc.wantPln {
				t.Errorf("gets with token %d, without %d; want %d, %d", tc.imds.tokenGets.Load(), tc.imds.plainGets.Load(), tc.wantTokenGets, tc.wantPln)
			}
		})
	}
	if _, err := NewECSRole(ECSRoleConfig{Endpoint: "100.100.100.200"}); err == nil {
		t.Error("endpoint without scheme accepted")
	}
}

func TestChain(t *testing.T) {
	notConf := errProvider{"a", fmt.Errorf("a missing: %w", ErrNotConfigured)}
	var bCalls atomic.Int64
	b := ProviderFunc(func(context.Context) (Credentials, error) {
		bCalls.Add(1)
		return Credentials{AccessKeyID: "B"}, nil
	})
	c := NewChain(notConf, b, Static(Credentials{AccessKeyID: "C"}))
	for i := 0; i < 2; i++ {
		got, err := c.Credentials(context.Background())
		if err != nil || got.AccessKeyID != "B" {
			t.Fatalf("got %v, %v", got, err)
		}
	}
	if !strings.HasPrefix(c.String(), "chain:") {
		t.Errorf("String %q", c)
	}

	broken := errProvider{"passwd:/x", errors.New("passwd file /x has mode 0644")}
	_, err := NewChain(notConf, broken, Static(Credentials{AccessKeyID: "C"})).Credentials(context.Background())
	if err == nil || !strings.Contains(err.Error(), "passwd:/x") || !strings.Contains(err.Error(), "mode 0644") {
		t.Fatalf("broken source not reported: %v", err)
	}
	_, err = NewChain(notConf, notConf).Credentials(context.Background())
	if !errors.Is(err, ErrNotConfigured) || !strings.Contains(err.Error(), "no source configured") {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultChainOrder(t *testing.T) {
	dir := t.TempDir()
	pw := writeFile(t, dir, "pw", "bkt:PWID:PWSECRET\n", 0o600)
	imds := &fakeIMDS{tokenMode: "ok", role: "r"}
	srv := httptest.NewServer(imds)
	defer srv.Close()
	base := DefaultOptions{Bucket: "bkt", HomeDir: dir, MetadataEndpoint: srv.URL, Refresh: RefreshOptions{Now: newFakeClock().Now, Logger: slog.New(slog.DiscardHandler)}}

	get := func(env map[string]string, files []string) (Credentials, error, *Chain) {
		o := base
		o.Getenv, o.PasswdFiles = envMap(env), files
		ch := DefaultChain(o)
		c, err := ch.Credentials(context.Background())
		return c, err, ch
	}
	if c, err, _ := get(map[string]string{EnvOSSAccessKeyID: "ENVID", EnvOSSAccessKeySecret: "s"}, []string{pw}); err != nil || c.AccessKeyID != "ENVID" {
		t.Fatalf("env first: %v %v", c, err)
	}
	if c, err, _ := get(map[string]string{EnvOSSCredentialFile: pw}, nil); err != nil || c.AccessKeyID != "PWID" {
		t.Fatalf("OSS_CREDENTIAL_FILE: %v %v", c, err)
	}
	c, err, ch := get(nil, []string{filepath.Join(dir, "none")})
	if err != nil || c.AccessKeyID != "STS.ecs" {
		t.Fatalf("ecs last: %v %v", c, err)
	}
	if ch.String() != "chain:ecs:RamRole(auto)" {
		t.Errorf("String %q", ch)
	}
	_, err, _ = get(map[string]string{EnvECSMetadataDisabled: "true"}, []string{filepath.Join(dir, "none")})
	if !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("all absent: %v", err)
	}
	for _, w := range []string{"env", "oidc", "passwd:", "ecs"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %s", err, w)
		}
	}
}
