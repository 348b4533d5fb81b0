package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/internal/testbin"
)

func TestBinaryVersionAndHelp(t *testing.T) {
	out, _, code := runOssfs(t, cleanEnv(), "version")
	if code != 0 || !strings.HasPrefix(out, "ossfs ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
	out, _, code = runOssfs(t, cleanEnv(), "mount", "--help")
	if code != 0 {
		t.Fatalf("mount --help: exit %d", code)
	}
	for _, f := range mountFlags() {
		name := f.Names()[0]
		if name == flagReadyFD {
			if strings.Contains(out, name) {
				t.Errorf("hidden flag --%s shows in --help", name)
			}
			continue
		}
		if !strings.Contains(out, "--"+name) || !strings.Contains(out, env(name)[0]) {
			t.Errorf("mount --help does not show --%s with $%s", name, env(name)[0])
		}
	}
}

// Every pre-mount failure exits 1 before mounting, with one line naming
// the cause.
func TestBinaryPreMountFailures(t *testing.T) {
	e := startEmulator(t, emulator.Options{})
	skewed := startEmulator(t, emulator.Options{Now: func() time.Time { return time.Now().Add(time.Hour) }})
	if err := e.AddRole("acs:ram::1:role/other-bucket-only", emulator.Role{
		Policy: `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:*"],"Resource":["acs:oss:*:*:other","acs:oss:*:*:other/*"]}]}`,
	}); err != nil {
		t.Fatal(err)
	}
	mnt := t.TempDir()
	file := filepath.Join(mnt, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wrongKey := append(e.env(), "ALIBABA_CLOUD_ACCESS_KEY_SECRET=wrong")
	cases := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"no such bucket", e.env(), []string{"--path-style", "nope", mnt}, "no such bucket"},
		{"invalid key", wrongKey, []string{"--path-style", "bkt", mnt}, "invalid key"},
		{"access denied", e.env(), []string{"--path-style", "--role-arn=acs:ram::1:role/other-bucket-only", "bkt", mnt}, "access denied"},
		{"role does not exist", e.env(), []string{"--path-style", "--role-arn=acs:ram::1:role/nope", "bkt", mnt}, "credentials: STS AssumeRole failed with EntityNotExist.Role (check --role-arn"},
		{"wrong secret signing AssumeRole", wrongKey, []string{"--path-style", "--role-arn=" + emulatorRoleARN, "bkt", mnt}, "credentials: STS AssumeRole failed with SignatureDoesNotMatch"},
		{"clock skew", skewed.env(), []string{"--path-style", "bkt", mnt}, "clock skew"},
		{"unreachable", e.env(), []string{"--path-style", "--endpoint=http://127.0.0.1:1", "bkt", mnt}, "endpoint unreachable"},
		{"no credentials", append(cleanEnv(), "OSSFS_ENDPOINT="+e.Endpoint(), "OSSFS_REGION="+e.Region()), []string{"--path-style", "bkt", mnt}, "no credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID"},
		{"missing mountpoint", e.env(), []string{"bkt", filepath.Join(mnt, "missing")}, "does not exist"},
		{"mountpoint is a file", e.env(), []string{"bkt", file}, "is not a directory"},
		{"already a mount", e.env(), []string{"bkt", "/proc"}, "is already a mount"},
		{"bad option", e.env(), []string{"--signature-version=3", "bkt", mnt}, "must be 1 or 4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runOssfs(t, tc.env, append([]string{"mount"}, tc.args...)...)
			lines := errorLines(stderr)
			if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Errorf("exit %d, error lines %q; want exit 1 and one line containing %q\nstderr:\n%s", code, lines, tc.want, stderr)
			}
			if len(lines) == 1 && strings.TrimSpace(stderr) != lines[0] {
				t.Errorf("more than the error line on stderr at the default log level:\n%s", stderr)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, e.SK) {
				t.Errorf("stack trace or secret in stderr:\n%s", stderr)
			}
			if isMounted(t, mnt) {
				t.Errorf("mounted despite the failure")
			}
		})
	}
}

// errorLines are the "ossfs: ..." lines (the rest is the slog log).
func errorLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "ossfs: ") {
			out = append(out, l)
		}
	}
	return out
}

// The emulator command's output, sourced by a shell, mounts a bucket with
// static keys.
func TestBinaryEmulatorEnvMountsWithStaticKeys(t *testing.T) {
	requireFUSE(t)
	seed := t.TempDir()
	if err := os.MkdirAll(filepath.Join(seed, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(seed, "sub", "f.txt"), []byte("seeded\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	emu := exec.Command(testbin.Path(t), "emulator", "--bucket", "seeded="+seed)
	emu.Env = cleanEnv()
	stdout, err := emu.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Process.Signal(syscall.SIGTERM); emu.Wait() })
	vars := map[string]string{}
	sc := bufio.NewScanner(stdout)
	for len(vars) < 6 && sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			t.Fatalf("emulator printed %q, not KEY=VALUE", sc.Text())
		}
		vars[k] = v
	}
	for _, k := range []string{"OSSFS_ENDPOINT", "OSSFS_REGION", "OSSFS_STS_ENDPOINT", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "OSSFS_EMULATOR_ROLE_ARN"} {
		if vars[k] == "" {
			t.Fatalf("emulator did not print %s (got %v)", k, vars)
		}
	}
	env := cleanEnv()
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	for _, viaSTS := range []bool{false, true} {
		mnt := t.TempDir()
		args := []string{"mount", "--path-style", "seeded", mnt}
		if viaSTS {
			args = []string{"mount", "--path-style", "--role-arn", vars["OSSFS_EMULATOR_ROLE_ARN"], "seeded", mnt}
		}
		m := startMounted(t, env, args...)
		got, err := os.ReadFile(filepath.Join(mnt, "sub", "f.txt"))
		if err != nil || string(got) != "seeded\n" {
			t.Errorf("sts=%v: read through the mount: %q, %v", viaSTS, got, err)
		}
		if code := m.stop(t, syscall.SIGTERM); code != 0 || isMounted(t, mnt) {
			t.Errorf("sts=%v: SIGTERM: exit %d, still mounted %v\n%s", viaSTS, code, isMounted(t, mnt), m.stderr.String())
		}
	}
}

// Through STS with a short token lifetime, reads keep working across
// several renewals.
func TestBinaryRoleARNRenewals(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{MinSTSDuration: 2 * time.Second})
	mnt := t.TempDir()
	m := startMounted(t, e.env(), "mount", "--path-style", "--role-arn", emulatorRoleARN,
		"--credential-duration=2s", "--metadata-ttl=0", "--negative-ttl=0", "bkt", mnt)
	deadline := time.Now().Add(45 * time.Second)
	reads := 0
	for e.Count("AssumeRole") < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d AssumeRole calls after %d reads", e.Count("AssumeRole"), reads)
		}
		got, err := os.ReadFile(filepath.Join(mnt, "hello.txt"))
		if err != nil || string(got) != "hello, world\n" {
			t.Fatalf("read %d after %d renewals: %q, %v\n%s", reads, e.Count("AssumeRole"), got, err, m.stderr.String())
		}
		reads++
	}
	if code := m.stop(t, syscall.SIGINT); code != 0 {
		t.Errorf("SIGINT: exit %d", code)
	}
}

// The ossfs 1.x form returns only once the mount serves, and reports a
// failure of its background child.
func TestBinaryLegacyForm(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{})
	mnt := t.TempDir()
	_, stderr, code := runOssfs(t, e.env(), "bkt:/dir", mnt, "-o", "ro,_netdev,use_path_request_style,url="+e.Endpoint()+",stat_cache_expire=30")
	if code != 0 {
		t.Fatalf("1.x form: exit %d\n%s", code, stderr)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	// No waiting: the parent returned, so the mount serves.
	got, err := os.ReadFile(filepath.Join(mnt, "sub", "b.txt"))
	if err != nil || string(got) != "b\n" {
		t.Errorf("read right after return: %q, %v", got, err)
	}
	if err := syscall.Unmount(mnt, 0); err != nil {
		t.Errorf("umount: %v", err)
	}

	_, stderr, code = runOssfs(t, e.env(), "nope", mnt, "-o", "use_path_request_style,url="+e.Endpoint())
	if lines := errorLines(stderr); code == 0 || len(lines) != 1 || !strings.Contains(lines[0], "no such bucket") {
		t.Errorf("1.x form, missing bucket: exit %d, stderr:\n%s", code, stderr)
	}
	_, stderr, code = runOssfs(t, e.env(), "bkt", mnt, "-o", "bogus_option")
	if code == 0 || !strings.Contains(stderr, `unknown -o option "bogus_option"`) {
		t.Errorf("1.x form, unknown option: exit %d, stderr:\n%s", code, stderr)
	}
}

// SIGTERM while readers hold files open: the mount goes away and ossfs
// exits 0.
func TestBinarySIGTERMUnderLoad(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{})
	mnt := t.TempDir()
	m := startMounted(t, e.env(), "mount", "--path-style", "bkt", mnt)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	started := make(chan struct{}, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := os.Open(filepath.Join(mnt, "big.bin"))
			if err != nil {
				started <- struct{}{}
				return
			}
			defer f.Close()
			started <- struct{}{}
			buf := make([]byte, 1<<20)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := f.Read(buf); err == io.EOF {
					f.Seek(0, io.SeekStart)
				} else if err != nil {
					return // the mount went away under us: expected
				}
			}
		}()
	}
	for range 4 {
		<-started
	}
	code := m.stop(t, syscall.SIGTERM)
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Errorf("SIGTERM under load: exit %d\n%s", code, m.stderr.String())
	}
	if isMounted(t, mnt) {
		t.Errorf("still mounted after SIGTERM")
	}
}

// A mount whose process died is named as stale, with the fix.
func TestBinaryStaleMount(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{})
	mnt := t.TempDir()
	m := startMounted(t, e.env(), "mount", "--path-style", "bkt", mnt)
	m.cmd.Process.Kill()
	<-m.done
	m.done <- nil
	_, stderr, code := runOssfs(t, e.env(), "mount", "--path-style", "bkt", mnt)
	if lines := errorLines(stderr); code != 1 || len(lines) != 1 || !strings.Contains(lines[0], "stale, disconnected ossfs mount") || !strings.HasSuffix(lines[0], "clear it with: umount -l "+mnt) {
		t.Errorf("stale mount: exit %d, stderr:\n%s", code, stderr)
	}
	if err := syscall.Unmount(mnt, syscall.MNT_DETACH); err != nil {
		t.Errorf("clear stale mount: %v", err)
	}
}

// `ossfs demo` mounts the sample bucket through STS and exits 0 on Ctrl-C.
func TestBinaryDemo(t *testing.T) {
	requireFUSE(t)
	mnt := filepath.Join(t.TempDir(), "demo")
	m := startMounted(t, cleanEnv(), "demo", mnt)
	// The help is written before READY=1, but its copy out of the pipe may lag.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(m.stdout.String(), "Press Ctrl-C") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(m.stdout.String(), "Press Ctrl-C") {
		t.Errorf("demo did not print what to try:\n%s", m.stdout.String())
	}
	fi, err := os.Stat(filepath.Join(mnt, "data", "big.bin"))
	if err != nil || fi.Size() < 64<<20 {
		t.Errorf("big file: %v, %v", fi, err)
	}
	if target, err := os.Readlink(filepath.Join(mnt, "latest.csv")); err != nil || target != "data/numbers.csv" {
		t.Errorf("symlink: %q, %v", target, err)
	}
	if fi, err := os.Stat(filepath.Join(mnt, "logs", "2024", "01")); err != nil || !fi.IsDir() {
		t.Errorf("implicit directory: %v, %v", fi, err)
	}
	csv, err := os.ReadFile(filepath.Join(mnt, "latest.csv"))
	if err != nil || !bytes.HasPrefix(csv, []byte("n,square\n")) {
		t.Errorf("read through symlink: %q, %v", csv, err)
	}
	if err := os.WriteFile(filepath.Join(mnt, "new"), nil, 0o644); err == nil {
		t.Errorf("write succeeded on the read-only demo mount")
	}
	if code := m.stop(t, syscall.SIGINT); code != 0 || isMounted(t, mnt) {
		t.Errorf("Ctrl-C: exit %d, mounted %v\n%s", code, isMounted(t, mnt), m.stderr.String())
	}
}
