package fs

import (
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// The metadata cache maps an object path (the key without a trailing
// slash) to what it is. Each entry carries its own expiry, checked against
// an injected clock, so there is no background sweeper and tests never
// sleep. Three kinds of facts are kept:
//
//   - positive entries (file, dir, symlink) for MetadataTTL;
//   - negative entries ("no such path") for the shorter NegativeTTL;
//   - on a directory's entry, "completely listed until T": while that
//     holds, a path under it with no live entry does not exist, so a
//     lookup of a name missing from a fresh listing costs no request;
//     with the listing's names kept beside the mark, a new opendir is
//     answered from the cache too (a warm find sends nothing).
//
// The completeness mark is only sound while every child seen by that
// listing is still cached, so evicting or expiring a positive child clears
// its parent's mark (the eviction callback does it under the same lock).

// cacheResult is the outcome of a cache lookup.
type cacheResult uint8

const (
	cacheMiss cacheResult = iota
	cacheHit
	cacheNegative
)

type cacheEntry struct {
	m       meta
	neg     bool
	expires time.Time
	// listedUntil, on a dir entry, is when its complete listing goes stale.
	listedUntil time.Time
	// children, on a listed dir entry, are the listing's names in order;
	// nil when not kept. Cleared with listedUntil, so they never outlive
	// one of the child entries they name: memory stays bounded by the
	// cache size.
	children []string
	// target is a symlink's cached target; "" until read.
	target string
}

type metaCache struct {
	ttl, negTTL time.Duration
	now         func() time.Time

	mu  sync.Mutex
	lru *simplelru.LRU[string, *cacheEntry] // GUARDED_BY(mu)
}

func newMetaCache(size int, ttl, negTTL time.Duration, now func() time.Time) (*metaCache, error) {
	c := &metaCache{ttl: ttl, negTTL: negTTL, now: now}
	l, err := simplelru.NewLRU[string, *cacheEntry](size, c.onEvict)
	if err != nil {
		return nil, fmt.Errorf("metadata cache of %d entries: %w", size, err)
	}
	c.lru = l
	return c, nil
}

// onEvict runs inside lru calls, so c.mu is already held.
func (c *metaCache) onEvict(key string, e *cacheEntry) {
	if e.neg {
		return
	}
	if key == "" {
		return
	}
	if p, ok := c.lru.Peek(parentKey(key)); ok {
		p.listedUntil = time.Time{}
		p.children = nil
	}
}

// get returns what is known about path, if anything still fresh.
func (c *metaCache) get(path string) (meta, cacheResult) {
	m, res, _ := c.getTTL(path)
	return m, res
}

// getTTL is get that also says how long a hit stays fresh: the kernel is
// told to trust an answer only for what remains of the cache's trust.
func (c *metaCache) getTTL(path string) (meta, cacheResult, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if e, ok := c.lru.Get(path); ok {
		if now.Before(e.expires) {
			if e.neg {
				return meta{}, cacheNegative, 0
			}
			return e.m, cacheHit, e.expires.Sub(now)
		}
		c.lru.Remove(path)
	}
	if path != "" {
		if p, ok := c.lru.Peek(parentKey(path)); ok && !p.neg && now.Before(p.listedUntil) {
			return meta{}, cacheNegative, 0
		}
	}
	return meta{}, cacheMiss, 0
}

// put records a positive fact about path. A directory keeps its listing
// mark and a symlink its target when the object did not change.
func (c *metaCache) put(path string, m meta) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ne := &cacheEntry{m: m, expires: c.now().Add(c.ttl)}
	if old, ok := c.lru.Peek(path); ok && !old.neg && old.m.kind == m.kind {
		switch {
		case m.kind == kindDir:
			ne.listedUntil, ne.children = old.listedUntil, old.children
		case m.kind == kindSymlink && old.m.info.ETag == m.info.ETag:
			ne.target = old.target
		}
		if !m.full && old.m.full && old.m.info.ETag == m.info.ETag {
			// Keep what HEAD told (content type, user metadata).
			ne.m = old.m
		}
	}
	c.lru.Add(path, ne)
}

// putNegative records that path does not exist.
func (c *metaCache) putNegative(path string) {
	if c.negTTL <= 0 {
		c.remove(path)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Add(path, &cacheEntry{neg: true, expires: c.now().Add(c.negTTL)})
}

// markListed records that dir was listed completely by a listing that
// started at start; the mark lasts one MetadataTTL from then. names, when
// not nil, are the entries the listing produced, in order; if any of them
// has already left the cache (a directory larger than what the cache
// holds evicts its own first entries while it is listed), nothing is
// marked: the mark would answer "no such file" for a name that exists.
func (c *metaCache) markListed(dir string, start time.Time, names []string) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range names {
		if ce, ok := c.lru.Peek(childKey(dir, name)); !ok || ce.neg {
			return
		}
	}
	e, ok := c.lru.Peek(dir)
	if ok && !e.neg && e.m.kind == kindDir {
		e.listedUntil, e.children = start.Add(c.ttl), names
		return
	}
	// Adding the directory's own entry can evict one of the children just
	// checked; the mark is set first so that eviction clears it again.
	e = &cacheEntry{m: meta{kind: kindDir}, expires: start.Add(c.ttl), listedUntil: start.Add(c.ttl), children: names}
	c.lru.Add(dir, e)
}

// listing returns the entries of dir from its complete listing, when that
// listing is still fresh and every entry it named is still cached.
func (c *metaCache) listing(dir string) ([]dirEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	e, ok := c.lru.Peek(dir)
	if !ok || e.neg || e.children == nil || !now.Before(e.listedUntil) {
		return nil, false
	}
	out := make([]dirEntry, 0, len(e.children))
	for _, name := range e.children {
		ce, ok := c.lru.Peek(childKey(dir, name))
		if !ok || ce.neg || !now.Before(ce.expires) {
			return nil, false
		}
		out = append(out, dirEntry{name: name, m: ce.m})
	}
	return out, true
}

// symlinkTarget returns the cached target of the symlink at path.
func (c *metaCache) symlinkTarget(path, etag string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.lru.Peek(path)
	if !ok || e.neg || e.m.kind != kindSymlink || e.target == "" ||
		e.m.info.ETag != etag || !c.now().Before(e.expires) {
		return "", false
	}
	return e.target, true
}

// setSymlinkTarget caches target on the live symlink entry of path.
func (c *metaCache) setSymlinkTarget(path, etag, target string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.lru.Peek(path); ok && !e.neg && e.m.kind == kindSymlink && e.m.info.ETag == etag {
		e.target = target
	}
}

// remove forgets path (used when an object turned out to have changed).
func (c *metaCache) remove(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Remove(path)
}

func (c *metaCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
