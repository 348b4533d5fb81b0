package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/internal/testbin"
)

// SIGHUP (the terminal went away) unmounts cleanly, like SIGTERM.
func TestBinarySIGHUPUnmounts(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{})
	mnt := t.TempDir()
	m := startMounted(t, e.env(), "mount", "--path-style", "bkt", mnt)
	if code := m.stop(t, syscall.SIGHUP); code != 0 || isMounted(t, mnt) {
		t.Errorf("SIGHUP: exit %d, still mounted %v\n%s", code, isMounted(t, mnt), m.stderr.String())
	}
}

// legacyChild finds the background `ossfs mount --ready-fd=3 ... mnt` of
// the 1.x form by its command line.
func legacyChild(t *testing.T, mnt string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		if len(args) > 2 && args[1] == "mount" && args[2] == "--ready-fd=3" && args[len(args)-1] == mnt {
			return pid
		}
	}
	return 0
}

// processGone reports whether pid has exited (gone, or a zombie).
func processGone(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z' || s[i+2] == 'X'
}

// startLegacy starts the 1.x form against a slow emulator and waits until
// its background child exists; it returns the parent and the child's pid.
func startLegacy(t *testing.T, e *testEmulator, mnt string, latency time.Duration) (*exec.Cmd, *os.File, int) {
	t.Helper()
	e.SetFaults(emulator.Faults{Latency: latency}) // the bucket check takes a while
	parent := exec.Command(testbin.Path(t), "bkt", mnt, "-o", "use_path_request_style,url="+e.Endpoint())
	parent.Env = e.env()
	// A file, not a pipe: the child inherits it, and Wait must not wait
	// for the child to close it.
	stderr, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stderr.Close() })
	parent.Stderr = stderr
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		parent.Process.Kill()
		parent.Wait()
		if pid := legacyChild(t, mnt); pid != 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		syscall.Unmount(mnt, syscall.MNT_DETACH)
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if pid := legacyChild(t, mnt); pid != 0 {
			return parent, stderr, pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("no background child for %s", mnt)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitGone waits for pid to exit, then asserts nothing is mounted on mnt.
func waitGone(t *testing.T, pid int, mnt string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("background child %d still running after %v (mounted: %v)", pid, within, isMounted(t, mnt))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if isMounted(t, mnt) {
		t.Fatalf("background child exited but left %s mounted", mnt)
	}
}

// The 1.x form's parent killed outright (no signal to forward) while its
// child checks the bucket: the child mounts, finds nobody to report to,
// unmounts and exits.
func TestBinaryLegacyParentKilledLeavesNoMount(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{})
	mnt := t.TempDir()
	parent, _, child := startLegacy(t, e, mnt, 2*time.Second)
	parent.Process.Kill()
	parent.Wait()
	waitGone(t, child, mnt, 30*time.Second)
}

// ossfsRequests counts the OSS and STS requests the emulator has seen.
func ossfsRequests(e *testEmulator) int64 {
	var n int64
	for _, c := range e.Counts() {
		n += c
	}
	return n
}

// A signal during the bucket check (slow here: 20 s per request) ends
// ossfs at once, unmounted, with one line and 128+signal.
func TestBinarySignalBeforeMount(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{})
	e.SetFaults(emulator.Faults{Latency: 20 * time.Second})
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		mnt := t.TempDir()
		cmd := exec.Command(testbin.Path(t), "mount", "--path-style", "bkt", mnt)
		cmd.Env = e.env()
		stderr := &syncBuffer{}
		cmd.Stderr = stderr
		before := ossfsRequests(e)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for ossfsRequests(e) == before { // the check is under way
			time.Sleep(10 * time.Millisecond)
		}
		start := time.Now()
		cmd.Process.Signal(tc.sig)
		err := cmd.Wait()
		code := cmd.ProcessState.ExitCode()
		if lines := errorLines(stderr.String()); code != tc.code || len(lines) != 1 ||
			!strings.Contains(lines[0], "interrupted before mounting") || time.Since(start) > 10*time.Second {
			t.Errorf("%v during the check: exit %d (%v) after %v, stderr:\n%s", tc.sig, code, err, time.Since(start), stderr.String())
		}
		if isMounted(t, mnt) {
			t.Errorf("%v during the check: %s is mounted", tc.sig, mnt)
		}
	}
}

// Ctrl-C on the 1.x form while its child checks the bucket reaches the
// child: both end, nothing is mounted, the parent says why.
func TestBinaryLegacyInterruptedLeavesNoMount(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{})
	mnt := t.TempDir()
	parent, stderr, child := startLegacy(t, e, mnt, 20*time.Second)
	for ossfsRequests(e) == 0 { // the child's bucket check is under way
		time.Sleep(10 * time.Millisecond)
	}
	parent.Process.Signal(syscall.SIGINT)
	parent.Wait()
	waitGone(t, child, mnt, 10*time.Second)
	out, _ := os.ReadFile(stderr.Name())
	if code := parent.ProcessState.ExitCode(); code != 130 || !strings.Contains(string(out), "ossfs: interrupted before mounting (SIGINT)") {
		t.Errorf("parent: exit %d, stderr:\n%s", code, out)
	}
}
