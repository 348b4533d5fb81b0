package fs

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func readNames(t *testing.T, h *dirHandle, n int) []string {
	t.Helper()
	var names []string
	for len(names) < n {
		de, errno := h.Readdirent(context.Background())
		if errno != 0 {
			t.Fatal(errno)
		}
		if de == nil {
			break
		}
		names = append(names, de.Name)
	}
	return names
}

// Seekdir(0) is rewinddir; other offsets re-list and skip. A listing
// that reaches the end marks the directory complete, and later passes
// within MetadataTTL are served from the cache.
func TestDirHandleSeekAndMark(t *testing.T) {
	s := newFakeStore()
	for i := range 5 {
		s.put(fmt.Sprintf("d/f%d", i), nil)
	}
	f := testFS(t, s, Options{})
	h := newDirHandle(&dirNode{node{fsys: f, key: "d"}})
	defer h.Releasedir(context.Background(), 0)

	all := readNames(t, h, 100)
	want := "[. .. f0 f1 f2 f3 f4]"
	if fmt.Sprint(all) != want {
		t.Fatalf("names = %v, want %v", all, want)
	}
	if _, r := f.cache.get("d/nope"); r != cacheNegative {
		t.Fatalf("complete listing not marked: %v", r)
	}
	if _, r := f.cache.get("d/f3"); r != cacheHit {
		t.Fatalf("listed entry not cached: %v", r)
	}
	if errno := h.Seekdir(context.Background(), 0); errno != 0 {
		t.Fatal(errno)
	}
	if got := readNames(t, h, 100); fmt.Sprint(got) != want {
		t.Fatalf("after rewind: %v", got)
	}
	if errno := h.Seekdir(context.Background(), 4); errno != 0 {
		t.Fatal(errno)
	}
	if got := readNames(t, h, 100); fmt.Sprint(got) != "[f2 f3 f4]" {
		t.Fatalf("after seek to 4: %v", got)
	}
	if got := s.count("ListObjectsV2"); got != 1 {
		t.Fatalf("%d list requests for three passes, want 1 (then the cache)", got)
	}
}

// A warm opendir costs nothing; the cached listing goes with its TTL or
// with any entry it names.
func TestDirHandleCachedListing(t *testing.T) {
	s := newFakeStore()
	for i := range 3 {
		s.put(fmt.Sprintf("d/f%d", i), nil)
	}
	s.put("d/sub/x", nil)
	clk := newFakeClock()
	f := testFS(t, s, Options{Now: clk.Now, MetadataTTL: time.Minute})
	d := &dirNode{node{fsys: f, key: "d"}}
	pass := func() string {
		h := newDirHandle(d)
		defer h.Releasedir(context.Background(), 0)
		return fmt.Sprint(readNames(t, h, 100))
	}
	const want = "[. .. f0 f1 f2 sub]"
	for i := range 3 {
		if got := pass(); got != want {
			t.Fatalf("pass %d: %v, want %v", i, got, want)
		}
	}
	s.wantCalls(t, "three passes within the TTL", map[string]int{"ListObjectsV2": 1})

	s.resetCounts()
	s.put("d/f3", nil)
	clk.advance(time.Minute)
	if got := pass(); got != "[. .. f0 f1 f2 f3 sub]" {
		t.Fatalf("after the TTL: %v", got)
	}
	s.wantCalls(t, "a pass after the TTL", map[string]int{"ListObjectsV2": 1})

	s.resetCounts()
	f.cache.remove("d/f1") // as an eviction or a changed object would
	if got := pass(); got != "[. .. f0 f1 f2 f3 sub]" {
		t.Fatalf("after losing an entry: %v", got)
	}
	s.wantCalls(t, "a pass after an entry left the cache", map[string]int{"ListObjectsV2": 1})
}
