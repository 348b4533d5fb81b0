package integration

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/emulator"
)

// The benchmark measures the real daemon: the ossfs binary, built once per
// run, mounted as a child process against the emulator in this process,
// so that its peak RSS is its own and not the emulator's.

// benchDaemon is one running `ossfs mount`.
type benchDaemon struct {
	cmd    *exec.Cmd
	dir    string
	stderr *bytes.Buffer
	exited chan struct{}
}

// benchStartDaemon mounts testBucket at a fresh directory with the binary and
// waits until the mount is live. extra flags go after the defaults.
func benchStartDaemon(b testing.TB, bin string, srv *emulator.Server, extra ...string) *benchDaemon {
	b.Helper()
	dir, err := os.MkdirTemp("", "ossfs-bench-mnt-")
	if err != nil {
		b.Fatal(err)
	}
	ak, sk := srv.NewUser()
	args := append([]string{"mount", "--endpoint", srv.Endpoint(), "--region", srv.Region(),
		"--path-style", "--log-level", "warn"}, extra...)
	args = append(args, testBucket, dir)
	d := &benchDaemon{cmd: exec.Command(bin, args...), dir: dir, stderr: &bytes.Buffer{}, exited: make(chan struct{})}
	d.cmd.Env = append(os.Environ(),
		creds.EnvAccessKeyID+"="+ak, creds.EnvAccessKeySecret+"="+sk, "HOME="+dir+".home")
	d.cmd.Stderr = d.stderr
	if err := d.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() { d.cmd.Wait(); close(d.exited) }()
	b.Cleanup(d.stop)
	deadline := time.Now().Add(30 * time.Second)
	for !benchIsMounted(dir) {
		select {
		case <-d.exited:
			b.Fatalf("ossfs mount exited before mounting: %s", d.stderr)
		default:
		}
		if time.Now().After(deadline) {
			b.Fatalf("ossfs mount: not mounted within 30s: %s", d.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v := os.Getenv("OSSFS_BENCH_RA_KB"); v != "" {
		if err := os.WriteFile(d.bdiFile(), []byte(v), 0); err != nil {
			b.Fatalf("set read_ahead_kb: %v", err)
		}
	}
	return d
}

// bdiFile is the read_ahead_kb file of the mount's backing device.
func (d *benchDaemon) bdiFile() string {
	var st syscall.Stat_t
	if err := syscall.Stat(d.dir, &st); err != nil {
		return ""
	}
	dev := uint64(st.Dev)
	return fmt.Sprintf("/sys/class/bdi/%d:%d/read_ahead_kb", unix.Major(dev), unix.Minor(dev))
}

// readaheadKB is the kernel readahead in force for the mount.
func (d *benchDaemon) readaheadKB() string {
	data, err := os.ReadFile(d.bdiFile())
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(data))
}

// stop unmounts (SIGTERM, as systemd would) and removes the directory.
func (d *benchDaemon) stop() {
	select {
	case <-d.exited:
	default:
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.exited:
		case <-time.After(15 * time.Second):
			syscall.Unmount(d.dir, syscall.MNT_DETACH)
			d.cmd.Process.Kill()
			<-d.exited
		}
	}
	os.Remove(d.dir)
}

func (d *benchDaemon) path(p string) string { return filepath.Join(d.dir, p) }

// benchIsMounted reports whether dir is a mount point (from mountinfo).
func benchIsMounted(dir string) bool {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) > 4 && fields[4] == dir {
			return true
		}
	}
	return false
}

// benchProcStatusKB reads one "Name: N kB" field of /proc/<pid>/status.
func benchProcStatusKB(pid int, name string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

// peakRSS is the daemon's VmHWM in bytes.
func (d *benchDaemon) peakRSS() int64 { return benchProcStatusKB(d.cmd.Process.Pid, "VmHWM") << 10 }

// rss is the daemon's current VmRSS in bytes.
func (d *benchDaemon) rss() int64 { return benchProcStatusKB(d.cmd.Process.Pid, "VmRSS") << 10 }

// resetPeakRSS restarts VmHWM from the current RSS (clear_refs 5).
func (d *benchDaemon) resetPeakRSS() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", d.cmd.Process.Pid), []byte("5"), 0)
}

// benchDefaultBudget reads the default --memory-budget from `ossfs mount --help`,
// the number users are told.
func benchDefaultBudget(b testing.TB, bin string) (string, int64) {
	b.Helper()
	out, _ := exec.Command(bin, "mount", "--help").CombinedOutput()
	m := regexp.MustCompile(`--memory-budget value[^\n]*\(default: "?([0-9]+)([KMG]i?B?)?"?`).FindSubmatch(out)
	if m == nil {
		return "?", 0
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	switch strings.TrimSuffix(strings.TrimSuffix(string(m[2]), "B"), "i") {
	case "K":
		n <<= 10
	case "M":
		n <<= 20
	case "G":
		n <<= 30
	}
	return string(m[1]) + string(m[2]), n
}

// benchDropPageCache empties the kernel page cache so that a read reaches the
// benchDaemon again (FOPEN_KEEP_CACHE would otherwise serve a re-read).
func benchDropPageCache(b testing.TB) {
	b.Helper()
	syscall.Sync()
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("1"), 0); err != nil {
		b.Fatalf("drop page cache: %v", err)
	}
}
