package creds

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every value and error that can carry a secret or token is printed with
// every verb; none of the secrets may appear.
func TestNoSecretsInOutput(t *testing.T) {
	const (
		srcSecret = "SRC-SECRET-1/+="
		srcToken  = "SRC-TOKEN-2/+="
		envSecret = "ENV-SECRET-3"
		pwSecret  = "PW-SECRET-4"
	)
	secrets := []string{srcSecret, srcToken, envSecret, pwSecret, "issued-secret-XYZ", "issued-token-ABC"}
	var values []any

	srcCreds := Credentials{AccessKeyID: "STS.src", AccessKeySecret: srcSecret, SecurityToken: srcToken, Expiration: time.Now().Add(time.Hour)}
	static := Static(srcCreds)
	values = append(values, srcCreds, &srcCreds, static)

	env, err := NewEnvFrom(envMap(map[string]string{EnvAccessKeyID: "id", EnvAccessKeySecret: envSecret, EnvSecurityToken: srcToken}))
	if err != nil {
		t.Fatal(err)
	}
	values = append(values, env)

	pw := writeFile(t, t.TempDir(), "pw", "b:id:"+pwSecret+"\n", 0o600)
	pwp, err := NewPasswdFile(pw, "b")
	if err != nil {
		t.Fatal(err)
	}
	values = append(values, pwp)
	// A world-readable file and a malformed one: the errors name the line, not the secret.
	_, err = NewPasswdFile(writeFile(t, filepath.Dir(pw), "pw2", "b:id:"+pwSecret+"\n", 0o644), "b")
	values = append(values, err)
	_, err = NewPasswdFile(writeFile(t, filepath.Dir(pw), "pw3", "b:id:"+pwSecret+" x\n", 0o600), "b")
	values = append(values, err)

	// STS: a good reply, a SignatureDoesNotMatch that echoes the string to
	// sign (with the source token), a malformed 200 echoing keys.
	f := &fakeSTS{secrets: map[string]string{"STS.src": "wrong"}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	cfg := AssumeRoleConfig{Endpoint: srv.URL, RoleARN: "acs:ram::1:role/r", Source: static}
	ar, err := NewAssumeRole(cfg)
	if err != nil {
		t.Fatal(err)
	}
	values = append(values, cfg, &cfg, ar)
	_, err = ar.Credentials(context.Background())
	values = append(values, err)
	f.handle = func(w http.ResponseWriter, p url.Values) bool {
		io.WriteString(w, `{"Credentials":{"AccessKeySecret":"`+srcSecret+`","SecurityToken":"`+p.Get("SecurityToken")+`"`)
		return true
	}
	_, err = ar.Credentials(context.Background())
	values = append(values, err)
	f.handle = nil
	f.secrets["STS.src"] = srcSecret
	issued, err := ar.Credentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	values = append(values, issued)

	// A transport error quotes the URL, whose query holds SecurityToken.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	arDead, _ := NewAssumeRole(AssumeRoleConfig{Endpoint: deadURL, RoleARN: "acs:ram::1:role/r", Source: static})
	_, err = arDead.Credentials(context.Background())
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	values = append(values, err)

	// The refreshing wrapper and a chain holding it, after a fetch and
	// after an expiry error.
	clock := newFakeClock()
	clock.t = time.Now()
	r := NewRefreshing(ar, RefreshOptions{Now: clock.Now, Logger: slog.New(slog.DiscardHandler)})
	ch := NewChain(env, r)
	if _, err := r.Credentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.secrets["STS.src"] = "wrong"
	clock.Advance(2 * time.Hour)
	_, err = r.Credentials(context.Background())
	values = append(values, r, ch, err, DefaultOptions{}, OIDCConfig{}, ECSRoleConfig{})

	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "slog-json", "slog-text", "json"}
	for i, v := range values {
		for _, verb := range verbs {
			var out string
			switch verb {
			case "slog-json", "slog-text":
				var b strings.Builder
				var h slog.Handler = slog.NewJSONHandler(&b, nil)
				if verb == "slog-text" {
					h = slog.NewTextHandler(&b, nil)
				}
				slog.New(h).Info("value", "v", v)
				out = b.String()
			case "json":
				j, _ := json.Marshal(v)
				out = string(j)
			default:
				out = fmt.Sprintf(verb, v)
			}
			for _, s := range secrets {
				for _, form := range []string{s, url.QueryEscape(s), fmt.Sprintf("%x", s)} {
					if containsFold(out, form) {
						t.Errorf("value %d (%T) with %s leaks %q: %s", i, v, verb, s, out)
					}
				}
			}
		}
	}
	if testing.Verbose() {
		for _, v := range values {
			fmt.Fprintf(os.Stderr, "%+v\n", v)
		}
	}
}

func containsFold(s, sub string) bool {
	return len(sub) > 0 && (len(s) >= len(sub)) && (indexFold(s, sub) >= 0)
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
