package reader

import (
	"math/bits"
	"sync"
	"sync/atomic"
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
const minClassShift = 12 // 4 KiB

var pools [64]sync.Pool // index: log2 of the class size

func classShift(n int64) int {
	if n <= 1<<minClassShift {
		return minClassShift
	}
	return bits.Len64(uint64(n - 1))
}

// classSize is the memory a buffer for n bytes occupies (and is charged).
func classSize(n int64) int64 { return 1 << classShift(n) }

// getBuf returns a buffer of length n with the capacity of n's class. The
// pointer is what goes back to the pool, so recycling allocates nothing.
func getBuf(n int64) *[]byte {
	s := classShift(n)
	if p, ok := pools[s].Get().(*[]byte); ok {
		*p = (*p)[:n]
		return p
	}
	b := make([]byte, n, 1<<s)
	return &b
}

func putBuf(p *[]byte) {
	*p = (*p)[:cap(*p)]
	pools[classShift(int64(cap(*p)))].Put(p)
}
