package integration

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/fs"
	"github.com/ossfs/ossfs/ossapi"
)

// Issue 6, scenario 1: retryable errors, bodies reset mid-stream and
// stalled bodies are invisible to readers: byte-identical data, no error.

// faultCounts summarises the emulator's request log: injected error
// answers, GETs, and ranged GET bodies that ended short (cut or stalled
// and abandoned).
func faultCounts(srv *emulator.Server) (errs, gets, short int) {
	for _, e := range srv.Requests() {
		if e.Status == 500 || e.Status == 503 || e.Status == 429 {
			errs++
		}
		if e.API != "GetObject" {
			continue
		}
		gets++
		var first, last int64
		if _, err := fmt.Sscanf(e.Range, "bytes=%d-%d", &first, &last); err == nil && e.Status == 206 && e.Bytes < last-first+1 {
			short++
		}
	}
	return errs, gets, short
}

func TestFaultsLargeObjectAndTree(t *testing.T) {
	requireFUSE(t)
	bigSize := pick[int64](256<<20, 1<<30)
	const nFiles = 2000
	srv := startEmulator(t, emulator.Options{})
	if _, err := srv.PutObjectGenerated(testBucket, "big.bin", bigSize, 42); err != nil {
		t.Fatal(err)
	}
	bigSum := sha256Hex(emulator.GeneratedData(bigSize, 42))
	rnd := rand.New(rand.NewSource(1))
	want := map[string]string{}
	for i := range nFiles {
		key := fmt.Sprintf("tree/d%02d/f%04d.dat", i%20, i)
		data := emulator.GeneratedData(int64(1+rnd.Intn(16<<10)), int64(i))
		if _, err := srv.PutObject(testBucket, key, data); err != nil {
			t.Fatal(err)
		}
		want[key] = sha256Hex(data)
	}
	log := &logBuf{}
	m := mount(t, newClient(t, srv, nil, log, nil), fs.Options{})
	srv.SetFaults(emulator.Faults{ErrorRate: 0.05, ResetRate: 0.01, Seed: 7})
	srv.ResetCounts()

	start := time.Now()
	out := mustSh(t, "sha256sum", m.path("big.bin"))
	el := time.Since(start)
	if got, _, _ := strings.Cut(out, " "); got != bigSum {
		t.Fatalf("sha256sum big.bin under faults = %s, want %s", got, bigSum)
	}
	errs, gets, short := faultCounts(srv)
	t.Logf("FIGURE scenario 1: %d MiB object read under 5%% errors + 1%% resets in %v: %.1f MB/s, %d GETs, %d injected error answers, %d bodies cut",
		bigSize>>20, el.Round(time.Millisecond), float64(bigSize)/1e6/el.Seconds(), gets, errs, short)

	srv.ResetCounts()
	start = time.Now()
	r := sh(t, 5*time.Minute, "sh", "-c", `cd "$1" && find tree -type f -exec sha256sum {} +`, "sh", m.dir)
	if r.err != nil {
		t.Fatalf("sha256sum of the tree under faults: %v\n%s", r.err, r.stderr)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		sum, p, _ := strings.Cut(line, "  ")
		got[p] = sum
	}
	if len(got) != nFiles {
		t.Errorf("tree: %d files hashed, want %d", len(got), nFiles)
	}
	for k, sum := range want {
		if got[k] != sum {
			t.Errorf("tree: %s hashed %q, want %q", k, got[k], sum)
		}
	}
	errs, gets, short = faultCounts(srv)
	t.Logf("FIGURE scenario 1: %d small files hashed under faults in %v, %d GETs, %d injected error answers, %d bodies cut",
		nFiles, time.Since(start).Round(time.Millisecond), gets, errs, short)
	if errs == 0 {
		t.Errorf("no error was injected: the scenario tested nothing")
	}
	if n := m.log.count("I/O error"); n != 0 {
		t.Errorf("the filesystem logged %d I/O errors under retryable faults:\n%s", n, m.log)
	}
}

func TestFaultsStalledBodiesResume(t *testing.T) {
	requireFUSE(t)
	const size = 32 << 20
	const stallTimeout = 300 * time.Millisecond
	srv := startEmulator(t, emulator.Options{})
	if _, err := srv.PutObjectGenerated(testBucket, "stall.bin", size, 9); err != nil {
		t.Fatal(err)
	}
	sum := sha256Hex(emulator.GeneratedData(size, 9))
	c := newClient(t, srv, nil, nil, func(cfg *ossapi.Config) { cfg.StallTimeout = stallTimeout })
	m := mount(t, c, fs.Options{})
	// A stall outlasts the whole test: only resuming gets the data.
	srv.SetFaults(emulator.Faults{StallRate: 0.2, StallFor: 10 * time.Minute, Seed: 3})
	srv.ResetCounts()

	start := time.Now()
	r := sh(t, time.Minute, "sha256sum", m.path("stall.bin"))
	if r.err != nil {
		t.Fatalf("sha256sum under stalls: %v %s", r.err, r.stderr)
	}
	if got, _, _ := strings.Cut(r.stdout, " "); got != sum {
		t.Fatalf("sha256sum under stalls = %s, want %s", got, sum)
	}
	el := time.Since(start)
	_, gets, stalled := faultCounts(srv)
	t.Logf("FIGURE scenario 1: 32 MiB read with 20%% of bodies stalled for 10 min (stall timeout %v): %v, %d GETs, %d stalled and resumed",
		stallTimeout, el.Round(time.Millisecond), gets, stalled)
	if stalled == 0 {
		t.Errorf("no body stalled: the scenario tested nothing")
	}
}
