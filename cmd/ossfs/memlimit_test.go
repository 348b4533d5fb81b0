package main

import "testing"

func TestMemoryLimit(t *testing.T) {
	if got, ok := memoryLimit(512<<20, ""); !ok || got != 512<<20+memOverhead {
		t.Errorf("memoryLimit(512MiB) = %d, %v; want %d", got, ok, 512<<20+memOverhead)
	}
	if got, ok := memoryLimit(0, ""); !ok || got != memOverhead {
		t.Errorf("memoryLimit(0) = %d, %v", got, ok)
	}
	if _, ok := memoryLimit(512<<20, "1GiB"); ok {
		t.Error("GOMEMLIMIT set, yet a limit was chosen")
	}
	if got, ok := memoryLimit(1<<62, ""); !ok || got != 1<<62 {
		t.Errorf("huge budget: %d, %v; want no overflow", got, ok)
	}
}
