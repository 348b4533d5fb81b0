package fs

import (
	"errors"
	"testing"

	"github.com/ossfs/ossfs/ossapi"
)

func TestResolve(t *testing.T) {
	obj := ossapi.ObjectInfo{Key: "a", Size: 3, ETag: `"E"`, ObjectType: "Normal"}
	link := ossapi.ObjectInfo{Key: "a", ETag: `"L"`, ObjectType: "Symlink"}
	marker := ossapi.ObjectInfo{Key: "a/", ETag: `"M"`}
	nf := notFound("x", "a")
	boom := errors.New("connection reset")
	empty := ossapi.ListPage{}
	sub := ossapi.ListPage{CommonPrefixes: []string{"a/b/"}}
	deep := ossapi.ListPage{Objects: []ossapi.ObjectInfo{{Key: "a/f"}}}
	marked := ossapi.ListPage{Objects: []ossapi.ObjectInfo{marker}}

	for _, tc := range []struct {
		name     string
		head     ossapi.ObjectInfo
		headErr  error
		list     ossapi.ListPage
		listErr  error
		want     kind
		wantErr  error // matched with errors.Is; nil means success
		shadowed bool
		info     ossapi.ObjectInfo
	}{
		{name: "file", head: obj, list: empty, want: kindFile, info: obj},
		{name: "symlink", head: link, list: empty, want: kindSymlink, info: link},
		{name: "implicit dir", headErr: nf, list: sub, want: kindDir},
		{name: "dir with files", headErr: nf, list: deep, want: kindDir},
		{name: "dir marker", headErr: nf, list: marked, want: kindDir, info: marker},
		{name: "dir shadows file", head: obj, list: sub, want: kindDir, shadowed: true},
		{name: "dir despite head error", headErr: boom, list: sub, want: kindDir},
		{name: "absent", headErr: nf, list: empty, wantErr: ossapi.ErrNotFound},
		{name: "list error beats 404", headErr: nf, listErr: boom, wantErr: boom},
		{name: "list error with file", head: obj, listErr: boom, wantErr: boom},
		{name: "head error, empty list", headErr: boom, list: empty, wantErr: boom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := resolve("a", tc.head, tc.headErr, tc.list, tc.listErr)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.m.kind != tc.want || r.shadowed != tc.shadowed || r.m.info.ETag != tc.info.ETag {
				t.Fatalf("got %v shadowed=%v etag=%q, want %v shadowed=%v etag=%q",
					r.m.kind, r.shadowed, r.m.info.ETag, tc.want, tc.shadowed, tc.info.ETag)
			}
			if r.m.kind != kindDir && !r.m.full {
				t.Fatal("HEAD result not marked full")
			}
		})
	}
}
