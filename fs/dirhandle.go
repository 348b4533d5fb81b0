package fs

import (
	"context"
	"sync"
	"syscall"
	"time"

	fusefs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// dirHandle is one opendir of a directory. It streams the listing page by
// page (see lister) and caches every entry as it goes, and it answers the
// lookups READDIRPLUS makes for the entries it just produced from that
// listing, so "ls -l" costs the list pages and nothing else. When it has
// read a listing to the end without error it marks the directory as
// completely listed, so lookups of absent names cost nothing either, and
// keeps the names so that the next opendir within MetadataTTL is answered
// from the cache without a request.
//
// List requests run on a context that lives as long as the handle, not
// the READDIR's: an interrupt (any signal, Go's SIGURG included) must not
// make getdents fail halfway through a page.
type dirHandle struct {
	dir *dirNode

	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	ls     *lister    // GUARDED_BY(mu); nil when served from the cache
	cached []dirEntry // GUARDED_BY(mu): the cached listing's entries not yet produced
	names  []string   // GUARDED_BY(mu): names listed so far, kept for the cache
	start  time.Time  // GUARDED_BY(mu): when the current listing began
	pos    uint64     // GUARDED_BY(mu): entries produced, "." and ".." included
	last   dirEntry   // GUARDED_BY(mu): the entry produced last
	failed bool       // GUARDED_BY(mu): a page failed; the listing is not complete
	marked bool       // GUARDED_BY(mu): markListed was done
}

func newDirHandle(d *dirNode) *dirHandle {
	ctx, cancel := context.WithCancel(context.Background())
	h := &dirHandle{dir: d, ctx: ctx, cancel: cancel}
	h.restartLocked()
	return h
}

func (h *dirHandle) restartLocked() {
	f := h.dir.fsys
	if entries, ok := f.cache.listing(h.dir.key); ok {
		h.ls, h.cached = nil, entries
	} else {
		h.ls = newLister(f.store, h.dir.key, listEvents{invalid: f.invalidKey, shadowed: f.shadowed})
		h.cached = nil
	}
	h.names = []string{}
	h.start = f.opts.Now()
	h.pos = 0
	h.last = dirEntry{}
	h.failed = false
	h.marked = false
}

var _ = (fusefs.FileReaddirenter)((*dirHandle)(nil))

// Readdirent returns the next entry, or nil at the end.
func (h *dirHandle) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.nextLocked()
}

func (h *dirHandle) nextLocked() (*fuse.DirEntry, syscall.Errno) {
	switch h.pos {
	case 0, 1:
		name := [2]string{".", ".."}[h.pos]
		h.pos++
		return &fuse.DirEntry{Name: name, Mode: syscall.S_IFDIR}, 0
	}
	f := h.dir.fsys
	if h.ls == nil {
		if len(h.cached) == 0 {
			return nil, 0
		}
		e := h.cached[0]
		h.cached = h.cached[1:]
		h.pos++
		h.last = e
		return &fuse.DirEntry{Name: e.name, Mode: typeBits(e.m.kind)}, 0
	}
	e, ok, err := h.ls.next(h.ctx)
	if err != nil {
		h.failed = true
		return nil, f.toErrno("readdir", h.dir.key, err)
	}
	if !ok {
		// names is nil when the directory has more entries than the
		// cache holds: some are evicted already, so it can not be marked.
		if !h.failed && !h.marked && h.names != nil {
			f.cache.markListed(h.dir.key, h.start, h.names)
			h.marked = true
			h.names = nil
		}
		return nil, 0
	}
	f.cache.put(childKey(h.dir.key, e.name), e.m)
	if h.names != nil {
		if len(h.names) < f.opts.CacheEntries {
			h.names = append(h.names, e.name)
		} else {
			h.names = nil // more than the cache can hold: list again next time
		}
	}
	h.pos++
	h.last = e
	return &fuse.DirEntry{Name: e.name, Mode: typeBits(e.m.kind)}, 0
}

var _ = (fusefs.FileSeekdirer)((*dirHandle)(nil))

// Seekdir restarts the listing (rewinddir) or, for another offset, lists
// again from the start and skips to it: OSS listings can not seek back.
func (h *dirHandle) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	h.mu.Lock()
	defer h.mu.Unlock()
	if off == h.pos {
		return 0
	}
	h.restartLocked()
	for h.pos < off {
		de, errno := h.nextLocked()
		if errno != 0 {
			return errno
		}
		if de == nil {
			break
		}
	}
	return 0
}

var _ = (fusefs.FileLookuper)((*dirHandle)(nil))

// Lookup answers READDIRPLUS for the entry just produced, from the
// listing itself; any other name goes the normal way.
func (h *dirHandle) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fusefs.Inode, syscall.Errno) {
	h.mu.Lock()
	last := h.last
	h.mu.Unlock()
	if last.name != name || name == "" {
		return h.dir.Lookup(ctx, name, out)
	}
	// The entry was cached as it was listed (or is served from a fresh
	// cached listing): the full TTL, or the remaining one. The cache's
	// entry wins over the listing's when it is the same object: it keeps
	// what a HEAD told (ossfs 1.x mode and owner), which a listing lacks
	// and which must not be widened back to the defaults.
	m, ttl := last.m, h.dir.fsys.opts.MetadataTTL
	if cm, res, rem := h.dir.fsys.cache.getTTL(childKey(h.dir.key, name)); res == cacheHit {
		ttl = rem
		if cm.kind == m.kind && cm.info.ETag == m.info.ETag {
			m = cm
		}
	}
	return h.dir.child(ctx, name, m, ttl, out), 0
}

var _ = (fusefs.FileReleasedirer)((*dirHandle)(nil))

// Releasedir cancels a page request still in flight.
func (h *dirHandle) Releasedir(ctx context.Context, releaseFlags uint32) {
	h.cancel()
}
