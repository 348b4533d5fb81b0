package reader

import (
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"
	"syscall"
)

// Budget is the memory all readers of one mount may hold in buffers. It
// never blocks: a reservation either fits or fails, and a reader that gets
// nothing reads straight into the caller's buffer instead. That is what
// makes the limit hard (nothing waits holding memory) and deadlock-free
// (nothing waits for memory at all).
type Budget struct {
	limit int64
	inUse atomic.Int64
	peak  atomic.Int64
	bufs  bufs
}

// NewBudget returns a budget of limit bytes; limit ≤ 0 buffers nothing.
func NewBudget(limit int64) *Budget {
	return &Budget{limit: max(limit, 0)}
}

// Limit is the configured limit in bytes.
func (b *Budget) Limit() int64 { return b.limit }

// InUse is the number of bytes currently reserved, for metrics.
func (b *Budget) InUse() int64 { return b.inUse.Load() }

// Peak is the highest InUse ever observed.
func (b *Budget) Peak() int64 { return b.peak.Load() }

// tryReserve reserves n bytes if they fit under the limit.
func (b *Budget) tryReserve(n int64) bool {
	for {
		cur := b.inUse.Load()
		if cur+n > b.limit {
			return false
		}
		if b.inUse.CompareAndSwap(cur, cur+n) {
			for {
				p := b.peak.Load()
				if cur+n <= p || b.peak.CompareAndSwap(p, cur+n) {
					return true
				}
			}
		}
	}
}

func (b *Budget) release(n int64) {
	if b.inUse.Add(-n) < 0 {
		panic("reader: budget released more than reserved") // a bookkeeping bug, never input
	}
}

// Buffers come from power-of-two size classes so that parts of a growing
// window reuse each other's memory; a buffer is charged to the budget at
// its class size, which is what it really occupies.
//
// They live outside the Go heap (anonymous mmap). On the heap, a budget's
// worth of live buffers lets the collector's pacer grow the heap to twice
// that before it runs, and freed buffers wait for a cycle: a 512 MiB
// budget measured ~660 MiB of RSS with four readers (issue 7 bench).
// Mapped buffers are returned exactly when they are freed, so the
// buffers' share of the RSS is what the budget holds plus an idle list
// kept for reuse (at most idleCap, and never past the limit).
const minClassShift = 12 // 4 KiB

// idleCap bounds the freed buffers kept mapped for reuse: enough for a
// steady scan to recycle its parts without a page fault per byte.
const idleCap = 64 << 20

func classShift(n int64) int {
	if n <= 1<<minClassShift {
		return minClassShift
	}
	return bits.Len64(uint64(n - 1))
}

// classSize is the memory a buffer for n bytes occupies (and is charged).
func classSize(n int64) int64 { return 1 << classShift(n) }

// bufs is a budget's buffer store.
type bufs struct {
	mu     sync.Mutex
	idle   [64][]*[]byte // GUARDED_BY(mu): freed buffers by class shift
	idleN  int64         // GUARDED_BY(mu): bytes in idle
	mapped int64         // GUARDED_BY(mu): bytes mapped, in use or idle
}

// getBuf returns a buffer of length n with the capacity of n's class; the
// caller has reserved classSize(n) from b. It fails only when the kernel
// refuses memory.
func (b *Budget) getBuf(n int64) (*[]byte, error) {
	s := classShift(n)
	size := int64(1) << s
	b.bufs.mu.Lock()
	defer b.bufs.mu.Unlock()
	if l := b.bufs.idle[s]; len(l) > 0 {
		p := l[len(l)-1]
		l[len(l)-1] = nil
		b.bufs.idle[s] = l[:len(l)-1]
		b.bufs.idleN -= size
		*p = (*p)[:n]
		return p, nil
	}
	// Make room: what is mapped must stay within the limit.
	for c := range b.bufs.idle {
		for b.bufs.mapped+size > b.limit && len(b.bufs.idle[c]) > 0 {
			b.unmapIdleLocked(c)
		}
	}
	m, err := syscall.Mmap(-1, 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil, fmt.Errorf("map a %d-byte read buffer: %w", size, err)
	}
	b.bufs.mapped += size
	m = m[:n]
	return &m, nil
}

// putBuf frees p: kept for reuse while the idle list has room, else
// unmapped at once.
func (b *Budget) putBuf(p *[]byte) {
	*p = (*p)[:cap(*p)]
	size := int64(cap(*p))
	s := classShift(size)
	b.bufs.mu.Lock()
	defer b.bufs.mu.Unlock()
	if b.bufs.idleN+size <= min(idleCap, b.limit) {
		b.bufs.idle[s] = append(b.bufs.idle[s], p)
		b.bufs.idleN += size
		return
	}
	b.unmap(p)
}

func (b *Budget) unmapIdleLocked(c int) {
	l := b.bufs.idle[c]
	p := l[len(l)-1]
	l[len(l)-1] = nil
	b.bufs.idle[c] = l[:len(l)-1]
	b.bufs.idleN -= int64(cap(*p))
	b.unmap(p)
}

// unmap returns p's memory to the kernel; the caller holds bufs.mu.
func (b *Budget) unmap(p *[]byte) {
	b.bufs.mapped -= int64(cap(*p))
	if err := syscall.Munmap(*p); err != nil {
		panic("reader: unmap a read buffer: " + err.Error()) // only a bookkeeping bug gets here
	}
	*p = nil
}

// Trim unmaps every idle buffer; a budget that will not be used again
// (a reader's private one) must be trimmed, or its idle list stays mapped.
func (b *Budget) Trim() {
	b.bufs.mu.Lock()
	defer b.bufs.mu.Unlock()
	for c := range b.bufs.idle {
		for len(b.bufs.idle[c]) > 0 {
			b.unmapIdleLocked(c)
		}
	}
}

// Mapped is the buffer memory mapped now (in use or idle), for tests and
// metrics.
func (b *Budget) Mapped() int64 {
	b.bufs.mu.Lock()
	defer b.bufs.mu.Unlock()
	return b.bufs.mapped
}
