package fs

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeRecorder keeps what the filesystem reports.
type fakeRecorder struct {
	mu      sync.Mutex
	ops     map[string]int           // op -> count
	errnos  map[string]syscall.Errno // op -> last errno
	hits    int
	negs    int
	misses  int
	inUse   func() int64
	limit   int64
	negDurs int
}

func newFakeRecorder() *fakeRecorder {
	return &fakeRecorder{ops: map[string]int{}, errnos: map[string]syscall.Errno{}}
}

func (r *fakeRecorder) FUSEOp(op string, d time.Duration, errno syscall.Errno) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops[op]++
	r.errnos[op] = errno
	if d < 0 {
		r.negDurs++
	}
}

func (r *fakeRecorder) CacheLookup(hit, negative bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case negative:
		r.negs++
	case hit:
		r.hits++
	default:
		r.misses++
	}
}

func (r *fakeRecorder) PrefetchMemory(inUse func() int64, limit int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inUse, r.limit = inUse, limit
}

func TestMountRecordsMetrics(t *testing.T) {
	s := newFakeStore()
	s.put("d/a.txt", []byte("hello"))
	rec := newFakeRecorder()
	mnt := mountFake(t, s, Options{Metrics: rec, MemoryBudget: 64 << 20})

	if got, err := os.ReadFile(filepath.Join(mnt, "d", "a.txt")); err != nil || string(got) != "hello" {
		t.Fatalf("read: %q, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(mnt, "d", "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stat of a missing file: %v", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, op := range []string{"lookup", "open", "read"} {
		if rec.ops[op] == 0 {
			t.Errorf("no %s recorded (all: %v)", op, rec.ops)
		}
	}
	if rec.errnos["lookup"] != syscall.ENOENT {
		t.Errorf("last lookup errno = %v, want ENOENT", rec.errnos["lookup"])
	}
	if rec.misses == 0 || rec.hits == 0 {
		t.Errorf("cache lookups: %d hits, %d misses; want both", rec.hits, rec.misses)
	}
	if rec.negDurs != 0 {
		t.Errorf("%d negative durations", rec.negDurs)
	}
	if rec.inUse == nil || rec.limit != 64<<20 {
		t.Errorf("prefetch memory: reader %v, limit %d", rec.inUse != nil, rec.limit)
	}
}

// Without a recorder nothing is timed: begin returns the zero time.
func TestNoRecorderNoClock(t *testing.T) {
	f := testFS(t, newFakeStore(), Options{})
	if !f.begin().IsZero() {
		t.Fatal("begin read the clock with metrics off")
	}
	var errno syscall.Errno
	f.done("read", f.begin(), &errno) // must not panic
}
