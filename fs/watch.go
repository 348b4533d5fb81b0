package fs

import (
	"context"
	"errors"
	"io"

	"github.com/ossfs/ossfs/ossapi"
)

// watchStore tells the failure episodes when the store answers again. It
// sits between the filesystem (and its readers) and the store.
type watchStore struct {
	ObjectStore
	ep *episodes
}

// seen ends the open episodes when err shows the service answered and
// accepted the credentials: a success, or an expected per-object answer.
func (w watchStore) seen(err error) {
	if err == nil || errors.Is(err, ossapi.ErrNotFound) || errors.Is(err, ossapi.ErrPreconditionFailed) ||
		errors.Is(err, ossapi.ErrNotSymlink) || errors.Is(err, ossapi.ErrNotRestored) {
		w.ep.ok()
	}
}

func (w watchStore) HeadObject(ctx context.Context, key string) (ossapi.ObjectInfo, error) {
	info, err := w.ObjectStore.HeadObject(ctx, key)
	w.seen(err)
	return info, err
}

func (w watchStore) ListObjectsV2(ctx context.Context, req ossapi.ListRequest) (ossapi.ListPage, error) {
	page, err := w.ObjectStore.ListObjectsV2(ctx, req)
	w.seen(err)
	return page, err
}

func (w watchStore) GetObject(ctx context.Context, req ossapi.GetRequest) (io.ReadCloser, ossapi.ObjectInfo, error) {
	body, info, err := w.ObjectStore.GetObject(ctx, req)
	w.seen(err)
	return body, info, err
}

func (w watchStore) GetSymlink(ctx context.Context, key string) (string, error) {
	t, err := w.ObjectStore.GetSymlink(ctx, key)
	w.seen(err)
	return t, err
}
