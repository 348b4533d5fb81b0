package integration

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/fs"
)

// Issue 6, scenario 4: an object overwritten under an open reader gives
// that reader ESTALE or the old bytes, never a mix; a new open sees the
// new object once the metadata TTL has passed.

func TestOverwriteUnderOpenReader(t *testing.T) {
	requireFUSE(t)
	const size = 32 << 20
	const ttl = 500 * time.Millisecond
	srv := startEmulator(t, emulator.Options{})
	oldData := emulator.GeneratedData(size, 1)
	newData := emulator.GeneratedData(size, 2) // same size: only the ETag tells them apart
	m := mount(t, newClient(t, srv, nil, nil, nil), fs.Options{MetadataTTL: ttl, NegativeTTL: ttl})

	// A fresh key per case: nothing of it is in the kernel's page cache.
	for i, readFirst := range []int{0, 1 << 20, 5 << 20} {
		key := fmt.Sprintf("c/obj%d", i)
		if _, err := srv.PutObject(testBucket, key, oldData); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(m.path(key))
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 256<<10)
		off := 0
		for off < readFirst {
			n, err := f.ReadAt(buf, int64(off))
			if err != nil {
				t.Fatalf("read before the overwrite at %d: %v", off, err)
			}
			if !bytes.Equal(buf[:n], oldData[off:off+n]) {
				t.Fatalf("bytes at %d differ from the object before any overwrite", off)
			}
			off += n
		}
		if _, err := srv.PutObject(testBucket, key, newData); err != nil {
			t.Fatal(err)
		}
		// The tail first (beyond any read-ahead), then the rest in order.
		var readErr error
		check := func(at int) (int, error) {
			n, err := f.ReadAt(buf, int64(at))
			if n > 0 && !bytes.Equal(buf[:n], oldData[at:at+n]) {
				if bytes.Equal(buf[:n], newData[at:at+n]) {
					t.Fatalf("read %d bytes of the NEW object at %d through a handle opened on the old one: mixed versions", n, at)
				}
				t.Fatalf("read %d bytes at %d that are neither version", n, at)
			}
			if err == io.EOF {
				err = nil
			}
			return n, err
		}
		if _, readErr = check(size - len(buf)); readErr == nil {
			for off < size {
				n, err := check(off)
				off += n
				if err != nil {
					readErr = err
					break
				}
			}
		}
		f.Close()
		switch {
		case readErr == nil:
			t.Logf("read %d first: the reader got the whole old object", readFirst)
		case errors.Is(readErr, syscall.ESTALE):
			t.Logf("read %d first: ESTALE at offset %d", readFirst, off)
		default:
			t.Fatalf("read %d first: error %v, want ESTALE or the old bytes", readFirst, readErr)
		}

		// A new open sees the new object after the TTL; every read on the
		// way is one version whole.
		waitContent(t, m.path(key), newData, ttl)
	}
}

// waitContent polls path until it reads as want, allowing the metadata
// TTL plus slack; each read must be entirely one version or fail ESTALE.
func waitContent(t *testing.T, path string, want []byte, ttl time.Duration) {
	t.Helper()
	deadline := time.Now().Add(ttl + 5*time.Second)
	for {
		got, err := os.ReadFile(path)
		if err == nil && bytes.Equal(got, want) {
			return
		}
		if err != nil && !errors.Is(err, syscall.ESTALE) {
			t.Fatalf("read %s while waiting for the new version: %v", path, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: new content not seen within the TTL (%v) + 5s (last error %v)", path, ttl, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
