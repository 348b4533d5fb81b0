package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/internal/testbin"
)

// nobody is the unprivileged user the normal-user test mounts as.
const nobody = 65534

// A normal user mounts through fusermount3 (no DirectMount), reads the
// files as that user, and unmounts cleanly on SIGTERM.
func TestBinaryMountsAsNormalUser(t *testing.T) {
	requireFUSE(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch to an unprivileged user")
	}
	if _, err := exec.LookPath("fusermount3"); err != nil {
		if os.Getenv("OSSFS_REQUIRE_FUSE") == "1" {
			t.Fatal("fusermount3 missing (apt-get install -y fuse3)")
		}
		t.Skip("fusermount3 missing (apt-get install -y fuse3)")
	}
	openDevFuse(t)
	bin, mnt, asNobody := nobodyMount(t)

	e := startEmulator(t, emulator.Options{})
	cmd := exec.Command(bin, "mount", "--path-style", "bkt", mnt)
	cmd.Env = append(e.env(), "HOME="+filepath.Dir(mnt))
	cmd.SysProcAttr = asNobody
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			cmd.Process.Kill()
			<-done
		}
		exec.Command("umount", "-l", mnt).Run()
	})

	deadline := time.Now().Add(30 * time.Second)
	for !isMounted(t, mnt) {
		select {
		case err := <-done:
			done <- err // for the cleanup
			t.Fatalf("ossfs as uid %d exited before mounting: %v\n%s", nobody, err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not mounted after 30s\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(mountOptions(t, mnt), "user_id=65534") {
		t.Errorf("mount options %q: not owned by uid %d", mountOptions(t, mnt), nobody)
	}
	cat := exec.Command("cat", filepath.Join(mnt, "dir", "a.txt"))
	cat.SysProcAttr = asNobody
	if out, err := cat.CombinedOutput(); err != nil || string(out) != "a\n" {
		t.Fatalf("cat as uid %d: %q, %v", nobody, out, err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		done <- err // for the cleanup
		if err != nil {
			t.Fatalf("SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatalf("no exit within a minute of SIGTERM\n%s", stderr.String())
	}
	if isMounted(t, mnt) {
		t.Error("still mounted after SIGTERM")
	}
}

// mountOptions returns the /proc/mounts options of the mount at dir.
func mountOptions(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile("/proc/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 4 && f[1] == dir {
			return f[3]
		}
	}
	return ""
}

// openDevFuse makes /dev/fuse usable by everyone for the test, as
// distributions ship it (some sandboxes do not), and restores it after.
func openDevFuse(t *testing.T) {
	t.Helper()
	fi, err := os.Stat("/dev/fuse")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o006 == 0o006 {
		return
	}
	if err := os.Chmod("/dev/fuse", 0o666); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod("/dev/fuse", fi.Mode().Perm()) })
}

// nobodyMount gives uid 65534 a copy of the binary and a mountpoint, and
// returns the process attributes that run a command as that user.
func nobodyMount(t *testing.T) (bin, mnt string, asNobody *syscall.SysProcAttr) {
	t.Helper()
	dir, err := os.MkdirTemp("", "ossfs-user-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin, mnt = filepath.Join(dir, "ossfs"), filepath.Join(dir, "mnt")
	data, err := os.ReadFile(testbin.Path(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, mnt} {
		if err := os.Chown(p, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	return bin, mnt, &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
}

// A normal user's mount that fusermount3 would refuse fails before it, in
// one line that says why: no access to /dev/fuse, or --allow-other
// without user_allow_other.
func TestBinaryNormalUserFUSEPrechecks(t *testing.T) {
	requireFUSE(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch to an unprivileged user")
	}
	e := startEmulator(t, emulator.Options{})
	bin, mnt, asNobody := nobodyMount(t)
	run := func(args ...string) (string, int) {
		cmd := exec.Command(bin, append([]string{"mount", "--path-style"}, args...)...)
		cmd.Env = append(e.env(), "HOME="+filepath.Dir(mnt))
		cmd.SysProcAttr = asNobody
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	check := func(what, out string, code int, want string) {
		t.Helper()
		lines := errorLines(out)
		if code != 1 || len(lines) != 1 || strings.TrimSpace(out) != lines[0] || !strings.Contains(lines[0], want) {
			t.Errorf("%s: exit %d, output %q; want exit 1 and only one line containing %q", what, code, out, want)
		}
		if isMounted(t, mnt) {
			t.Errorf("%s: mounted", what)
		}
	}

	fi, err := os.Stat("/dev/fuse")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod("/dev/fuse", 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := run("bkt", mnt)
	os.Chmod("/dev/fuse", fi.Mode().Perm())
	check("no access to /dev/fuse", out, code, "cannot mount as a normal user: open /dev/fuse: permission denied")

	if conf, err := os.Open("/etc/fuse.conf"); err == nil {
		enabled := allowsOther(conf)
		conf.Close()
		if enabled {
			return // this machine allows it: nothing to refuse
		}
	}
	openDevFuse(t)
	out, code = run("--allow-other", "bkt", mnt)
	check("--allow-other", out, code, "--allow-other needs a line user_allow_other in /etc/fuse.conf")
}
