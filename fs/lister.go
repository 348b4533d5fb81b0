package fs

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ossfs/ossfs/ossapi"
)

// A lister streams one directory, one ListObjectsV2 page (delimiter "/",
// 1000 keys) at a time, and asks for the next page as soon as it has one,
// so the service's round trip overlaps the kernel consuming the current
// page (a cold "ls -l" then costs about the listing's own time, not that
// plus the FUSE work). At most two pages plus a few held-back names are in
// memory, whatever the size of the directory.
//
// Held-back names: a key "a" and a prefix "a/" may both exist, and the
// directory must win. LIST returns keys in byte order, and "a-x" or "a.x"
// sort between "a" and "a/", possibly pages apart. So a file entry is held
// back until the listing has passed the place where its "name/" prefix
// would sort, or has ended; only then is it emitted (or dropped, when the
// prefix came). Everything else is emitted as soon as it is read, so the
// stream order is LIST order except that held-back files come a little
// later.

// listPageSize is the ListObjectsV2 page size (the service maximum).
const listPageSize = 1000

// dirEntry is one child produced by a lister.
type dirEntry struct {
	name string
	m    meta
}

// listEvents receives what a lister drops; nil funcs are ignored.
type listEvents struct {
	invalid  func(key string) // key that cannot be a name
	shadowed func(key string) // object hidden by a directory of the same name
}

type lister struct {
	store  ObjectStore
	prefix string // dirPrefix of the directory
	ev     listEvents

	started bool
	token   string // continuation token of the next page
	more    bool   // another page exists
	// ahead delivers the next page, requested in the background with
	// token; nil when no request is out.
	ahead   chan pageResult
	page    []listItem
	pending []dirEntry // files that a later "name/" prefix may still shadow
	ready   []dirEntry // decided entries not yet returned
	done    bool
}

// pageResult is a page requested ahead of need.
type pageResult struct {
	page ossapi.ListPage
	err  error
}

// listItem is an object or a common prefix of a page, in key order.
type listItem struct {
	key   string // full key, or full prefix with its trailing "/"
	isDir bool
	info  ossapi.ObjectInfo
}

func newLister(store ObjectStore, dir string, ev listEvents) *lister {
	return &lister{store: store, prefix: dirPrefix(dir), ev: ev}
}

// next returns the next entry; ok is false at the end of the directory.
// After an error the lister may be retried: the failed page is re-requested.
func (l *lister) next(ctx context.Context) (e dirEntry, ok bool, err error) {
	for len(l.ready) == 0 {
		if l.done {
			return dirEntry{}, false, nil
		}
		if len(l.page) == 0 {
			if l.started && !l.more {
				l.ready = append(l.ready, l.pending...)
				l.pending = nil
				l.done = true
				continue
			}
			if err := l.fetch(ctx); err != nil {
				return dirEntry{}, false, err
			}
			continue
		}
		it := l.page[0]
		l.page = l.page[1:]
		l.take(it)
	}
	e = l.ready[0]
	l.ready = l.ready[1:]
	return e, true, nil
}

// fetch makes the next page current: the one requested ahead when there
// is one, else a request now. ctx must live as long as the listing (the
// directory handle's), since the request for the page after runs on it.
func (l *lister) fetch(ctx context.Context) error {
	var p ossapi.ListPage
	var err error
	if l.ahead != nil {
		select {
		case r := <-l.ahead:
			p, err = r.page, r.err
		case <-ctx.Done():
			err = ctx.Err()
		}
		l.ahead = nil
	} else {
		p, err = l.store.ListObjectsV2(ctx, l.request())
	}
	if err != nil {
		return fmt.Errorf("list %q: %w", l.prefix, err)
	}
	if p.IsTruncated && (p.NextContinuationToken == "" || p.NextContinuationToken == l.token) {
		// Following it would loop forever.
		return fmt.Errorf("list %q: truncated page without a new continuation token", l.prefix)
	}
	l.started = true
	l.more = p.IsTruncated
	l.token = p.NextContinuationToken
	if l.more {
		req, ahead := l.request(), make(chan pageResult, 1)
		l.ahead = ahead
		go func() {
			page, err := l.store.ListObjectsV2(ctx, req)
			ahead <- pageResult{page, err} // buffered: never blocks if unused
		}()
	}
	items := make([]listItem, 0, len(p.Objects)+len(p.CommonPrefixes))
	for _, o := range p.Objects {
		items = append(items, listItem{key: o.Key, info: o})
	}
	for _, cp := range p.CommonPrefixes {
		items = append(items, listItem{key: cp, isDir: true})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].key < items[j].key })
	l.page = items
	return nil
}

// request asks for the page after the current one.
func (l *lister) request() ossapi.ListRequest {
	return ossapi.ListRequest{Prefix: l.prefix, Delimiter: "/", MaxKeys: listPageSize, ContinuationToken: l.token}
}

// take decides what one listed item contributes.
func (l *lister) take(it listItem) {
	// Release held-back files whose "name/" would sort before this key:
	// their directory can no longer come.
	kept := l.pending[:0]
	for _, p := range l.pending {
		if l.prefix+p.name+"/" < it.key {
			l.ready = append(l.ready, p)
		} else {
			kept = append(kept, p)
		}
	}
	l.pending = kept
	if !strings.HasPrefix(it.key, l.prefix) {
		l.invalid(it.key) // a misbehaving store; never a name of ours
		return
	}
	rest := it.key[len(l.prefix):]
	if it.isDir {
		name := strings.TrimSuffix(rest, "/")
		if !validName(name) {
			l.invalid(it.key)
			return
		}
		for i, p := range l.pending {
			if p.name == name {
				if l.ev.shadowed != nil {
					l.ev.shadowed(l.prefix + name)
				}
				l.pending = append(l.pending[:i], l.pending[i+1:]...)
				break
			}
		}
		l.ready = append(l.ready, dirEntry{name: name, m: meta{kind: kindDir}})
		return
	}
	if rest == "" {
		return // the directory's own "dir/" marker
	}
	if !validName(rest) {
		l.invalid(it.key)
		return
	}
	l.pending = append(l.pending, dirEntry{name: rest, m: meta{kind: objectKind(it.info), info: it.info}})
}

func (l *lister) invalid(key string) {
	if l.ev.invalid != nil {
		l.ev.invalid(key)
	}
}
