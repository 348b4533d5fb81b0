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
func startLegacy(t *testing.T, e *testEmulator, mnt string) (*exec.Cmd, *os.File, int) {
	t.Helper()
	e.SetFaults(emulator.Faults{Latency: 2 * time.Second}) // the bucket check takes a while
	parent := exec.Command(ossfsBin(t), "bkt", mnt, "-o", "use_path_request_style,url="+e.Endpoint())
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
	parent, _, child := startLegacy(t, e, mnt)
	parent.Process.Kill()
	parent.Wait()
	waitGone(t, child, mnt, 30*time.Second)
}
