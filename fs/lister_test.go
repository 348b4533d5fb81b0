package fs

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ossfs/ossfs/ossapi"
)

type listResult struct {
	entries  map[string]kind
	order    []string
	invalid  []string
	shadowed []string
}

func listAll(t *testing.T, s *fakeStore, dir string) listResult {
	t.Helper()
	r := listResult{entries: map[string]kind{}}
	l := newLister(s, dir, listEvents{
		invalid:  func(k string) { r.invalid = append(r.invalid, k) },
		shadowed: func(k string) { r.shadowed = append(r.shadowed, k) },
	})
	for {
		e, ok, err := l.next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if _, dup := r.entries[e.name]; dup {
			t.Fatalf("%q listed twice", e.name)
		}
		r.entries[e.name] = e.m.kind
		r.order = append(r.order, e.name)
	}
	return r
}

func TestListerNamesAndKinds(t *testing.T) {
	s := newFakeStore()
	for _, k := range []string{
		"d/", "d/file", "d/sub/x", "d/marker/", "d/a", "d/a/inside", "d/a-b", "d/a.c",
		"d//empty", "d/./dot", "d/../up", "d/" + strings.Repeat("n", 256), "d/" + strings.Repeat("n", 255),
		"other/file", "dfile",
	} {
		s.put(k, []byte("x"))
	}
	s.putSymlink("d/link", "d/file")
	r := listAll(t, s, "d")
	want := map[string]kind{
		"file": kindFile, "sub": kindDir, "marker": kindDir, "a": kindDir, "a-b": kindFile,
		"a.c": kindFile, "link": kindSymlink, strings.Repeat("n", 255): kindFile,
	}
	if !reflect.DeepEqual(r.entries, want) {
		t.Errorf("entries = %v\nwant %v", r.entries, want)
	}
	sort.Strings(r.invalid)
	wantInvalid := []string{"d//", "d/" + strings.Repeat("n", 256), "d/../", "d/./"}
	sort.Strings(wantInvalid)
	if !reflect.DeepEqual(r.invalid, wantInvalid) {
		t.Errorf("invalid = %q, want %q", r.invalid, wantInvalid)
	}
	if !reflect.DeepEqual(r.shadowed, []string{"d/a"}) {
		t.Errorf("shadowed = %q", r.shadowed)
	}
}

// The file "a" and the prefix "a/" land on different pages, with "a-NNN"
// keys between them: the directory still wins, and the listing uses one
// request per 1000 entries.
func TestListerShadowAcrossPages(t *testing.T) {
	s := newFakeStore()
	s.put("a", []byte("file"))
	for i := range 1500 {
		s.put(fmt.Sprintf("a-%04d", i), nil)
	}
	s.put("a/x", nil)
	s.put("b", nil)
	r := listAll(t, s, "")
	if len(r.entries) != 1502 || r.entries["a"] != kindDir || r.entries["b"] != kindFile {
		t.Fatalf("got %d entries, a=%v b=%v", len(r.entries), r.entries["a"], r.entries["b"])
	}
	if got := s.count("ListObjectsV2"); got != 2 {
		t.Errorf("list requests = %d, want 2 for 1502 entries", got)
	}
	if !reflect.DeepEqual(r.shadowed, []string{"a"}) {
		t.Errorf("shadowed = %q", r.shadowed)
	}
}

func TestListerPages(t *testing.T) {
	for _, n := range []int{0, 1, 999, 1000, 1001, 2500} {
		s := newFakeStore()
		for i := range n {
			if i%2 == 0 {
				s.put(fmt.Sprintf("d/f%05d", i), nil)
			} else {
				s.put(fmt.Sprintf("d/s%05d/x", i), nil)
			}
		}
		r := listAll(t, s, "d")
		if len(r.entries) != n {
			t.Errorf("n=%d: listed %d", n, len(r.entries))
		}
		wantReqs := max(1, (n+999)/1000)
		if got := s.count("ListObjectsV2"); got != wantReqs {
			t.Errorf("n=%d: %d list requests, want %d", n, got, wantReqs)
		}
		if !sort.StringsAreSorted(r.order) {
			t.Errorf("n=%d: entries out of order", n)
		}
	}
}

// Pages stream: the first entry comes after one request, and only the
// next page is asked for ahead of need, never more.
func TestListerStreams(t *testing.T) {
	s := newFakeStore()
	for i := range 3000 {
		s.put(fmt.Sprintf("f%05d", i), nil)
	}
	l := newLister(s, "", listEvents{})
	if _, ok, err := l.next(context.Background()); !ok || err != nil {
		t.Fatal(ok, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.count("ListObjectsV2") < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // room for a wrong third request
	if got := s.count("ListObjectsV2"); got != 2 {
		t.Fatalf("after the first entry: %d list requests, want the first page and the next one ahead", got)
	}
}

func TestListerRetriesFailedPage(t *testing.T) {
	s := newFakeStore()
	for i := range 1500 {
		s.put(fmt.Sprintf("f%05d", i), nil)
	}
	// The second page fails (it is requested ahead, as soon as the first
	// arrives), then succeeds when asked again.
	boom := errors.New("boom")
	s.mu.Lock()
	s.listErrFrom = boom
	s.mu.Unlock()
	l := newLister(s, "", listEvents{})
	ctx := context.Background()
	// The last file of a page is held back until the next page shows
	// no "name/" follows, so 999 entries are what one page yields.
	for range 999 {
		if _, ok, err := l.next(ctx); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	if _, _, err := l.next(ctx); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	s.mu.Lock()
	s.listErrFrom = nil
	s.mu.Unlock()
	n := 0
	for {
		_, ok, err := l.next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		n++
	}
	if n != 501 {
		t.Fatalf("after retry got %d more entries, want 501", n)
	}
}

// loopStore answers every page as truncated with the same token.
type loopStore struct{ *fakeStore }

func (s loopStore) ListObjectsV2(ctx context.Context, req ossapi.ListRequest) (ossapi.ListPage, error) {
	return ossapi.ListPage{IsTruncated: true, NextContinuationToken: "same"}, nil
}

func TestListerRefusesTokenLoop(t *testing.T) {
	l := newLister(loopStore{newFakeStore()}, "", listEvents{})
	for i := 0; ; i++ {
		_, ok, err := l.next(context.Background())
		if err != nil {
			return
		}
		if !ok || i > 3 {
			t.Fatalf("no error after %d entries (ok=%v)", i, ok)
		}
	}
}
