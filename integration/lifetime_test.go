package integration

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/fs"
)

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// Issue 4, lifetime: nodes live only as long as the kernel remembers them.
// After `find` over 200k objects and drop_caches, the kernel FORGETs every
// inode and the
// filesystem's heap returns near its baseline: what remains is bounded by
// the metadata cache (CacheEntries), not by the number of objects seen.
func TestForgetReturnsHeapToBaseline(t *testing.T) {
	requireFUSE(t)
	dirs, perDir := 200, 1000
	srv := startEmulator(t, emulator.Options{})
	for d := 0; d < dirs; d++ {
		for f := 0; f < perDir; f++ {
			if _, err := srv.PutObject(testBucket, fmt.Sprintf("d%03d/f%04d.txt", d, f), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	c := newClient(t, srv, nil, nil, nil)
	const cacheEntries = 1000
	m := mount(t, c, fs.Options{CacheEntries: cacheEntries, MetadataTTL: time.Minute})

	base := heapInUse()
	// -ls stats every entry: the kernel looks each one up (READDIRPLUS).
	r := sh(t, 5*time.Minute, "find", m.dir, "-ls")
	if r.err != nil {
		t.Fatalf("find: %v\n%s", r.err, r.stderr)
	}
	if got, want := strings.Count(r.stdout, ".txt\n"), dirs*perDir; got != want {
		t.Fatalf("find listed %d files, want %d", got, want)
	}
	afterFind := heapInUse()

	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0); err != nil {
		t.Fatalf("drop_caches: %v", err)
	}
	// FORGETs arrive asynchronously and in batches: wait (bounded) for
	// the heap to come back within the allowance asserted below.
	const allowance = 16 << 20
	var afterDrop uint64
	deadline := time.Now().Add(30 * time.Second)
	for {
		afterDrop = heapInUse()
		if afterDrop <= base+allowance || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
		os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0) // dentries freed late release inodes late
	}
	mib := func(b uint64) float64 { return float64(b) / (1 << 20) }
	t.Logf("FIGURE lifetime: %d objects; heap in use: baseline %.1f MiB, after find %.1f MiB, after drop_caches %.1f MiB",
		dirs*perDir, mib(base), mib(afterFind), mib(afterDrop))
	// The find must have cost real memory (one node per object), or this
	// test shows nothing; and after the kernel forgets, the nodes must be
	// gone: what is left is within a small fixed allowance (cache entries,
	// pooled buffers).
	if grew := afterFind - min(afterFind, base); grew < uint64(dirs*perDir)*100 {
		t.Fatalf("find grew the heap by only %.1f MiB for %d nodes: the measurement is blind", mib(grew), dirs*perDir)
	}
	if left := afterDrop - min(afterDrop, base); left > allowance {
		t.Errorf("%.1f MiB still in use after drop_caches (baseline %.1f, after find %.1f): nodes were not freed",
			mib(left), mib(base), mib(afterFind))
	}
}
