package integration

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/fs"
	"github.com/ossfs/ossfs/fs/reader"
)

// BenchmarkSeqReadInProcess is figure 1 of issue 7 with the filesystem in
// the test process, for profiling the read path with go test's own flags:
//
//	go test -run '^$' -bench SeqReadInProcess -benchtime 3x -cpuprofile cpu.out ./integration
//
// The emulator shares the process, so its share of the profile (the
// emulator package, its net/http server) is not the daemon's cost.
// OSSFS_BENCH_GIB sets the object size (default 0.5).
func BenchmarkSeqReadInProcess(b *testing.B) {
	requireFUSE(b)
	size := int64(512 << 20)
	if v := os.Getenv("OSSFS_BENCH_GIB"); v != "" {
		var f float64
		fmt.Sscan(v, &f)
		size = int64(f * (1 << 30))
	}
	srv := startEmulator(b, emulator.Options{})
	if _, err := srv.PutObjectGenerated(testBucket, "big/0", size, 1); err != nil {
		b.Fatal(err)
	}
	c := newClient(b, srv, nil, nil, nil)
	// The daemon's defaults (cmd/ossfs): 64 MiB window in 8 parts, 512 MiB budget.
	m := mount(b, c, fs.Options{
		Reader:       reader.Options{MaxWindow: 64 << 20, Parallel: 8},
		MemoryBudget: 512 << 20,
	})
	direct := benchTime(func() { benchDirectGet(b, c, "big/0", size) })
	b.SetBytes(size)
	b.ResetTimer()
	var el time.Duration
	for range b.N {
		benchDropPageCache(b)
		el += benchTime(func() { benchReadFile(b, m.path("big/0"), size) })
	}
	b.StopTimer()
	mnt := benchMBps(size*int64(b.N), el)
	b.ReportMetric(mnt, "MB/s")
	b.ReportMetric(mnt/benchMBps(size, direct), "x-direct")
}
