package ossapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// HeadObject returns the metadata of key. A missing key matches ErrNotFound.
func (c *Client) HeadObject(ctx context.Context, key string) (ObjectInfo, error) {
	if key == "" {
		return ObjectInfo{}, errors.New("head: empty key")
	}
	resp, err := c.do(ctx, &call{op: "HeadObject", key: key, errKey: key, method: "HEAD", okStatus: ok200})
	if err != nil {
		return ObjectInfo{}, err
	}
	resp.Body.Close()
	info, err := infoFromHeader(key, resp.Header)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("head %q: %w", key, err)
	}
	n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return ObjectInfo{}, fmt.Errorf("head %q: %w: bad Content-Length %q", key, ErrMalformedResponse, resp.Header.Get("Content-Length"))
	}
	info.Size = n
	return info, nil
}

// infoFromHeader fills everything but Size from a HEAD or GET response.
func infoFromHeader(key string, h http.Header) (ObjectInfo, error) {
	info := ObjectInfo{
		Key:          key,
		ETag:         h.Get("ETag"),
		ContentType:  h.Get("Content-Type"),
		StorageClass: h.Get("X-Oss-Storage-Class"),
		ObjectType:   h.Get("X-Oss-Object-Type"),
		Restore:      h.Get("X-Oss-Restore"),
	}
	if lm := h.Get("Last-Modified"); lm != "" {
		t, err := http.ParseTime(lm)
		if err != nil {
			return ObjectInfo{}, fmt.Errorf("%w: bad Last-Modified %q", ErrMalformedResponse, lm)
		}
		info.LastModified = t.UTC()
	}
	const metaPrefix = "X-Oss-Meta-"
	for name, vals := range h {
		if len(name) > len(metaPrefix) && strings.EqualFold(name[:len(metaPrefix)], metaPrefix) && len(vals) > 0 {
			if info.Metadata == nil {
				info.Metadata = make(map[string]string)
			}
			info.Metadata[strings.ToLower(name[len(metaPrefix):])] = vals[0]
		}
	}
	return info, nil
}

// GetSymlink returns the target key of the symlink object key, decoded.
// A key that is not a symlink matches ErrNotSymlink.
func (c *Client) GetSymlink(ctx context.Context, key string) (string, error) {
	if key == "" {
		return "", errors.New("get symlink: empty key")
	}
	resp, err := c.do(ctx, &call{op: "GetSymlink", key: key, errKey: key, method: "GET",
		rawQuery: "symlink", okStatus: ok200})
	if err != nil {
		return "", err
	}
	drainClose(resp.Body)
	raw, ok := resp.Header["X-Oss-Symlink-Target"]
	if !ok || len(raw) == 0 || raw[0] == "" {
		return "", fmt.Errorf("get symlink %q: no x-oss-symlink-target in the answer: %w", key, ErrNotSymlink)
	}
	// The target is written percent-encoded; one that does not decode was
	// stored raw (a literal '%'), so keep it as it is.
	target, err := strictUnescape(raw[0])
	if err != nil {
		target = raw[0]
	}
	return target, nil
}
