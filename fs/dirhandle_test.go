package fs

import (
	"context"
	"fmt"
	"testing"
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

// Seekdir(0) is rewinddir; other offsets re-list and skip. Every listing
// that reaches the end marks the directory complete.
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
	if got := s.count("ListObjectsV2"); got != 3 {
		t.Fatalf("%d list requests for three passes", got)
	}
}
