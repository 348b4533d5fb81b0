package reader

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

// ReadSlices returns the same bytes as ReadAt, served from the chunks'
// own buffers (no copy into p) while they are buffered; the references it
// holds keep the memory reserved until Release, even past Close.
func TestReadSlicesZeroCopy(t *testing.T) {
	const size = 8*mib + 777
	f := newFake(size, 7)
	b := NewBudget(64 * mib)
	r := New(f, "k", `"v1"`, size, b, testOpts)
	ctx := context.Background()

	var out []byte
	var held []*Slices
	buf := make([]byte, mib)
	fromChunks := 0
	for off := int64(0); ; {
		for i := range buf {
			buf[i] = 0xAA // whatever ReadSlices does not use stays untouched
		}
		v, err := r.ReadSlices(ctx, buf, off)
		if err != nil && err != io.EOF {
			t.Fatalf("ReadSlices(%d): %v", off, err)
		}
		n := 0
		for _, part := range v.Bytes() {
			out = append(out, part...)
			n += len(part)
		}
		if n > 0 && bytes.Count(buf, []byte{0xAA}) == len(buf) {
			fromChunks++ // nothing was written into p: every byte came from a chunk
		}
		if n != v.Len() {
			t.Fatalf("parts hold %d bytes, Len %d", n, v.Len())
		}
		off += int64(n)
		held = append(held, v)
		if err == io.EOF {
			break
		}
		if n != len(buf) {
			t.Fatalf("short read %d without EOF", n)
		}
	}
	if !bytes.Equal(out, f.data) {
		t.Fatal("ReadSlices returned wrong bytes")
	}
	if fromChunks == 0 {
		t.Error("no read was served from a chunk's buffer")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if b.InUse() == 0 {
		t.Fatal("buffers returned to the budget while slices still refer to them")
	}
	for _, v := range held {
		v.Release()
		v.Release() // idempotent
	}
	if b.InUse() != 0 {
		t.Errorf("%d bytes still reserved after every Release", b.InUse())
	}
	var none *Slices
	none.Release() // nil-safe
}

// An error leaves nothing to release, and EOF past the end is (empty, io.EOF).
func TestReadSlicesErrors(t *testing.T) {
	const size = 3 * mib
	f := newFake(size, 8)
	b := NewBudget(16 * mib)
	r := New(f, "k", `"v1"`, size, b, testOpts)
	v, err := r.ReadSlices(context.Background(), make([]byte, 10), size)
	if err != io.EOF || v.Len() != 0 {
		t.Fatalf("at the end: %d bytes, %v", v.Len(), err)
	}
	boom := errors.New("connection reset")
	f.mu.Lock()
	f.failNext = boom
	f.mu.Unlock()
	if v, err := r.ReadSlices(context.Background(), make([]byte, mib), 0); !errors.Is(err, boom) || v != nil {
		t.Fatalf("failed GET: %v, %v", v, err)
	}
	v, err = r.ReadSlices(context.Background(), make([]byte, mib), 0)
	if err != nil {
		t.Fatalf("retry after a failed GET: %v", err)
	}
	got := bytes.Join(v.Bytes(), nil)
	if !bytes.Equal(got, f.data[:mib]) {
		t.Error("retry after a failed GET: wrong bytes")
	}
	v.Release()
	r.Close()
	if n := b.InUse(); n != 0 {
		t.Errorf("%d bytes reserved after Release and Close", n)
	}
}
