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
	deadline := time.Now().Add(30 * time.Second)
	for e.Count("IMDSCredentials") < 4 { // discovery + first fetch, then renewals with no reader
		if time.Now().After(deadline) {
			t.Fatalf("idle mount: only %d metadata credential fetches in 30s\n%s", e.Count("IMDSCredentials"), m.stderr.String())
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
