package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/internal/mountinfo"
	"github.com/ossfs/ossfs/internal/testbin"
)

// Tests in binary_*_test.go drive the real ossfs binary, built once per
// package run, against an emulator started in the test process.

func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// requireFUSE skips (or, with OSSFS_REQUIRE_FUSE=1, fails) a test that
// needs to mount.
func requireFUSE(t *testing.T) {
	t.Helper()
	reason := ""
	if _, err := os.Stat("/dev/fuse"); err != nil {
		reason = "no /dev/fuse"
	} else if os.Geteuid() != 0 {
		if _, err := exec.LookPath("fusermount3"); err != nil {
			reason = "not root and no fusermount3"
		}
	}
	if reason == "" {
		return
	}
	if os.Getenv("OSSFS_REQUIRE_FUSE") == "1" {
		t.Fatalf("FUSE required (OSSFS_REQUIRE_FUSE=1) but unavailable: %s", reason)
	}
	t.Skipf("needs FUSE: %s (set OSSFS_REQUIRE_FUSE=1 to fail instead)", reason)
}

// testEmulator is an emulator with one bucket "bkt" and a user.
type testEmulator struct {
	*emulator.Server
	AK, SK string
}

func startEmulator(t *testing.T, opts emulator.Options) *testEmulator {
	t.Helper()
	srv, err := emulator.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := srv.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	for key, body := range map[string]string{
		"hello.txt":     "hello, world\n",
		"dir/a.txt":     "a\n",
		"dir/sub/b.txt": "b\n",
	} {
		if _, err := srv.PutObject("bkt", key, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := srv.PutObjectGenerated("bkt", "big.bin", 8<<20, 7); err != nil {
		t.Fatal(err)
	}
	ak, sk := srv.NewUser()
	if err := srv.AddRole(emulatorRoleARN, emulator.Role{Policy: readAllPolicy}); err != nil {
		t.Fatal(err)
	}
	return &testEmulator{Server: srv, AK: ak, SK: sk}
}

// env is what `set -a; . emulator.env` gives a shell, with static keys.
func (e *testEmulator) env() []string {
	return append(cleanEnv(),
		"OSSFS_ENDPOINT="+e.Endpoint(), "OSSFS_REGION="+e.Region(), "OSSFS_STS_ENDPOINT="+e.STSEndpoint(),
		"ALIBABA_CLOUD_ACCESS_KEY_ID="+e.AK, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+e.SK,
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")
}

// cleanEnv is the test's environment without anything ossfs reads.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OSSFS_") || strings.HasPrefix(kv, "ALIBABA_CLOUD_") ||
			strings.HasPrefix(kv, "OSS_") || strings.HasPrefix(kv, "NOTIFY_SOCKET=") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "HOME=/nonexistent", "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")
}

// runOssfs runs the binary to completion.
func runOssfs(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testbin.Path(t), args...)
	cmd.Env = env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run ossfs %q: %v", args, err)
	}
	return o.String(), e.String(), code
}

// mounted is a foreground `ossfs mount` (or demo) that reported READY=1.
type mounted struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	stdout *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startMounted starts ossfs with NOTIFY_SOCKET pointing at a socket of
// the test and waits for READY=1 (or the process ending).
func startMounted(t *testing.T, env []string, args ...string) *mounted {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	m := &mounted{stderr: &syncBuffer{}, stdout: &syncBuffer{}, done: make(chan error, 1)}
	m.cmd = exec.Command(testbin.Path(t), args...)
	m.cmd.Env = append(env, "NOTIFY_SOCKET="+sock)
	m.cmd.Stdout, m.cmd.Stderr = m.stdout, m.stderr
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { m.done <- m.cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-m.done:
		default:
			m.cmd.Process.Kill()
			<-m.done
		}
		if mp := args[len(args)-1]; filepath.IsAbs(mp) {
			syscall.Unmount(mp, syscall.MNT_DETACH)
		}
	})
	got := make(chan string, 1)
	go func() {
		buf := make([]byte, 256)
		for {
			n, _, err := conn.ReadFromUnix(buf)
			if err != nil {
				return
			}
			if strings.Contains(string(buf[:n]), "READY=1") {
				got <- string(buf[:n])
				return
			}
		}
	}()
	select {
	case <-got:
		return m
	case err := <-m.done:
		m.done <- err
		t.Fatalf("ossfs %q exited before READY=1: %v\nstderr:\n%s", args, err, m.stderr.String())
	case <-time.After(time.Minute):
		t.Fatalf("ossfs %q: no READY=1 within a minute\nstderr:\n%s", args, m.stderr.String())
	}
	return nil
}

// stop sends sig and returns the exit code.
func (m *mounted) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	if err := m.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-m.done:
		m.done <- err
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(time.Minute):
		t.Fatalf("ossfs did not exit within a minute of %v\nstderr:\n%s", sig, m.stderr.String())
	}
	return -1
}

// isMounted reports whether dir is a mount point now.
func isMounted(t *testing.T, dir string) bool {
	t.Helper()
	_, ok, err := mountinfo.Lookup(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}
