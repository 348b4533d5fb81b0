package reader

import (
	"sync"
	"testing"
)

func TestBudgetNeverExceeded(t *testing.T) {
	b := NewBudget(1000)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 2000 {
				if b.tryReserve(300) {
					if b.InUse() > b.Limit() {
						t.Error("limit exceeded")
					}
					b.release(300)
				}
			}
		})
	}
	wg.Wait()
	if b.InUse() != 0 || b.Peak() > 1000 || b.Peak() < 300 {
		t.Errorf("InUse %d, peak %d", b.InUse(), b.Peak())
	}
	if NewBudget(-5).tryReserve(1) {
		t.Error("a negative limit must buffer nothing")
	}
}

func TestClassSize(t *testing.T) {
	for _, tc := range []struct{ n, want int64 }{
		{1, 4096}, {4096, 4096}, {4097, 8192}, {256 << 10, 256 << 10}, {(1 << 20) + 1, 2 << 20},
	} {
		if got := classSize(tc.n); got != tc.want {
			t.Errorf("classSize(%d) = %d, want %d", tc.n, got, tc.want)
		}
		b := NewBudget(16 << 20)
		p, err := b.getBuf(tc.n)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(*p)) != tc.n || int64(cap(*p)) != tc.want {
			t.Errorf("getBuf(%d): len %d cap %d", tc.n, len(*p), cap(*p))
		}
		b.putBuf(p)
		b.Trim()
		if b.Mapped() != 0 {
			t.Errorf("after Trim %d bytes still mapped", b.Mapped())
		}
	}
}

// Buffers are reused from the idle list, the idle list is capped, and
// what is mapped never exceeds the limit: a buffer of another class is
// unmapped to make room.
func TestBuffersStayWithinLimit(t *testing.T) {
	const mib = 1 << 20
	b := NewBudget(8 * mib)
	p, _ := b.getBuf(4 * mib)
	q, _ := b.getBuf(4 * mib)
	(*p)[0], (*q)[4*mib-1] = 1, 2 // the memory is really there
	b.putBuf(p)
	b.putBuf(q)
	if b.Mapped() != 8*mib {
		t.Fatalf("mapped %d after freeing two 4 MiB buffers, want them kept idle", b.Mapped())
	}
	r, _ := b.getBuf(4 * mib)
	if b.Mapped() != 8*mib {
		t.Fatalf("mapped %d: the idle buffer was not reused", b.Mapped())
	}
	s, err := b.getBuf(2 * mib) // needs the other idle 4 MiB buffer unmapped
	if err != nil {
		t.Fatal(err)
	}
	if b.Mapped() != 6*mib {
		t.Fatalf("mapped %d, want 6 MiB (4 in use + 2 in use)", b.Mapped())
	}
	b.putBuf(r)
	b.putBuf(s)
	b.Trim()
	if b.Mapped() != 0 {
		t.Fatalf("mapped %d after Trim", b.Mapped())
	}

	big := NewBudget(1 << 30)
	var ps []*[]byte
	for range 20 {
		p, _ := big.getBuf(8 * mib)
		ps = append(ps, p)
	}
	for _, p := range ps {
		big.putBuf(p)
	}
	if big.Mapped() != idleCap {
		t.Fatalf("mapped %d after freeing 160 MiB, want the idle cap %d", big.Mapped(), idleCap)
	}
	big.Trim()
}

func TestOptionsNormalize(t *testing.T) {
	for _, tc := range []struct {
		in, want Options
	}{
		{Options{}, Options{MinRequest: 256 << 10, InitialWindow: 1 << 20, MaxWindow: 64 << 20, Parallel: 8}},
		{Options{MinRequest: -1, Parallel: -3}, Options{MinRequest: 256 << 10, InitialWindow: 1 << 20, MaxWindow: 64 << 20, Parallel: 8}},
		{Options{MinRequest: 4 << 20, InitialWindow: 1 << 20, MaxWindow: 2 << 20, Parallel: 1000},
			Options{MinRequest: 4 << 20, InitialWindow: 4 << 20, MaxWindow: 4 << 20, Parallel: 64}},
		// Absurd sizes are capped, so size classes cannot overflow.
		{Options{MinRequest: 1 << 62, InitialWindow: 1 << 62, MaxWindow: 1 << 62, Parallel: 1},
			Options{MinRequest: 4 << 30, InitialWindow: 4 << 30, MaxWindow: 4 << 30, Parallel: 1}},
	} {
		if got := tc.in.normalize(); got != tc.want {
			t.Errorf("normalize(%+v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	o := Options{}.normalize()
	if o.partSize(o.InitialWindow) != o.MinRequest || o.partSize(o.MaxWindow) != 8<<20 {
		t.Errorf("part sizes %d, %d", o.partSize(o.InitialWindow), o.partSize(o.MaxWindow))
	}
}
