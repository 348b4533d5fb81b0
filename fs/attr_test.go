package fs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/ossapi"
)

func testFS(t *testing.T, s ObjectStore, opts Options) *filesystem {
	t.Helper()
	f, err := newFilesystem(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestAttrsOf(t *testing.T) {
	f := testFS(t, newFakeStore(), Options{UID: 1000, GID: 100, FileMode: 0o640, DirMode: 0o750})
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	file := meta{kind: kindFile, info: ossapi.ObjectInfo{Size: 42, LastModified: mtime}}
	for _, tc := range []struct {
		name  string
		m     meta
		mode  uint32
		size  uint64
		uid   uint32
		gid   uint32
		mtime time.Time
	}{
		{"file", file, syscall.S_IFREG | 0o640, 42, 1000, 100, mtime},
		{"dir", meta{kind: kindDir}, syscall.S_IFDIR | 0o750, 4096, 1000, 100, f.started},
		{"symlink", meta{kind: kindSymlink, info: ossapi.ObjectInfo{Size: 3, LastModified: mtime}},
			syscall.S_IFLNK | 0o777, 3, 1000, 100, mtime},
		{"ossfs 1.x metadata", meta{kind: kindFile, info: ossapi.ObjectInfo{Size: 1, LastModified: mtime,
			Metadata: map[string]string{"mtime": "1700000000.5", "mode": "33261", "uid": "7", "gid": "8"}}},
			syscall.S_IFREG | 0o755, 1, 7, 8, time.Unix(1700000000, 5e8)},
		{"mode keeps the object's type", meta{kind: kindDir, info: ossapi.ObjectInfo{
			Metadata: map[string]string{"mode": "33188"}}}, syscall.S_IFDIR | 0o644, 4096, 1000, 100, f.started},
		{"malformed metadata ignored", meta{kind: kindFile, info: ossapi.ObjectInfo{Size: 1, LastModified: mtime,
			Metadata: map[string]string{"mtime": "yesterday", "mode": "-1", "uid": "x", "gid": "99999999999"}}},
			syscall.S_IFREG | 0o640, 1, 1000, 100, mtime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := f.attrsOf(tc.m)
			if a.mode != tc.mode || a.size != tc.size || a.uid != tc.uid || a.gid != tc.gid || !a.mtime.Equal(tc.mtime) {
				t.Fatalf("got mode %o size %d uid %d gid %d mtime %v\nwant mode %o size %d uid %d gid %d mtime %v",
					a.mode, a.size, a.uid, a.gid, a.mtime, tc.mode, tc.size, tc.uid, tc.gid, tc.mtime)
			}
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.MetadataTTL != DefaultMetadataTTL || o.NegativeTTL != DefaultNegativeTTL ||
		o.CacheEntries != DefaultCacheEntries || o.FileMode != 0o444 || o.DirMode != 0o555 ||
		o.FSName != "ossfs" || o.Now == nil || o.Logger == nil || o.MemoryBudget != DefaultMemoryBudget {
		t.Fatalf("defaults: %+v", o)
	}
	o = Options{MetadataTTL: -1, NegativeTTL: -1}.withDefaults()
	if o.MetadataTTL != 0 || o.NegativeTTL != 0 {
		t.Fatalf("negative TTLs should disable caching: %v %v", o.MetadataTTL, o.NegativeTTL)
	}
	if _, err := newFilesystem(newFakeStore(), Options{Prefix: "a//b"}); err == nil {
		t.Fatal("bad prefix accepted")
	}
	if _, err := newFilesystem(nil, Options{}); err == nil {
		t.Fatal("nil store accepted")
	}
}

func TestToErrno(t *testing.T) {
	logs := &countingHandler{}
	f := testFS(t, newFakeStore(), Options{Logger: slog.New(logs)})
	se := func(sentinel error) error { return fmt.Errorf("get %q: %w", "k", &fakeErr{sentinel: sentinel}) }
	refused := &ossapi.TransportError{Op: "GetObject", Key: "k",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	for _, tc := range []struct {
		err  error
		want syscall.Errno
	}{
		{nil, 0},
		{se(ossapi.ErrNotFound), syscall.ENOENT},
		{se(ossapi.ErrPreconditionFailed), syscall.ESTALE},
		{se(ossapi.ErrAccessDenied), syscall.EACCES},
		{se(ossapi.ErrNotRestored), syscall.ENODATA},
		{fmt.Errorf("list: %w", context.Canceled), syscall.EINTR},
		// fs chooses an errno by returning it bare...
		{syscall.EROFS, syscall.EROFS},
		// ...a wrapped one came from elsewhere (the network) and is EIO.
		{fmt.Errorf("read %q: %w", "k", refused), syscall.EIO},
		{fmt.Errorf("wrapped: %w", syscall.EROFS), syscall.EIO},
		{errors.New("connection reset"), syscall.EIO},
		{se(ossapi.ErrInvalidCredentials), syscall.EACCES},
	} {
		if got := f.toErrno("op", "k", tc.err); got != tc.want {
			t.Errorf("toErrno(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	// Expected outcomes are silent; the rest open one episode per kind.
	if w := logs.count(slog.LevelWarn, ""); w != 3 {
		t.Errorf("%d warnings, want 3 (network, other, credentials):\n%s", w, logs)
	}
	if n := logs.count(slog.LevelWarn, "connection refused"); n != 1 {
		t.Errorf("the network cause logged %d times, want once:\n%s", n, logs)
	}
}

func TestXattrValues(t *testing.T) {
	m := meta{kind: kindFile, full: true, info: ossapi.ObjectInfo{
		ETag: `"ABC"`, StorageClass: "IA", ContentType: "text/plain", Metadata: map[string]string{"owner": "me"},
	}}
	for attr, want := range map[string]string{
		xattrETag: "ABC", xattrClass: "IA", xattrContentType: "text/plain", "user.oss.meta.owner": "me",
	} {
		if got, ok := xattrValue(m, attr); !ok || got != want {
			t.Errorf("%s = %q, %v; want %q", attr, got, ok, want)
		}
	}
	if _, ok := xattrValue(m, "user.oss.meta.none"); ok {
		t.Error("missing user metadata reported")
	}
	want := []string{xattrContentType, xattrETag, "user.oss.meta.owner", xattrClass}
	if got := xattrNames(m); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("names = %q, want %q", got, want)
	}
	buf := make([]byte, 2)
	if n, errno := copyXattr(buf, "ABC"); errno != syscall.ERANGE || n != 3 {
		t.Errorf("short buffer: %d %v", n, errno)
	}
	if n, errno := copyXattr(nil, "ABC"); errno != 0 || n != 3 {
		t.Errorf("size query: %d %v", n, errno)
	}
}

func TestNeedsRestore(t *testing.T) {
	for _, tc := range []struct {
		class, restore string
		want           bool
	}{
		{"Standard", "", false},
		{"IA", "", false},
		{"Archive", "", true},
		{"ColdArchive", `ongoing-request="true"`, true},
		{"DeepColdArchive", `ongoing-request="false", expiry-date="Sun, 16 Apr 2017 08:12:33 GMT"`, false},
		{"ARCHIVE", "", true},
	} {
		if got := needsRestore(ossapi.ObjectInfo{StorageClass: tc.class, Restore: tc.restore}); got != tc.want {
			t.Errorf("needsRestore(%s, %q) = %v", tc.class, tc.restore, got)
		}
	}
}

// stat sends one HEAD and one LIST for an uncached path and nothing when
// cached; a name absent from a complete listing costs nothing.
func TestStatRequestCosts(t *testing.T) {
	s := newFakeStore()
	s.put("d/f", []byte("hi"))
	clk := newFakeClock()
	f := testFS(t, s, Options{Now: clk.Now})
	ctx := context.Background()

	if m, err := f.stat(ctx, "d/f"); err != nil || m.kind != kindFile {
		t.Fatal(m, err)
	}
	s.wantCalls(t, "first stat", map[string]int{"HeadObject": 1, "ListObjectsV2": 1})
	s.resetCounts()
	if _, err := f.stat(ctx, "d/f"); err != nil {
		t.Fatal(err)
	}
	s.wantCalls(t, "second stat", nil)

	if _, err := f.stat(ctx, "d/none"); !errors.Is(err, ossapi.ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := f.stat(ctx, "d/none"); !errors.Is(err, ossapi.ErrNotFound) {
		t.Fatal(err)
	}
	s.wantCalls(t, "negative stat twice", map[string]int{"HeadObject": 1, "ListObjectsV2": 1})

	s.resetCounts()
	l := newLister(s, "d", listEvents{})
	for {
		e, ok, err := l.next(ctx)
		if err != nil || !ok {
			break
		}
		f.cache.put(childKey("d", e.name), e.m)
	}
	f.cache.markListed("d", clk.Now(), nil)
	if _, err := f.stat(ctx, "d/absent"); !errors.Is(err, ossapi.ErrNotFound) {
		t.Fatal(err)
	}
	s.wantCalls(t, "listing then absent name", map[string]int{"ListObjectsV2": 1})

	clk.advance(2 * DefaultMetadataTTL)
	s.resetCounts()
	if _, err := f.stat(ctx, "d/f"); err != nil {
		t.Fatal(err)
	}
	s.wantCalls(t, "stat after TTL", map[string]int{"HeadObject": 1, "ListObjectsV2": 1})
}
