package fs

import (
	"fmt"

	"github.com/ossfs/ossfs/ossapi"
)

// A lookup of an uncached path sends, in parallel, a HEAD of the key and a
// LIST of key+"/" (delimiter "/", max-keys 1), the way mountpoint-s3 does,
// so a stat costs one round trip whatever the path turns out to be:
//
//   - anything under key+"/" (a "dir/" marker, a deeper key or a common
//     prefix) makes the path a directory, even when an object named key
//     exists too: the directory shadows the file, as it does in listings;
//   - otherwise a found object is a file, or a symlink when its type says so;
//   - otherwise the path does not exist.
//
// A failed LIST can not prove absence, so its error wins over a HEAD 404;
// a failed HEAD with an empty LIST is reported too. A HEAD of a symlink whose
// target is gone answers 404, so such a link is visible only through the
// listing of its directory.

// lookupListMaxKeys is the page size of the directory probe: one entry is
// enough to prove the prefix is not empty.
const lookupListMaxKeys = 1

// resolution is the decision for one path.
type resolution struct {
	m meta
	// shadowed is set when an object named key hides behind the directory.
	shadowed bool
}

// resolve decides what key is from the HEAD and LIST results. It returns an
// error wrapping ossapi.ErrNotFound when the path does not exist.
func resolve(key string, head ossapi.ObjectInfo, headErr error, list ossapi.ListPage, listErr error) (resolution, error) {
	headFound := headErr == nil
	if listErr == nil && (len(list.Objects) > 0 || len(list.CommonPrefixes) > 0) {
		r := resolution{m: meta{kind: kindDir}, shadowed: headFound}
		for _, o := range list.Objects {
			if o.Key == key+"/" {
				r.m.info = o // the "dir/" marker
			}
		}
		return r, nil
	}
	if listErr != nil {
		return resolution{}, fmt.Errorf("list %q: %w", key+"/", listErr)
	}
	if headErr != nil {
		return resolution{}, fmt.Errorf("head %q: %w", key, headErr)
	}
	return resolution{m: meta{kind: objectKind(head), info: head, full: true}}, nil
}
