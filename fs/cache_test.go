package fs

import (
	"fmt"
	"testing"
	"time"

	"github.com/ossfs/ossfs/ossapi"
)

func newTestCache(t *testing.T, size int, clk *fakeClock) *metaCache {
	t.Helper()
	c, err := newMetaCache(size, time.Minute, 5*time.Second, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fileMeta(etag string) meta {
	return meta{kind: kindFile, info: ossapi.ObjectInfo{ETag: etag, Size: 1}}
}

func TestCacheTTL(t *testing.T) {
	clk := newFakeClock()
	c := newTestCache(t, 100, clk)
	c.put("a/f", fileMeta(`"1"`))
	c.putNegative("a/missing")

	steps := []struct {
		advance time.Duration
		path    string
		want    cacheResult
	}{
		{0, "a/f", cacheHit},
		{0, "a/missing", cacheNegative},
		{0, "a/other", cacheMiss},
		{4 * time.Second, "a/missing", cacheNegative},
		{2 * time.Second, "a/missing", cacheMiss}, // negative TTL is 5s
		{0, "a/f", cacheHit},
		{54 * time.Second, "a/f", cacheMiss}, // positive TTL is 60s
	}
	for i, s := range steps {
		clk.advance(s.advance)
		if _, got := c.get(s.path); got != s.want {
			t.Errorf("step %d: get(%q) = %v, want %v", i, s.path, got, s.want)
		}
	}
}

func TestCacheListedDirAnswersAbsence(t *testing.T) {
	clk := newFakeClock()
	c := newTestCache(t, 100, clk)
	c.put("d", meta{kind: kindDir})
	c.put("d/a", fileMeta(`"1"`))
	if _, r := c.get("d/zzz"); r != cacheMiss {
		t.Fatalf("before listing: %v, want miss", r)
	}
	c.markListed("d", clk.Now(), nil)
	if _, r := c.get("d/zzz"); r != cacheNegative {
		t.Fatalf("after listing: %v, want negative", r)
	}
	if _, r := c.get("d/a"); r != cacheHit {
		t.Fatalf("listed child: %v, want hit", r)
	}
	if _, r := c.get("d/sub/x"); r != cacheMiss {
		t.Fatalf("grandchild: %v, want miss (only direct children are listed)", r)
	}
	// Re-putting the dir (as a parent listing does) keeps the mark.
	c.put("d", meta{kind: kindDir})
	if _, r := c.get("d/zzz"); r != cacheNegative {
		t.Fatalf("after re-put: %v, want negative", r)
	}
	clk.advance(time.Minute)
	if _, r := c.get("d/zzz"); r != cacheMiss {
		t.Fatalf("after TTL: %v, want miss", r)
	}
}

// Evicting a child of a listed directory must drop the mark: the name is
// no longer in the cache but still exists.
func TestCacheEvictionClearsListedMark(t *testing.T) {
	clk := newFakeClock()
	c := newTestCache(t, 3, clk)
	c.put("d", meta{kind: kindDir})
	c.put("d/a", fileMeta(`"1"`))
	c.put("d/b", fileMeta(`"2"`))
	c.markListed("d", clk.Now(), nil)
	c.get("d") // keep d recent
	c.get("d/b")
	c.put("other", fileMeta(`"3"`)) // evicts d/a, the oldest
	if _, r := c.get("d/a"); r != cacheMiss {
		t.Fatalf("evicted listed child: %v, want miss", r)
	}
	if c.len() > 3 {
		t.Fatalf("cache holds %d entries, bound is 3", c.len())
	}
}

func TestCacheBounded(t *testing.T) {
	clk := newFakeClock()
	c := newTestCache(t, 50, clk)
	for i := range 1000 {
		c.put(fmt.Sprintf("k%d", i), fileMeta(`"x"`))
		c.putNegative(fmt.Sprintf("n%d", i))
	}
	if c.len() != 50 {
		t.Fatalf("len = %d, want 50", c.len())
	}
}

func TestCacheKeepsHeadDataAndSymlinkTarget(t *testing.T) {
	clk := newFakeClock()
	c := newTestCache(t, 10, clk)
	full := meta{kind: kindFile, full: true, info: ossapi.ObjectInfo{ETag: `"1"`, ContentType: "text/plain"}}
	c.put("f", full)
	c.put("f", fileMeta(`"1"`)) // a listing of the same version
	if m, _ := c.get("f"); !m.full || m.info.ContentType != "text/plain" {
		t.Fatalf("listing dropped HEAD data: %+v", m)
	}
	c.put("f", fileMeta(`"2"`)) // a new version
	if m, _ := c.get("f"); m.full {
		t.Fatalf("new version kept old HEAD data: %+v", m)
	}

	link := meta{kind: kindSymlink, info: ossapi.ObjectInfo{ETag: `"L"`}}
	c.put("l", link)
	if _, ok := c.symlinkTarget("l", `"L"`); ok {
		t.Fatal("target before it was set")
	}
	c.setSymlinkTarget("l", `"L"`, "f")
	c.put("l", link)
	if got, ok := c.symlinkTarget("l", `"L"`); !ok || got != "f" {
		t.Fatalf("target = %q, %v", got, ok)
	}
	if _, ok := c.symlinkTarget("l", `"other"`); ok {
		t.Fatal("target served for another version")
	}
}

func TestCacheDisabled(t *testing.T) {
	clk := newFakeClock()
	c, err := newMetaCache(10, 0, 0, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	c.put("f", fileMeta(`"1"`))
	c.putNegative("g")
	c.markListed("", clk.Now(), nil)
	for _, p := range []string{"f", "g", "h"} {
		if _, r := c.get(p); r != cacheMiss {
			t.Errorf("get(%q) = %v with caching off", p, r)
		}
	}
}

func TestCacheRejectsBadSize(t *testing.T) {
	if _, err := newMetaCache(0, time.Minute, time.Second, time.Now); err == nil {
		t.Fatal("size 0 accepted")
	}
}

// A directory whose own first entries were evicted while it was listed
// (it is larger than the cache) must not be marked complete: the mark
// would answer "no such file" for the evicted names.
func TestCacheListingEvictedDuringListIsNotMarked(t *testing.T) {
	clk := newFakeClock()
	c := newTestCache(t, 3, clk)
	c.put("d", meta{kind: kindDir})
	names := []string{"a", "b", "c"}
	for _, n := range names {
		c.put("d/"+n, fileMeta(`"1"`)) // the third evicts "d" or "d/a"
	}
	c.put("d", meta{kind: kindDir})
	c.markListed("d", clk.Now(), names)
	if _, r := c.get("d/a"); r == cacheNegative {
		t.Fatal("an entry evicted during the listing reads as absent")
	}
	if _, ok := c.listing("d"); ok {
		t.Fatal("an incomplete listing is served from the cache")
	}
}

// Marking a directory that is not cached adds its entry, which can evict
// one of the children just checked: the mark must not survive that.
func TestCacheMarkingUncachedDirThatEvictsAChild(t *testing.T) {
	clk := newFakeClock()
	c := newTestCache(t, 3, clk)
	names := []string{"a", "b", "c"}
	for _, n := range names {
		c.put("d/"+n, fileMeta(`"1"`)) // fills the cache; "d" itself is not in it
	}
	c.markListed("d", clk.Now(), names) // adding "d" evicts "d/a"
	if _, r := c.get("d/a"); r == cacheNegative {
		t.Fatal("a child evicted by the mark's own entry reads as absent")
	}
	if _, ok := c.listing("d"); ok {
		t.Fatal("an incomplete listing is served from the cache")
	}
}
