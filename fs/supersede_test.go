package fs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/ossfs/ossfs/fs/reader"
	"github.com/ossfs/ossfs/ossapi"
)

// The kernel keeps one page cache per inode. Once a newer version is
// opened, a handle of the old version must not feed old bytes into it
// (buffered reads would need no GET, so If-Match alone cannot stop them):
// it gets ESTALE, and every reader of the new version sees only new bytes.
func TestMountSupersededHandleNeverMixesVersions(t *testing.T) {
	s := newFakeStore()
	s.put("f", bytes.Repeat([]byte("a"), 2<<20))
	mnt := mountFake(t, s, Options{MetadataTTL: -1, NegativeTTL: -1, KernelReadahead: -1,
		Reader: reader.Options{MinRequest: 1 << 20, InitialWindow: 1 << 20, MaxWindow: 1 << 20, Parallel: 1}})
	p := filepath.Join(mnt, "f")
	open := func() *os.File {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_RANDOM) // the kernel reads just what is asked
		return f
	}
	buf := make([]byte, 4096)
	old := open()
	if _, err := old.ReadAt(buf, 0); err != nil { // buffers the first MiB of version a
		t.Fatal(err)
	}
	s.put("f", bytes.Repeat([]byte("b"), 2<<20))
	cur := open()
	if _, err := cur.ReadAt(buf, 1<<20+8192); err != nil || buf[0] != 'b' {
		t.Fatalf("new handle: %q, %v", buf[:4], err)
	}
	if _, err := old.ReadAt(buf, 64<<10); !errors.Is(err, syscall.ESTALE) {
		t.Errorf("old handle after a newer open: %q, %v; want ESTALE", buf[:4], err)
	}
	if _, err := cur.ReadAt(buf, 64<<10); err != nil || buf[0] != 'b' {
		t.Errorf("new handle at 64K: %q, %v; want version b", buf[:4], err)
	}
	all, err := os.ReadFile(p)
	if err != nil || bytes.Count(all, []byte("b")) != len(all) || len(all) != 2<<20 {
		t.Errorf("fresh read: %d bytes, %d of them 'a', err %v; want only version b", len(all), bytes.Count(all, []byte("a")), err)
	}
}

// A handle of a version that has since grown gets ESTALE past its own end,
// not a silent short read that would make the kernel shrink the file.
func TestMountSupersededHandleOfGrownObject(t *testing.T) {
	s := newFakeStore()
	s.put("f", bytes.Repeat([]byte("a"), 1<<20))
	mnt := mountFake(t, s, Options{MetadataTTL: -1, NegativeTTL: -1})
	p := filepath.Join(mnt, "f")
	old, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	s.put("f", bytes.Repeat([]byte("b"), 2<<20))
	cur, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	buf := make([]byte, 4096)
	if n, err := old.ReadAt(buf, 1<<20+4096); !errors.Is(err, syscall.ESTALE) {
		t.Errorf("old handle past its size: n=%d err=%v; want ESTALE", n, err)
	}
}

// READDIRPLUS answers from the listing, but must not forget what a HEAD
// already told about the object: ossfs 1.x mode and owner stay.
func TestMountListingKeepsHeadMetadata(t *testing.T) {
	s := newFakeStore()
	s.put("d/f", []byte("hello"), func(i *ossapi.ObjectInfo) {
		i.Metadata = map[string]string{"mode": "384", "uid": "1234"} // 0600
	})
	mnt := mountFake(t, s, Options{})
	p := filepath.Join(mnt, "d", "f")
	var st syscall.Stat_t
	if err := syscall.Stat(p, &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode&0o777 != 0o600 || st.Uid != 1234 {
		t.Fatalf("stat after lookup: mode %o uid %d; want 0600, 1234", st.Mode&0o777, st.Uid)
	}
	if _, err := os.ReadDir(filepath.Join(mnt, "d")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Stat(p, &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode&0o777 != 0o600 || st.Uid != 1234 {
		t.Errorf("stat after listing: mode %o uid %d; want 0600, 1234 (not the defaults)", st.Mode&0o777, st.Uid)
	}
}
