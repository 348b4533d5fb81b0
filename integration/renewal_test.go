package integration

import (
	"bytes"
	"errors"
	"math/rand"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/fs"
)

// Issue 6, scenario 3: credential renewal under load. STS tokens live a
// few seconds; 16 readers read random ranges the whole time (each read an
// uncached range, so each is a signed GET). Renewals cause no failed read;
// STS down for less than the remaining lifetime causes none; STS down past
// expiry fails reads with EACCES or EIO, logs one line for the episode,
// and reads succeed again once STS is back, without a remount.

const renewalRole = "acs:ram::1234567890123456:role/itest-reader"

// renewalPhase counts reads per phase.
type renewalPhase struct {
	name     string
	ok, fail atomic.Int64
	firstErr atomic.Value // error
}

func TestCredentialRenewalUnderLoad(t *testing.T) {
	requireFUSE(t)
	const (
		tokenTTL = 6 * time.Second
		readers  = 16
		size     = 512 << 20
		chunk    = 64 << 10
	)
	loadFor := pick(12*time.Second, 60*time.Second)

	srv := startEmulator(t, emulator.Options{MinSTSDuration: time.Second})
	if err := srv.AddRole(renewalRole, emulator.Role{}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.PutObjectGenerated(testBucket, "big/data.bin", size, 5); err != nil {
		t.Fatal(err)
	}
	want := emulator.GeneratedData(size, 5)

	ak, sk := srv.NewUser()
	ar, err := creds.NewAssumeRole(creds.AssumeRoleConfig{
		Endpoint: srv.STSEndpoint(),
		RoleARN:  renewalRole,
		Duration: tokenTTL,
		Source:   creds.Static(creds.Credentials{AccessKeyID: ak, AccessKeySecret: sk}),
	})
	if err != nil {
		t.Fatal(err)
	}
	credLog := &logBuf{}
	prov := creds.NewRefreshing(ar, creds.RefreshOptions{
		Logger:     credLog.logger(),
		MinBackoff: 100 * time.Millisecond,
		MaxBackoff: time.Second,
	})
	clientLog := &logBuf{}
	m := mount(t, newClient(t, srv, prov, clientLog, nil), fs.Options{})

	var cur atomic.Pointer[renewalPhase]
	phase := func(name string) *renewalPhase {
		p := &renewalPhase{name: name}
		cur.Store(p)
		return p
	}
	load := phase("load")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewSource(int64(i)))
			buf := alignedBuf(chunk)
			for {
				select {
				case <-stop:
					return
				default:
				}
				p := cur.Load()
				// O_DIRECT: past the page cache, so every read is a READ
				// for the filesystem and, mostly, a signed GET.
				f, err := os.OpenFile(m.path("big/data.bin"), os.O_RDONLY|syscall.O_DIRECT, 0)
				if err == nil {
					off := int64(rnd.Intn(size/chunk)) * chunk
					var n int
					n, err = f.ReadAt(buf, off)
					if err == nil && !bytes.Equal(buf[:n], want[off:off+int64(n)]) {
						t.Errorf("reader %d: wrong bytes at %d", i, off)
					}
					f.Close()
				}
				if err != nil {
					p.fail.Add(1)
					p.firstErr.CompareAndSwap(nil, err)
					time.Sleep(20 * time.Millisecond) // pace a failing loop
					continue
				}
				p.ok.Add(1)
			}
		}()
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()
	check := func(p *renewalPhase) {
		t.Helper()
		if p.fail.Load() != 0 {
			t.Errorf("%s: %d of %d reads failed, first: %v", p.name, p.fail.Load(), p.ok.Load()+p.fail.Load(), p.firstErr.Load())
		}
		if p.ok.Load() == 0 {
			t.Errorf("%s: no read succeeded", p.name)
		}
	}

	// Phase 1: renewals under load.
	time.Sleep(loadFor) // the load's duration is the scenario itself
	check(load)
	renewals := prov.Stats().Renewals
	t.Logf("FIGURE scenario 3: %d readers for %v with %v tokens: %d reads, %d renewals, %d failed reads",
		readers, loadFor, tokenTTL, load.ok.Load(), renewals, load.fail.Load())
	if min := uint64(loadFor / tokenTTL); renewals < min {
		t.Errorf("%d renewals in %v of %v tokens, want at least %d", renewals, loadFor, tokenTTL, min)
	}

	// Phase 2: STS down for less than the remaining lifetime. Start right
	// after a renewal, so about a whole lifetime remains.
	base := prov.Stats().Renewals
	eventually(t, 2*tokenTTL, "a renewal", func() bool { return prov.Stats().Renewals > base })
	short := phase("sts down briefly")
	srv.SetFaults(emulator.Faults{STSDown: true})
	time.Sleep(tokenTTL / 3)
	srv.SetFaults(emulator.Faults{})
	eventually(t, 2*tokenTTL, "a renewal after STS returned", func() bool { return prov.Stats().Renewals > base+1 })
	check(short)
	t.Logf("FIGURE scenario 3: STS down %v (< remaining lifetime): %d reads, %d failed", tokenTTL/3, short.ok.Load(), short.fail.Load())

	// Phase 3: STS down past expiry: reads fail with EACCES or EIO.
	episodeLogs := credLog.count("credential renewal failed")
	fsLogs, clientLogs := m.log.count("WARN"), clientLog.count("WARN")
	down := phase("sts down past expiry")
	srv.SetFaults(emulator.Faults{STSDown: true})
	eventually(t, 3*tokenTTL, "reads failing after expiry", func() bool { return down.fail.Load() >= readers })
	downFor := tokenTTL / 2 // keep it down a while after the first failures
	time.Sleep(downFor)
	ferr, _ := down.firstErr.Load().(error)
	if !errors.Is(ferr, syscall.EACCES) && !errors.Is(ferr, syscall.EIO) {
		t.Errorf("read after expiry failed with %v, want EACCES or EIO", ferr)
	}
	if n := credLog.count("credential renewal failed") - episodeLogs; n != 1 {
		t.Errorf("%d log lines for the STS outage episode, want 1:\n%s", n, credLog)
	}
	t.Logf("STS down past expiry: %d reads failed (%v), %d succeeded before expiry", down.fail.Load(), ferr, down.ok.Load())
	// The episode's cause must not flood the log: the filesystem warns
	// once per kind of failure (EACCES and EIO may both occur), the client
	// not at all (it returns its errors).
	n, c := m.log.count("WARN")-fsLogs, clientLog.count("WARN")-clientLogs
	t.Logf("FIGURE scenario 3: STS down past expiry: %d failed reads, %d filesystem and %d client warnings", down.fail.Load(), n, c)
	if n < 1 || n > 2 || c != 0 {
		t.Errorf("%d filesystem and %d client warnings for one credentials episode of %d failed reads, want 1 or 2 and 0:\n%s",
			n, c, down.fail.Load(), m.log)
	}

	// Phase 4: STS back: reads succeed again, same mount.
	srv.SetFaults(emulator.Faults{})
	back := phase("sts back")
	eventually(t, 10*time.Second, "reads succeeding again", func() bool { return back.ok.Load() >= readers })
	failedBack := back.fail.Load()
	after := phase("after recovery")
	eventually(t, 10*time.Second, "reads after recovery", func() bool { return after.ok.Load() >= 4*readers })
	check(after)
	if m.log.count("INFO", "recovered after") == 0 {
		t.Errorf("the filesystem logged no end of the failure episode:\n%s", m.log)
	}
	if credLog.count("credential renewal recovered") == 0 {
		t.Errorf("no recovery logged:\n%s", credLog)
	}
	t.Logf("STS back: reads recovered (%d failed before the renewal); %+v; credentials log:\n%s", failedBack, prov.Stats(), credLog)
}

// alignedBuf returns n bytes aligned to 4 KiB, as O_DIRECT wants.
func alignedBuf(n int) []byte {
	b := make([]byte, n+4096)
	off := int(4096 - uintptr(unsafe.Pointer(&b[0]))%4096)
	return b[off%4096 : off%4096+n]
}
