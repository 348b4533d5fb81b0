package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
)

// stsTokenRE matches the emulator's security tokens wherever they appear.
var stsTokenRE = regexp.MustCompile(`CAIS[A-Za-z0-9]{16,}`)

// At --log-level debug, with FUSE request logging and the metrics
// endpoint on, neither the access key secret nor a security token shows
// in the log, the metrics or a failure line: with static STS keys, and
// with keys assumed through --role-arn.
func TestBinaryNoSecretsAtDebugLevel(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{MinSTSDuration: 2 * time.Second})
	stsAK, stsSK, stsToken, _, err := e.IssueCredentials(emulatorRoleARN, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	staticSTS := append(cleanEnv(),
		"OSSFS_ENDPOINT="+e.Endpoint(), "OSSFS_REGION="+e.Region(),
		"ALIBABA_CLOUD_ACCESS_KEY_ID="+stsAK, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+stsSK,
		"ALIBABA_CLOUD_SECURITY_TOKEN="+stsToken)
	secrets := []string{e.SK, stsSK, stsToken}
	check := func(t *testing.T, where, text string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds a secret (%.4s...)", where, s)
			}
		}
		if m := stsTokenRE.FindString(text); m != "" {
			t.Errorf("%s holds a security token (%.8s...)", where, m)
		}
	}
	cases := []struct {
		name string
		env  []string
		args []string
	}{
		{"static STS keys", staticSTS, nil},
		{"role-arn", e.env(), []string{"--role-arn", emulatorRoleARN, "--credential-duration=2s"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := l.Addr().String()
			l.Close()
			mnt := t.TempDir()
			args := append([]string{"mount", "--path-style", "--log-level=debug", "--fuse-debug", "--metrics-addr", addr}, tc.args...)
			m := startMounted(t, tc.env, append(args, "bkt", mnt)...)
			if got, err := os.ReadFile(filepath.Join(mnt, "dir", "a.txt")); err != nil || string(got) != "a\n" {
				t.Fatalf("read: %q, %v", got, err)
			}
			if _, err := os.ReadDir(filepath.Join(mnt, "dir")); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(mnt, "missing")); err == nil {
				t.Fatal("a missing name exists")
			}
			resp, err := http.Get("http://" + addr + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if code := m.stop(t, syscall.SIGTERM); code != 0 {
				t.Errorf("SIGTERM: exit %d", code)
			}
			log := m.stderr.String() + m.stdout.String()
			if !strings.Contains(log, "level=DEBUG") {
				t.Errorf("no debug lines logged:\n%s", log)
			}
			check(t, "the debug log", log)
			check(t, "the metrics", string(body))
		})
	}
	t.Run("failure at debug level", func(t *testing.T) {
		env := append(staticSTS, "ALIBABA_CLOUD_SECURITY_TOKEN=CAIS"+strings.Repeat("x", 40))
		_, stderr, code := runOssfs(t, env, "mount", "--path-style", "--log-level=debug", "bkt", t.TempDir())
		if code != 1 || len(errorLines(stderr)) != 1 {
			t.Errorf("exit %d, want 1 and one error line:\n%s", code, stderr)
		}
		check(t, "the failure output", stderr)
	})
}
