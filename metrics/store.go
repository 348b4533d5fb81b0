package metrics

import (
	"context"
	"errors"
	"io"

	"github.com/ossfs/ossfs/fs"
	"github.com/ossfs/ossfs/ossapi"
)

// WrapStore returns s decorated to count its calls by API and outcome and
// the GetObject body bytes read through it. With a nil r it returns s
// itself: metrics off costs nothing.
func WrapStore(s fs.ObjectStore, r *Registry) fs.ObjectStore {
	if r == nil {
		return s
	}
	return &countingStore{s: s, r: r}
}

type countingStore struct {
	s fs.ObjectStore
	r *Registry
}

var _ fs.ObjectStore = (*countingStore)(nil)

func (c *countingStore) HeadObject(ctx context.Context, key string) (ossapi.ObjectInfo, error) {
	info, err := c.s.HeadObject(ctx, key)
	c.r.ObserveCall("HeadObject", result(err))
	return info, err
}

func (c *countingStore) ListObjectsV2(ctx context.Context, req ossapi.ListRequest) (ossapi.ListPage, error) {
	p, err := c.s.ListObjectsV2(ctx, req)
	c.r.ObserveCall("ListObjectsV2", result(err))
	return p, err
}

func (c *countingStore) GetObject(ctx context.Context, req ossapi.GetRequest) (io.ReadCloser, ossapi.ObjectInfo, error) {
	body, info, err := c.s.GetObject(ctx, req)
	c.r.ObserveCall("GetObject", result(err))
	if err != nil {
		return body, info, err
	}
	return &countingBody{ReadCloser: body, r: c.r}, info, nil
}

func (c *countingStore) GetSymlink(ctx context.Context, key string) (string, error) {
	t, err := c.s.GetSymlink(ctx, key)
	c.r.ObserveCall("GetSymlink", result(err))
	return t, err
}

// countingBody adds the bytes read to the fetched counter as they arrive,
// so that a long GET shows progress while it streams.
type countingBody struct {
	io.ReadCloser
	r *Registry
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.r.AddFetched(int64(n))
	return n, err
}

// result is the outcome label of a call: a fixed word, never error text.
func result(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, ossapi.ErrNotFound):
		return "not_found"
	case errors.Is(err, ossapi.ErrPreconditionFailed):
		return "precondition_failed"
	case errors.Is(err, ossapi.ErrAccessDenied), errors.Is(err, ossapi.ErrInvalidCredentials):
		return "denied"
	case errors.Is(err, ossapi.ErrThrottled):
		return "throttled"
	}
	return "error"
}
