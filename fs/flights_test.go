package fs

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ossfs/ossfs/ossapi"
)

// gateStore blocks every HEAD until gate is closed (or the HEAD's ctx
// ends), and signals entered on each HEAD that starts.
type gateStore struct {
	*fakeStore
	gate    chan struct{}
	entered chan struct{}
}

func (s *gateStore) HeadObject(ctx context.Context, key string) (ossapi.ObjectInfo, error) {
	s.entered <- struct{}{}
	select {
	case <-s.gate:
	case <-ctx.Done():
		return ossapi.ObjectInfo{}, ctx.Err()
	}
	return s.fakeStore.HeadObject(ctx, key)
}

// waitShared spins (no sleep) until n stats are waiting on a flight.
func waitShared(t *testing.T, f *filesystem, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.flights.sharedCount() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d stats joined a flight, want %d", f.flights.sharedCount(), n)
		}
		runtime.Gosched()
	}
}

func TestConcurrentStatsShareOneRoundTrip(t *testing.T) {
	s := &gateStore{fakeStore: newFakeStore(), gate: make(chan struct{}), entered: make(chan struct{}, 16)}
	s.put("d/a", []byte("x"))
	f := testFS(t, s, Options{})
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	stat := func() {
		defer wg.Done()
		m, err := f.stat(context.Background(), "d/a")
		if err == nil && (m.kind != kindFile || m.info.Size != 1) {
			err = errors.New("wrong metadata")
		}
		errs <- err
	}
	wg.Add(1)
	go stat()
	<-s.entered // the leader is in its HEAD
	for range n - 1 {
		wg.Add(1)
		go stat()
	}
	waitShared(t, f, n-1)
	close(s.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s.wantCalls(t, "8 concurrent stats of one path", map[string]int{"HeadObject": 1, "ListObjectsV2": 1})
}

// A leader whose request is interrupted does not fail the others: a
// waiting stat makes the round trip itself.
func TestInterruptedLeaderDoesNotFailFollowers(t *testing.T) {
	s := &gateStore{fakeStore: newFakeStore(), gate: make(chan struct{}), entered: make(chan struct{}, 16)}
	s.put("d/a", []byte("x"))
	f := testFS(t, s, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() { _, err := f.stat(ctx, "d/a"); leaderErr <- err }()
	<-s.entered
	follower := make(chan error, 1)
	go func() { _, err := f.stat(context.Background(), "d/a"); follower <- err }()
	waitShared(t, f, 1)
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader: %v, want its cancellation", err)
	}
	close(s.gate) // the follower's own HEAD passes
	if err := <-follower; err != nil {
		t.Fatalf("follower failed with the leader's interruption: %v", err)
	}
}

// The kernel is told to trust an entry only for what remains of its TTL.
func TestStatTTLIsRemainingTTL(t *testing.T) {
	s := newFakeStore()
	s.put("d/a", []byte("x"))
	clk := newFakeClock()
	f := testFS(t, s, Options{Now: clk.Now, MetadataTTL: time.Minute})
	if _, ttl, err := f.statTTL(context.Background(), "d/a"); err != nil || ttl != time.Minute {
		t.Fatalf("fresh stat: ttl %v, %v; want 1m", ttl, err)
	}
	clk.advance(40 * time.Second)
	if _, ttl, err := f.statTTL(context.Background(), "d/a"); err != nil || ttl != 20*time.Second {
		t.Fatalf("cached stat 40s later: ttl %v, %v; want 20s", ttl, err)
	}
	s.wantCalls(t, "two stats within the TTL", map[string]int{"HeadObject": 1, "ListObjectsV2": 1})
}
