package fs

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ossfs/ossfs/fs/reader"
	"github.com/ossfs/ossfs/ossapi"
)

// filesystem is the state one mount shares between its nodes: the store,
// the options, the metadata cache and the prefetch memory budget. Nodes
// hold a pointer to it and their own key; there is no other tree.
type filesystem struct {
	store    ObjectStore
	opts     Options
	root     string // key of the mount root ("" = bucket root)
	cache    *metaCache
	once     *onceLogger
	episodes *episodes // failures logged once per outage episode
	flights  flights   // uncached stats in progress
	budget   *reader.Budget
	rec      Recorder  // nil: metrics off
	started  time.Time // mtime of directories that have no marker object
	// live counts the inodes the kernel holds (root excluded); FORGET
	// brings it back down. Tests use it to prove nodes are freed.
	live atomic.Int64
}

func newFilesystem(store ObjectStore, opts Options) (*filesystem, error) {
	if store == nil {
		return nil, fmt.Errorf("ossfs: nil object store")
	}
	opts = opts.withDefaults()
	root, ok := cleanPrefix(opts.Prefix)
	if !ok {
		return nil, fmt.Errorf("ossfs: prefix %q has an empty, dot or over-long component", opts.Prefix)
	}
	cache, err := newMetaCache(opts.CacheEntries, opts.MetadataTTL, opts.NegativeTTL, opts.Now)
	if err != nil {
		return nil, err
	}
	ep := newEpisodes(opts.Logger, opts.Now)
	return &filesystem{
		store:    watchStore{store, ep},
		episodes: ep,
		opts:     opts,
		root:     root,
		cache:    cache,
		once:     newOnceLogger(opts.Logger),
		budget:   reader.NewBudget(opts.MemoryBudget),
		rec:      opts.Metrics,
		started:  opts.Now(),
	}, nil
}

// stat says what key is, from the cache or with one round trip (a HEAD of
// key and a LIST of key+"/" in parallel). A missing path is an error
// wrapping ossapi.ErrNotFound.
func (f *filesystem) stat(ctx context.Context, key string) (meta, error) {
	m, _, err := f.statTTL(ctx, key)
	return m, err
}

// statTTL is stat that also returns how long the answer may be trusted
// (what remains of its cache entry's MetadataTTL), for the kernel's entry
// and attribute timeouts. Concurrent stats of one uncached path share one
// round trip.
func (f *filesystem) statTTL(ctx context.Context, key string) (meta, time.Duration, error) {
	if key == f.root {
		return meta{kind: kindDir}, f.opts.MetadataTTL, nil
	}
	for {
		m, res, ttl := f.cache.getTTL(key)
		if f.rec != nil {
			f.rec.CacheLookup(res == cacheHit, res == cacheNegative)
		}
		switch res {
		case cacheHit:
			return m, ttl, nil
		case cacheNegative:
			return meta{}, 0, fmt.Errorf("stat %q: %w", key, ossapi.ErrNotFound)
		}
		fl, leader := f.flights.join(key)
		if leader {
			fl.m, fl.err = f.statRemote(ctx, key)
			f.flights.finish(key, fl)
			return fl.m, f.opts.MetadataTTL, fl.err
		}
		select {
		case <-fl.done:
		case <-ctx.Done():
			return meta{}, 0, fmt.Errorf("stat %q: %w", key, ctx.Err())
		}
		// The leader's READ may have been interrupted; that is its
		// answer, not ours: look again (the cache now usually has it).
		if fl.err != nil && (errors.Is(fl.err, context.Canceled) || errors.Is(fl.err, context.DeadlineExceeded)) {
			continue
		}
		return fl.m, f.opts.MetadataTTL, fl.err
	}
}

// statRemote asks the store what key is and caches the answer.
func (f *filesystem) statRemote(ctx context.Context, key string) (meta, error) {
	var (
		wg      sync.WaitGroup
		page    ossapi.ListPage
		listErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		page, listErr = f.store.ListObjectsV2(ctx, ossapi.ListRequest{
			Prefix: key + "/", Delimiter: "/", MaxKeys: lookupListMaxKeys,
		})
	}()
	head, headErr := f.store.HeadObject(ctx, key)
	wg.Wait()

	r, err := resolve(key, head, headErr, page, listErr)
	if err != nil {
		if isNotFound(err) {
			f.cache.putNegative(key)
		}
		return meta{}, err
	}
	if r.shadowed {
		f.shadowed(key)
	}
	f.cache.put(key, r.m)
	return r.m, nil
}

// headFull returns key's metadata including what only HEAD tells
// (content type, user metadata), sending a HEAD unless it is cached.
func (f *filesystem) headFull(ctx context.Context, key string, m meta) (meta, error) {
	if m.full || m.kind == kindDir {
		return m, nil
	}
	info, err := f.store.HeadObject(ctx, key)
	if err != nil {
		if isNotFound(err) {
			f.cache.remove(key)
		}
		return meta{}, fmt.Errorf("head %q: %w", key, err)
	}
	// A HEAD follows symlinks, so keep the kind we already know.
	full := meta{kind: m.kind, info: info, full: true}
	f.cache.put(key, full)
	return full, nil
}

// readlink returns the target of the symlink at key as a path relative
// to the link's directory, so that it resolves inside the mount.
func (f *filesystem) readlink(ctx context.Context, key string, m meta) (string, error) {
	target, ok := f.cache.symlinkTarget(key, m.info.ETag)
	if !ok {
		var err error
		target, err = f.store.GetSymlink(ctx, key)
		if err != nil {
			return "", fmt.Errorf("get symlink %q: %w", key, err)
		}
		f.cache.setSymlinkTarget(key, m.info.ETag, target)
	}
	return relativeTarget(parentKey(key), target), nil
}

// relativeTarget turns target, a bucket key, into a path relative to the
// directory dir (also a key). Targets are kept as they are when already
// relative-looking ("./x", "../x") or absolute ("/x").
func relativeTarget(dir, target string) string {
	if target == "" || strings.HasPrefix(target, "/") || strings.HasPrefix(target, "./") ||
		strings.HasPrefix(target, "../") {
		return target
	}
	from := strings.Split(dir, "/")
	if dir == "" {
		from = nil
	}
	to := strings.Split(target, "/")
	i := 0
	for i < len(from) && i < len(to)-1 && from[i] == to[i] {
		i++
	}
	parts := make([]string, 0, len(from)-i+len(to)-i)
	for range from[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, to[i:]...)
	return path.Join(parts...)
}

func (f *filesystem) shadowed(key string) {
	f.once.warn("shadow:"+key, "ossfs: object hidden by a directory of the same name", "key", key)
}

func (f *filesystem) invalidKey(key string) {
	f.once.warn("invalid:"+key, "ossfs: skipping key that cannot be a file name", "key", key)
}

func isNotFound(err error) bool {
	return err != nil && errors.Is(err, ossapi.ErrNotFound)
}
