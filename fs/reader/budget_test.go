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
		p := getBuf(tc.n)
		if int64(len(*p)) != tc.n || int64(cap(*p)) != tc.want {
			t.Errorf("getBuf(%d): len %d cap %d", tc.n, len(*p), cap(*p))
		}
		putBuf(p)
	}
}

func TestOptionsNormalize(t *testing.T) {
	for _, tc := range []struct {
		in, want Options
	}{
		{Options{}, Options{MinRequest: 256 << 10, InitialWindow: 1 << 20, MaxWindow: 64 << 20, Parallel: 8}},
		{Options{MinRequest: -1, Parallel: -3}, Options{MinRequest: 256 << 10, InitialWindow: 1 << 20, MaxWindow: 64 << 20, Parallel: 8}},
		{Options{MinRequest: 4 << 20, InitialWindow: 1 << 20, MaxWindow: 2 << 20, Parallel: 1000},
			Options{MinRequest: 4 << 20, InitialWindow: 4 << 20, MaxWindow: 4 << 20, Parallel: 64}},
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
