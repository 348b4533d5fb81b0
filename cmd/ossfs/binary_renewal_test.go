package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
)

// With no --role-arn, the default chain's temporary source (here the ECS
// instance role) is renewed in the background too: an idle mount keeps
// fetching before expiry, and a read after the quiet spell works.
func TestBinaryDefaultChainRenewsWhileIdle(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{})
	e.AddInstanceRole("ecs-role", emulatorRoleARN)
	e.SetIMDSCredentialDuration(2 * time.Second)
	var env []string
	for _, kv := range cleanEnv() {
		if !strings.HasPrefix(kv, "ALIBABA_CLOUD_ECS_METADATA_DISABLED=") {
			env = append(env, kv)
		}
	}
	env = append(env, "OSSFS_ENDPOINT="+e.Endpoint(), "OSSFS_REGION="+e.Region())
	mnt := t.TempDir()
	m := startMounted(t, env, "mount", "--path-style", "--ecs-metadata-endpoint", e.MetadataEndpoint(), "bkt", mnt)
	waitIdleRenewals(t, e, m, mnt, "IMDSCredentials", 4) // discovery + first fetch, then renewals
}

// An idle mount still renews its STS credentials in the background, so
// the first read after a quiet spell longer than the token's lifetime
// needs no STS round trip first.
func TestBinaryIdleMountRenewsCredentials(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{MinSTSDuration: 2 * time.Second})
	mnt := t.TempDir()
	m := startMounted(t, e.env(), "mount", "--path-style", "--role-arn", emulatorRoleARN,
		"--credential-duration=2s", "bkt", mnt)
	waitIdleRenewals(t, e, m, mnt, "AssumeRole", 3) // the first fetch, then renewals
}

// waitIdleRenewals waits, with no reader on the mount, until the emulator
// has answered api want times (credential fetches), then checks a read
// works and that SIGTERM exits 0.
func waitIdleRenewals(t *testing.T, e *testEmulator, m *mounted, mnt, api string, want int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for e.Count(api) < want {
		if time.Now().After(deadline) {
			t.Fatalf("idle mount: only %d %s calls in 30s\n%s", e.Count(api), api, m.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, err := os.ReadFile(filepath.Join(mnt, "hello.txt"))
	if err != nil || string(got) != "hello, world\n" {
		t.Fatalf("read after idle renewals: %q, %v", got, err)
	}
	if code := m.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("SIGTERM: exit %d\n%s", code, m.stderr.String())
	}
}
