package integration

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/internal/mountinfo"
	"github.com/ossfs/ossfs/internal/testbin"
)

// Scenarios 7, 8 and 9 drive the real binary, built once per run (on
// first use) into binDir, against an in-process emulator.

func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// daemonEnv is the environment of an ossfs process pointed at srv with the
// given keys: nothing inherited but PATH, so no passwd file or real
// credential leaks in.
func daemonEnv(t testing.TB, srv *emulator.Server, ak, sk string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"ALIBABA_CLOUD_ACCESS_KEY_ID=" + ak,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + sk,
		"OSSFS_ENDPOINT=" + srv.Endpoint(),
		"OSSFS_REGION=" + srv.Region(),
		"OSSFS_PATH_STYLE=true",
	}
}

// ossfsProc is a running `ossfs mount`.
type ossfsProc struct {
	cmd    *exec.Cmd
	stderr *logBuf
	done   chan struct{} // closed when the process has exited
	err    error         // Wait's result, valid after done
}

// startOssfs runs `ossfs mount [args] testBucket mnt` and waits until the
// mount appears. At cleanup a still-running daemon is killed and the
// mountpoint cleared.
func startOssfs(t testing.TB, env []string, mnt string, args ...string) *ossfsProc {
	t.Helper()
	requireFUSE(t)
	bin := testbin.Path(t)
	d := &ossfsProc{stderr: &logBuf{}, done: make(chan struct{})}
	d.cmd = exec.Command(bin, append(append([]string{"mount"}, args...), testBucket, mnt)...)
	d.cmd.Env = env
	d.cmd.Stderr = d.stderr
	d.cmd.Stdout = d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.err = d.cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		select {
		case <-d.done:
		default:
			d.cmd.Process.Kill()
			<-d.done
		}
		if mountedAt(mnt) {
			exec.Command("umount", "-l", mnt).Run()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for !mountedAt(mnt) {
		select {
		case <-d.done:
			t.Fatalf("ossfs mount exited before mounting: %v\n%s", d.err, d.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ossfs mount: %s not mounted after 30s\n%s", mnt, d.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return d
}

// wait waits for the daemon to exit and returns its exit code.
func (d *ossfsProc) wait(t testing.TB, within time.Duration) int {
	t.Helper()
	select {
	case <-d.done:
	case <-time.After(within):
		t.Fatalf("ossfs did not exit within %v\n%s", within, d.stderr)
	}
	return d.cmd.ProcessState.ExitCode()
}

// mountedAt reports whether dir is a mount point now.
func mountedAt(dir string) bool {
	_, ok, err := mountinfo.Lookup(dir)
	return err == nil && ok
}

// procStatus reads fields of /proc/<pid>/status (values in kB for Vm*).
func procStatus(pid int, fields ...string) (map[string]int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, line := range strings.Split(string(b), "\n") {
		name, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		for _, f := range fields {
			if name == f {
				v, _ := strconv.ParseInt(strings.Fields(val)[0], 10, 64)
				out[f] = v
			}
		}
	}
	return out, nil
}

// runOssfs runs the binary to completion (a failing command, usually).
func runOssfs(t testing.TB, env []string, args ...string) (code int, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testbin.Path(t), args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("ossfs %q hung: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), errb.String() + out.String()
}

// Scenario 7: kill -9 leaves a disconnected mountpoint; `ossfs mount` on
// it says so and how to clear it; once cleared it mounts again. SIGTERM
// with 8 active readers: clean unmount, exit 0.
func TestBinaryKill9AndRemount(t *testing.T) {
	requireFUSE(t)
	srv := startEmulator(t, emulator.Options{})
	put(t, srv, map[string]string{"a/hello.txt": "hello\n"})
	ak, sk := srv.NewUser()
	env := daemonEnv(t, srv, ak, sk)
	mnt := t.TempDir()

	d := startOssfs(t, env, mnt)
	if got := mustSh(t, "cat", filepath.Join(mnt, "a/hello.txt")); got != "hello\n" {
		t.Fatalf("cat through the daemon = %q", got)
	}
	d.cmd.Process.Signal(syscall.SIGKILL)
	d.wait(t, 10*time.Second)

	// Anything the kernel must ask the dead daemon fails ENOTCONN (a stat
	// of the root may still be answered from the kernel's attribute cache).
	if _, err := os.ReadDir(mnt); !isErrno(err, syscall.ENOTCONN) {
		t.Fatalf("readdir of the mountpoint after kill -9: %v, want ENOTCONN (disconnected)", err)
	}
	_, statErr := os.Stat(mnt)
	t.Logf("after kill -9: stat of the mountpoint: %v", statErr)
	code, msg := runOssfs(t, env, "mount", testBucket, mnt)
	t.Logf("ossfs mount on the dead mount says: %s", strings.TrimSpace(msg))
	_, clearCmd, found := strings.Cut(strings.TrimSpace(msg), "clear it with: ")
	if !found {
		_, clearCmd, found = strings.Cut(strings.TrimSpace(msg), "unmount it first: ")
	}
	if code == 0 || !found {
		t.Fatalf("ossfs mount on a disconnected mountpoint: exit %d, %q; want the cause and how to clear it", code, msg)
	}
	if !strings.Contains(msg, "disconnected") {
		knownBugf(t, "cmd/ossfs: a mountpoint whose daemon was killed is reported as a live mount, not as disconnected "+
			"(checkMountpoint trusts os.Stat, which the kernel answers from cached attributes; statfs or readdir would see ENOTCONN): %q", msg)
	}
	if strings.Contains(msg, sk) {
		t.Errorf("the secret was printed: %q", msg)
	}
	argv := strings.Fields(clearCmd)
	mustSh(t, argv[0], argv[1:]...)
	if mountedAt(mnt) {
		t.Fatalf("%q did not clear the mount", clearCmd)
	}

	d2 := startOssfs(t, env, mnt)
	if got := mustSh(t, "cat", filepath.Join(mnt, "a/hello.txt")); got != "hello\n" {
		t.Fatalf("cat after remount = %q", got)
	}
	d2.cmd.Process.Signal(syscall.SIGTERM)
	if code := d2.wait(t, 30*time.Second); code != 0 {
		t.Errorf("exit code after SIGTERM = %d\n%s", code, d2.stderr)
	}
	if mountedAt(mnt) {
		t.Errorf("still mounted after SIGTERM")
	}
}

func TestBinarySigtermWithActiveReaders(t *testing.T) {
	requireFUSE(t)
	srv := startEmulator(t, emulator.Options{})
	for i := range 8 {
		if _, err := srv.PutObjectGenerated(testBucket, fmt.Sprintf("r/f%d", i), 64<<20, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	ak, sk := srv.NewUser()
	mnt := t.TempDir()
	d := startOssfs(t, daemonEnv(t, srv, ak, sk), mnt)
	// Slow bodies keep all 8 readers mid-file when the signal comes.
	srv.SetFaults(emulator.Faults{BandwidthBytesPerSec: 2 << 20})

	var started sync.WaitGroup
	readers := make([]*exec.Cmd, 8)
	for i := range readers {
		c := exec.Command("sha256sum", filepath.Join(mnt, fmt.Sprintf("r/f%d", i)))
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		readers[i] = c
		started.Add(1)
		go func() { defer started.Done(); c.Wait() }()
	}
	eventually(t, 20*time.Second, "8 readers receiving data", func() bool { return srv.BytesSent() > 8<<20 })
	d.cmd.Process.Signal(syscall.SIGTERM)
	code := d.wait(t, 30*time.Second)
	if code != 0 {
		t.Errorf("exit code after SIGTERM with 8 active readers = %d\n%s", code, d.stderr)
	}
	done := make(chan struct{})
	go func() { started.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Errorf("readers still blocked 30s after the daemon exited")
		for _, c := range readers {
			c.Process.Kill()
		}
	}
	if mountedAt(mnt) {
		t.Errorf("still mounted after SIGTERM")
	}
	t.Logf("daemon log:\n%s", d.stderr)
}

// Scenario 9: bad command lines fail with one line naming the cause,
// a non-zero exit, nothing mounted and no secret printed.
func TestBinaryBadInput(t *testing.T) {
	requireFUSE(t)
	srv := startEmulator(t, emulator.Options{})
	ak, sk := srv.NewUser()
	env := daemonEnv(t, srv, ak, sk)
	mnt := t.TempDir()
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	wrongSecret := daemonEnv(t, srv, ak, "Wrong"+sk[5:])
	unknownKey := daemonEnv(t, srv, "LTAIunknownkey000000", sk)
	unreachable := append(daemonEnv(t, srv, ak, sk), "OSSFS_ENDPOINT=http://127.0.0.1:1")
	cases := []struct {
		name  string
		env   []string
		args  []string
		cause []string // every fragment must appear in the error line
	}{
		{"unknown flag", env, []string{"mount", "--no-such-flag", testBucket, mnt}, []string{"no-such-flag"}},
		{"bad flag value", env, []string{"mount", "--file-mode", "rwx", testBucket, mnt}, []string{"file-mode"}},
		{"bad size", env, []string{"mount", "--memory-budget", "lots", testBucket, mnt}, []string{"memory-budget"}},
		{"missing mountpoint arg", env, []string{"mount", testBucket}, []string{"MOUNTPOINT"}},
		{"missing mountpoint", env, []string{"mount", testBucket, mnt + "/nope"}, []string{"does not exist"}},
		{"not a directory", env, []string{"mount", testBucket, file}, []string{"not a directory"}},
		{"malformed bucket", env, []string{"mount", "Bad_Bucket", mnt}, []string{"Bad_Bucket"}},
		{"unreachable endpoint", unreachable, []string{"mount", testBucket, mnt}, []string{"127.0.0.1:1"}},
		{"wrong secret", wrongSecret, []string{"mount", testBucket, mnt}, []string{"SignatureDoesNotMatch"}},
		{"unknown access key", unknownKey, []string{"mount", testBucket, mnt}, []string{"InvalidAccessKeyId"}},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			start := time.Now()
			code, out := runOssfs(t, c.env, c.args...)
			el := time.Since(start).Round(time.Millisecond)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			var errLines []string
			for _, l := range lines {
				if strings.HasPrefix(l, "ossfs: ") {
					errLines = append(errLines, l)
				}
			}
			t.Logf("exit %d after %v: %s", code, el, strings.TrimSpace(out))
			if code == 0 {
				t.Errorf("exit 0, want non-zero")
			}
			if len(errLines) != 1 {
				t.Fatalf("want one line \"ossfs: <cause>\", got %d:\n%s", len(errLines), out)
			}
			for _, f := range c.cause {
				if !strings.Contains(errLines[0], f) {
					t.Errorf("error line %q does not name %q", errLines[0], f)
				}
			}
			if len(lines) != 1 {
				knownBugf(t, "cmd/ossfs: %d lines printed besides the error line (usage text after a flag error; "+
					"ossapi's warn log of the failed access check before it)", len(lines)-1)
			}
			for _, secret := range []string{sk, "Wrong" + sk[5:]} {
				if strings.Contains(out, secret) {
					t.Errorf("a secret was printed: %q", out)
				}
			}
			if mountedAt(mnt) {
				t.Errorf("%s got mounted", mnt)
				exec.Command("umount", "-l", mnt).Run()
			}
		})
	}
}
