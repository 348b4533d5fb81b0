package fs

import (
	"context"
	"io"

	"github.com/ossfs/ossfs/ossapi"
)

// ObjectStore is the narrow view of OSS the filesystem needs. *ossapi.Client
// satisfies it; tests use an in-memory fake.
type ObjectStore interface {
	HeadObject(ctx context.Context, key string) (ossapi.ObjectInfo, error)
	ListObjectsV2(ctx context.Context, req ossapi.ListRequest) (ossapi.ListPage, error)
	GetObject(ctx context.Context, req ossapi.GetRequest) (io.ReadCloser, ossapi.ObjectInfo, error)
	GetSymlink(ctx context.Context, key string) (string, error)
}
