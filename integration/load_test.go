package integration

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
)

// Issue 6, scenario 8: 32 concurrent readers, half sequential and half
// random, plus `ls -lR` loops, against the real daemon: no deadlock,
// bounded goroutines and threads, peak RSS within the memory budget plus
// a fixed overhead.

// The fixed overhead: go-fuse's READ buffers (64 background requests of
// up to 1 MiB each), the GC's headroom (GOGC=100 lets the heap reach twice
// the live data, the budget's buffers included), runtime, metadata cache
// and HTTP pool. Observed peaks: 148-194 MiB in the 15 s form, 238 MiB in
// the 2 min form.
const (
	loadBudgetMiB   = 64
	loadOverheadMiB = 224
)

func TestBinaryLoad(t *testing.T) {
	requireFUSE(t)
	const (
		nBig    = 8
		bigSize = 64 << 20
		readers = 32
	)
	loadFor := pick(15*time.Second, 2*time.Minute)
	srv := startEmulator(t, emulator.Options{})
	want := make([][]byte, nBig)
	for i := range nBig {
		if _, err := srv.PutObjectGenerated(testBucket, fmt.Sprintf("big/f%d.bin", i), bigSize, int64(100+i)); err != nil {
			t.Fatal(err)
		}
		want[i] = emulator.GeneratedData(bigSize, int64(100+i))
	}
	tree := map[string]string{}
	for i := range 300 {
		tree[fmt.Sprintf("tree/d%02d/f%03d.txt", i%15, i)] = fmt.Sprintf("file %d\n", i)
	}
	put(t, srv, tree)
	ak, sk := srv.NewUser()
	mnt := t.TempDir()
	// GOTRACEBACK=all: the SIGQUIT dump at the end lists every goroutine.
	env := append(daemonEnv(t, srv, ak, sk), "GOTRACEBACK=all")
	d := startOssfs(t, env, mnt, "--memory-budget", fmt.Sprintf("%dMiB", loadBudgetMiB))
	pid := d.cmd.Process.Pid

	stop := make(chan struct{})
	var wg sync.WaitGroup
	ops := make([]atomic.Int64, readers+2)
	var failures atomic.Int64
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 10 {
			t.Errorf(format, args...)
		}
	}
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewSource(int64(i)))
			for !stopped() {
				n := rnd.Intn(nBig)
				p := filepath.Join(mnt, fmt.Sprintf("big/f%d.bin", n))
				if i%2 == 0 {
					// Sequential: a stretch of the file from a random start.
					f, err := os.Open(p)
					if err != nil {
						fail("reader %d: %v", i, err)
						continue
					}
					off := int64(rnd.Intn(bigSize/2)) &^ 4095
					got, err := io.ReadAll(io.LimitReader(io.NewSectionReader(f, off, bigSize), 8<<20))
					f.Close()
					if err != nil || !bytes.Equal(got, want[n][off:off+int64(len(got))]) || len(got) != 8<<20 {
						fail("reader %d: sequential read of f%d at %d: %d bytes, %v", i, n, off, len(got), err)
					}
				} else {
					// Random: O_DIRECT preads, past the page cache.
					f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_DIRECT, 0)
					if err != nil {
						fail("reader %d: %v", i, err)
						continue
					}
					buf := alignedBuf(64 << 10)
					for range 16 {
						off := int64(rnd.Intn(bigSize/len(buf))) * int64(len(buf))
						k, err := f.ReadAt(buf, off)
						if err != nil || !bytes.Equal(buf[:k], want[n][off:off+int64(k)]) {
							fail("reader %d: random read of f%d at %d: %v", i, n, off, err)
						}
					}
					f.Close()
				}
				ops[i].Add(1)
			}
		}()
	}
	for j := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stopped() {
				r := sh(t, time.Minute, "ls", "-lR", mnt)
				if r.err != nil {
					fail("ls -lR: %v %s", r.err, r.stderr)
				}
				ops[readers+j].Add(1)
			}
		}()
	}

	// Sample threads while the load runs; the load's duration is the
	// scenario itself.
	maxThreads := int64(0)
	deadline := time.Now().Add(loadFor)
	for time.Now().Before(deadline) {
		st, err := procStatus(pid, "Threads")
		if err != nil {
			t.Fatalf("daemon gone during the load: %v\n%s", err, d.stderr)
		}
		maxThreads = max(maxThreads, st["Threads"])
		time.Sleep(200 * time.Millisecond)
	}
	close(stop)
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(time.Minute):
		t.Fatalf("readers did not finish within a minute of the stop: deadlock?")
	}
	total := int64(0)
	for i := range ops {
		if ops[i].Load() == 0 {
			t.Errorf("worker %d made no progress", i)
		}
		total += ops[i].Load()
	}

	st, err := procStatus(pid, "VmHWM", "VmRSS", "Threads")
	if err != nil {
		t.Fatal(err)
	}
	peakMiB := st["VmHWM"] >> 10
	t.Logf("FIGURE scenario 8: %d readers + 2 ls -lR loops for %v: %d operations, %d failures; daemon peak RSS (VmHWM) %d MiB with --memory-budget %dMiB (bound %d MiB = budget + %d MiB overhead), RSS now %d MiB, max threads %d",
		readers, loadFor, total, failures.Load(), peakMiB, loadBudgetMiB, loadBudgetMiB+loadOverheadMiB, loadOverheadMiB, st["VmRSS"]>>10, maxThreads)
	if peakMiB > loadBudgetMiB+loadOverheadMiB {
		t.Errorf("peak RSS %d MiB exceeds the budget %d MiB + overhead %d MiB", peakMiB, loadBudgetMiB, loadOverheadMiB)
	}
	if maxThreads > 200 {
		t.Errorf("daemon reached %d threads", maxThreads)
	}

	// The mount still answers; then count the idle daemon's goroutines
	// from a SIGQUIT dump (which ends it).
	if got := mustSh(t, "cat", filepath.Join(mnt, "tree/d00/f000.txt")); got != "file 0\n" {
		t.Errorf("after the load: %q", got)
	}
	d.cmd.Process.Signal(syscall.SIGQUIT)
	d.wait(t, 30*time.Second)
	goroutines := len(regexp.MustCompile(`(?m)^goroutine \d+ [^\n]*\[`).FindAllString(d.stderr.String(), -1))
	t.Logf("FIGURE scenario 8: %d goroutines in the idle daemon after the load", goroutines)
	// Idle pooled connections hold two goroutines each (64 per host at
	// most); go-fuse keeps a few readers. A leak grows with the load.
	if goroutines == 0 || goroutines > 200 {
		t.Errorf("%d goroutines in the idle daemon after the load, want a small bounded number", goroutines)
	}
}
