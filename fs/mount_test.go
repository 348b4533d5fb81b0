package fs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/fs/reader"
	"github.com/ossfs/ossfs/ossapi"
)

// mountFake mounts s at a temporary directory. Without /dev/fuse or root
// the test is skipped, unless OSSFS_REQUIRE_FUSE=1 (CI) makes it fail.
func mountFake(t *testing.T, s *fakeStore, opts Options) string {
	t.Helper()
	mnt, _ := mountFakeFS(t, s, opts)
	return mnt
}

// mountFakeFS is mountFake that also returns the mounted filesystem.
func mountFakeFS(t *testing.T, s *fakeStore, opts Options) (string, *filesystem) {
	t.Helper()
	reason := ""
	if os.Geteuid() != 0 {
		reason = "mount tests need root"
	} else if _, err := os.Stat("/dev/fuse"); err != nil {
		reason = "mount tests need /dev/fuse: " + err.Error()
	}
	if reason != "" {
		if os.Getenv("OSSFS_REQUIRE_FUSE") == "1" {
			t.Fatal(reason + " (OSSFS_REQUIRE_FUSE=1)")
		}
		t.Skip(reason)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	dir := t.TempDir()
	srv, fsys, err := mount(dir, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Unmount(); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
	return dir, fsys
}

func TestMountListAndStatCosts(t *testing.T) {
	const n = 2500
	s := newFakeStore()
	for i := range n {
		s.put(fmt.Sprintf("big/f%05d", i), []byte("x"))
	}
	mnt := mountFake(t, s, Options{})
	s.resetCounts()

	// ls -l: read the directory, lstat every entry.
	ents, err := os.ReadDir(filepath.Join(mnt, "big"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != n {
		t.Fatalf("listed %d entries, want %d", len(ents), n)
	}
	for _, e := range ents {
		fi, err := os.Lstat(filepath.Join(mnt, "big", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != 1 || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o444 {
			t.Fatalf("%s: size %d mode %v", e.Name(), fi.Size(), fi.Mode())
		}
	}
	// One lookup of "big" itself (HEAD+LIST), then ceil(2500/1000) pages.
	s.wantCalls(t, "ls -l", map[string]int{"HeadObject": 1, "ListObjectsV2": 1 + 3})

	s.resetCounts()
	if _, err := os.Stat(filepath.Join(mnt, "big", "not-there")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stat of absent name: %v", err)
	}
	s.wantCalls(t, "absent name in a listed directory", nil)
}

func TestMountStatCosts(t *testing.T) {
	s := newFakeStore()
	s.put("dir/file", []byte("hello"))
	mnt := mountFake(t, s, Options{})
	s.resetCounts()

	fi, err := os.Stat(filepath.Join(mnt, "dir"))
	if err != nil || !fi.IsDir() {
		t.Fatal(fi, err)
	}
	s.wantCalls(t, "stat of an uncached dir", map[string]int{"HeadObject": 1, "ListObjectsV2": 1})
	s.resetCounts()
	if _, err := os.Stat(filepath.Join(mnt, "dir")); err != nil {
		t.Fatal(err)
	}
	s.wantCalls(t, "second stat", nil)
}

func TestMountReadFile(t *testing.T) {
	s := newFakeStore()
	s.put("docs/a.txt", []byte("hello, world\n"))
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	s.put("docs/big.bin", big)
	s.put("docs/empty", nil)
	mnt := mountFake(t, s, Options{})

	if _, err := os.ReadDir(filepath.Join(mnt, "docs")); err != nil {
		t.Fatal(err)
	}
	s.resetCounts()
	got, err := os.ReadFile(filepath.Join(mnt, "docs", "a.txt"))
	if err != nil || string(got) != "hello, world\n" {
		t.Fatalf("read %q, %v", got, err)
	}
	s.wantCalls(t, "cat of a listed small file", map[string]int{"GetObject": 1})

	s.resetCounts()
	if got, err = os.ReadFile(filepath.Join(mnt, "docs", "a.txt")); err != nil || string(got) != "hello, world\n" {
		t.Fatalf("re-read %q, %v", got, err)
	}
	s.wantCalls(t, "warm re-read", nil)

	if got, err = os.ReadFile(filepath.Join(mnt, "docs", "empty")); err != nil || len(got) != 0 {
		t.Fatalf("empty file: %q, %v", got, err)
	}
	got, err = os.ReadFile(filepath.Join(mnt, "docs", "big.bin"))
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("big file: %d bytes, %v", len(got), err)
	}
}

func TestMountChangedObjectIsStale(t *testing.T) {
	s := newFakeStore()
	old := bytes.Repeat([]byte("a"), 8<<20)
	s.put("f", old)
	mnt := mountFake(t, s, Options{Reader: reader.Options{MinRequest: 4096, InitialWindow: 4096, MaxWindow: 8192, Parallel: 1}})

	fd, err := os.Open(filepath.Join(mnt, "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	buf := make([]byte, 4096)
	if _, err := fd.ReadAt(buf, 0); err != nil {
		t.Fatal(err)
	}
	s.put("f", bytes.Repeat([]byte("b"), 8<<20))
	_, err = fd.ReadAt(buf, 7<<20)
	if !errors.Is(err, syscall.ESTALE) {
		t.Fatalf("read after change: %v, want ESTALE", err)
	}
}

func TestMountSymlinkXattrAndErrors(t *testing.T) {
	s := newFakeStore()
	s.put("a/target.txt", []byte("target"), func(i *ossapi.ObjectInfo) {
		i.ContentType = "text/plain"
		i.Metadata = map[string]string{"owner": "ops"}
	})
	s.putSymlink("a/link", "a/target.txt")
	s.put("cold/frozen", []byte("zzz"), func(i *ossapi.ObjectInfo) { i.StorageClass = "Archive" })
	mnt := mountFake(t, s, Options{})

	link := filepath.Join(mnt, "a", "link")
	if got, err := os.Readlink(link); err != nil || got != "target.txt" {
		t.Fatalf("readlink = %q, %v", got, err)
	}
	if got, err := os.ReadFile(link); err != nil || string(got) != "target" {
		t.Fatalf("read through link = %q, %v", got, err)
	}
	s.resetCounts()
	if _, err := os.Readlink(link); err != nil {
		t.Fatal(err)
	}
	s.wantCalls(t, "second readlink", nil)

	file := filepath.Join(mnt, "a", "target.txt")
	for attr, want := range map[string]string{
		"user.oss.etag": fmt.Sprintf("%X", md5sum("target")), "user.oss.storage_class": "Standard",
		"user.oss.content_type": "text/plain", "user.oss.meta.owner": "ops",
	} {
		buf := make([]byte, 256)
		n, err := syscall.Getxattr(file, attr, buf)
		if err != nil || string(buf[:n]) != want {
			t.Errorf("getxattr %s = %q, %v; want %q", attr, buf[:max(n, 0)], err, want)
		}
	}
	if _, err := syscall.Getxattr(file, "user.none", make([]byte, 10)); !errors.Is(err, syscall.ENODATA) {
		t.Errorf("missing xattr: %v", err)
	}
	// Namespaces we do not support at all, ACLs included (the kernel
	// passes the daemon's EOPNOTSUPP on for system.posix_acl_*).
	for _, attr := range []string{"security.selinux", "system.posix_acl_access", "trusted.x"} {
		if _, err := syscall.Getxattr(file, attr, make([]byte, 64)); !errors.Is(err, syscall.EOPNOTSUPP) {
			t.Errorf("getxattr %s: %v, want EOPNOTSUPP", attr, err)
		}
	}
	lbuf := make([]byte, 1024)
	n, err := syscall.Listxattr(file, lbuf)
	if err != nil {
		t.Fatal(err)
	}
	names := bytes.Split(bytes.TrimSuffix(lbuf[:n], []byte{0}), []byte{0})
	var got []string
	for _, b := range names {
		got = append(got, string(b))
	}
	sort.Strings(got)
	if fmt.Sprint(got) != "[user.oss.content_type user.oss.etag user.oss.meta.owner user.oss.storage_class]" {
		t.Errorf("listxattr = %q", got)
	}

	if _, err := os.ReadFile(filepath.Join(mnt, "cold", "frozen")); !errors.Is(err, syscall.ENODATA) {
		t.Errorf("archive object read: %v, want ENODATA", err)
	}

	for what, err := range map[string]error{
		"write":  os.WriteFile(filepath.Join(mnt, "a", "new"), []byte("x"), 0o644),
		"mkdir":  os.Mkdir(filepath.Join(mnt, "a", "d"), 0o755),
		"remove": os.Remove(file),
		"rename": os.Rename(file, filepath.Join(mnt, "a", "moved")),
		"chmod":  os.Chmod(file, 0o600),
	} {
		if !errors.Is(err, syscall.EROFS) {
			t.Errorf("%s: %v, want EROFS", what, err)
		}
	}
	if _, err := os.OpenFile(file, os.O_WRONLY, 0); !errors.Is(err, syscall.EROFS) {
		t.Errorf("open for write: %v, want EROFS", err)
	}

	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil || st.Flags&0x1 == 0 /* ST_RDONLY */ || st.Namelen != 255 {
		t.Errorf("statfs: %+v, %v", st, err)
	}
}

func TestMountNamesAndPrefix(t *testing.T) {
	s := newFakeStore()
	s.put("root/a", []byte("file a"))
	s.put("root/a/b", []byte("in dir a"))
	s.put("root/x//y", nil)
	s.put("root/../z", nil)
	s.put("root/m/", nil) // directory marker
	s.put("elsewhere", nil)
	mnt := mountFake(t, s, Options{Prefix: "/root/"})

	ents, err := os.ReadDir(mnt)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, fmt.Sprintf("%s:%v", e.Name(), e.IsDir()))
	}
	if fmt.Sprint(got) != "[a:true m:true x:true]" {
		t.Fatalf("root = %v", got)
	}
	if ents, err := os.ReadDir(filepath.Join(mnt, "x")); err != nil || len(ents) != 0 {
		t.Fatalf("x holds only an invalid name: %v, %v", ents, err)
	}
	if b, err := os.ReadFile(filepath.Join(mnt, "a", "b")); err != nil || string(b) != "in dir a" {
		t.Fatalf("a/b = %q, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(mnt, "m")); err != nil || !fi.IsDir() {
		t.Fatalf("marker dir: %v, %v", fi, err)
	}
}

// After a walk over many objects and dropping the kernel's caches, every
// node is forgotten and freed.
func TestMountForget(t *testing.T) {
	s := newFakeStore()
	for d := range 10 {
		for i := range 50 {
			s.put(fmt.Sprintf("d%d/f%d", d, i), nil)
		}
	}
	mnt, fsys := mountFakeFS(t, s, Options{})
	n := 0
	err := filepath.WalkDir(mnt, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if _, err := d.Info(); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil || n != 511 {
		t.Fatalf("walked %d entries, %v", n, err)
	}
	if live := fsys.live.Load(); live < 500 {
		t.Fatalf("only %d live nodes after the walk", live)
	}
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("2"), 0); err != nil {
		t.Skipf("cannot drop caches: %v", err)
	}
	// FORGETs arrive asynchronously: wait for them, bounded.
	for i := 0; fsys.live.Load() > 0 && i < 2000; i++ {
		time.Sleep(time.Millisecond)
	}
	if live := fsys.live.Load(); live != 0 {
		t.Fatalf("%d nodes still live after drop_caches", live)
	}
}

func TestMountOwnerAndModes(t *testing.T) {
	s := newFakeStore()
	s.put("d/f", []byte("x"))
	s.put("legacy", []byte("y"), func(i *ossapi.ObjectInfo) {
		i.Metadata = map[string]string{"mode": "33152", "uid": "42", "gid": "43", "mtime": "1600000000"}
	})
	mnt := mountFake(t, s, Options{UID: 1234, GID: 5678, FileMode: 0o640, DirMode: 0o750})
	for _, tc := range []struct {
		path     string
		mode     os.FileMode
		uid, gid uint32
	}{
		{"d", os.ModeDir | 0o750, 1234, 5678},
		{"d/f", 0o640, 1234, 5678},
		{"legacy", 0o600, 42, 43}, // ossfs 1.x metadata, seen through HEAD
	} {
		fi, err := os.Stat(filepath.Join(mnt, tc.path))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode() != tc.mode || st.Uid != tc.uid || st.Gid != tc.gid {
			t.Errorf("%s: mode %v uid %d gid %d, want %v %d %d", tc.path, fi.Mode(), st.Uid, st.Gid, tc.mode, tc.uid, tc.gid)
		}
		if tc.path == "legacy" && fi.ModTime().Unix() != 1600000000 {
			t.Errorf("legacy mtime = %v", fi.ModTime())
		}
	}
}

// Several readers and stats at once, under the race detector.
func TestMountConcurrentReaders(t *testing.T) {
	s := newFakeStore()
	want := map[string][]byte{}
	for i := range 8 {
		data := bytes.Repeat([]byte{byte('a' + i)}, 300_000+i*7919)
		key := fmt.Sprintf("p/f%d", i)
		s.put(key, data)
		want[key] = data
	}
	mnt := mountFake(t, s, Options{})
	errs := make(chan error, 32)
	for round := range 3 {
		for key, data := range want {
			go func() {
				got, err := os.ReadFile(filepath.Join(mnt, key))
				switch {
				case err != nil:
					errs <- err
				case !bytes.Equal(got, data):
					errs <- fmt.Errorf("round %d %s: %d bytes differ", round, key, len(got))
				default:
					errs <- nil
				}
			}()
		}
	}
	for range 3 * len(want) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// A connection closed before the answer is reported by net/http as a bare
// "EOF". The read must fail with EIO, never end early: a short read makes
// the kernel shrink the file, and it would stay short afterwards.
func TestMountTransportEOFIsNotEndOfFile(t *testing.T) {
	s := newFakeStore()
	s.put("dir/f", []byte("0123456789\n"))
	mnt := mountFake(t, s, Options{})
	p := filepath.Join(mnt, "dir", "f")
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.getErr = &ossapi.TransportError{Op: "GetObject", Key: "dir/f",
		Err: &url.Error{Op: "Get", URL: "http://oss.example/dir/f", Err: io.EOF}}
	s.mu.Unlock()
	if got, err := os.ReadFile(p); !errors.Is(err, syscall.EIO) {
		t.Fatalf("read while connections close: %q, %v; want EIO", got, err)
	}
	s.mu.Lock()
	s.getErr = nil
	s.mu.Unlock()
	if got, err := os.ReadFile(p); err != nil || string(got) != "0123456789\n" {
		t.Fatalf("read once connections are accepted: %q, %v (the failed read shortened the file?)", got, err)
	}
}
