package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ossfs/ossfs/emulator"
)

// --metrics-addr serves Prometheus text with the OSS requests the mount
// made, its FUSE operations and its credential renewals.
func TestBinaryMetricsEndpoint(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	mnt := t.TempDir()
	m := startMounted(t, e.env(), "mount", "--path-style", "--metrics-addr", addr, "bkt", mnt)
	if got, err := os.ReadFile(filepath.Join(mnt, "hello.txt")); err != nil || string(got) != "hello, world\n" {
		t.Fatalf("read: %q, %v", got, err)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	for _, want := range []string{
		`ossfs_oss_requests_total{api="GetObject"`,
		`ossfs_oss_attempts_total{api="ListObjectsV2",code="200"}`,
		`ossfs_fuse_op_duration_seconds_bucket{op="lookup"`,
		`ossfs_oss_fetched_bytes_total 13`,
		`ossfs_prefetch_memory_limit_bytes`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, e.SK) {
		t.Error("metrics contain the secret")
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", text)
	}
	if code := m.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("SIGTERM: exit %d", code)
	}
}
