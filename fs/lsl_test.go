package fs

import (
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// opCounter is a Recorder that counts FUSE operations by name.
type opCounter struct {
	mu  sync.Mutex
	ops map[string]int // GUARDED_BY(mu)
}

func (c *opCounter) FUSEOp(op string, _ time.Duration, _ syscall.Errno) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ops[op]++
}
func (c *opCounter) CacheLookup(bool, bool)             {}
func (c *opCounter) PrefetchMemory(func() int64, int64) {}
func (c *opCounter) count(op string) int                { c.mu.Lock(); defer c.mu.Unlock(); return c.ops[op] }
func (c *opCounter) reset()                             { c.mu.Lock(); defer c.mu.Unlock(); c.ops = map[string]int{} }

// `ls -l` asks every entry for its SELinux label and its ACL. Those
// namespaces answer EOPNOTSUPP, which ls remembers per device, so a
// listing costs the kernel a handful of getxattr round trips, not two per
// entry.
func TestMountLsLongSkipsXattrRoundTrips(t *testing.T) {
	ls, err := exec.LookPath("ls")
	if err != nil {
		t.Skip("no ls")
	}
	const n = 500
	s := newFakeStore()
	for i := range n {
		s.put(fmt.Sprintf("d/f%04d", i), []byte("x"))
	}
	rec := &opCounter{}
	rec.reset()
	mnt := mountFake(t, s, Options{Metrics: rec})
	out, err := exec.Command(ls, "-l", mnt+"/d").CombinedOutput()
	if err != nil {
		t.Fatalf("ls -l: %v\n%s", err, out)
	}
	if got := strings.Count(string(out), "\n-r--r--r--"); got != n {
		t.Fatalf("ls -l showed %d files, want %d", got, n)
	}
	if got := rec.count("getxattr"); got > 4 {
		t.Errorf("ls -l of %d entries sent %d getxattr to the daemon, want a handful", n, got)
	}
}
