package ossapi

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ossfs/ossfs/internal/pct"
)

const maxListBody = 32 << 20 // a 1000-key page is well under 1 MiB

// ListObjectsV2 fetches one page. Keys, prefixes and the continuation token
// come back decoded. A truncated page always has a NextContinuationToken.
func (c *Client) ListObjectsV2(ctx context.Context, lr ListRequest) (ListPage, error) {
	if lr.MaxKeys < 0 || lr.MaxKeys > 1000 {
		return ListPage{}, fmt.Errorf("list %q: max-keys %d out of range 0..1000", lr.Prefix, lr.MaxKeys)
	}
	q := url.Values{"list-type": {"2"}, "encoding-type": {"url"}}
	if lr.Prefix != "" {
		q.Set("prefix", lr.Prefix)
	}
	if lr.Delimiter != "" {
		q.Set("delimiter", lr.Delimiter)
	}
	if lr.StartAfter != "" {
		q.Set("start-after", lr.StartAfter)
	}
	if lr.ContinuationToken != "" {
		q.Set("continuation-token", lr.ContinuationToken)
	}
	if lr.MaxKeys > 0 {
		q.Set("max-keys", strconv.Itoa(lr.MaxKeys))
	}
	resp, err := c.do(ctx, &call{op: "ListObjectsV2", errKey: lr.Prefix, method: "GET",
		rawQuery: encodeQuery(q), okStatus: ok200, slurp: maxListBody})
	if err != nil {
		return ListPage{}, err
	}
	body, _ := io.ReadAll(resp.Body) // in memory already
	resp.Body.Close()
	page, err := parseListResult(body)
	if err != nil {
		return ListPage{}, fmt.Errorf("list %q: %w", lr.Prefix, err)
	}
	if page.IsTruncated && page.NextContinuationToken == lr.ContinuationToken {
		return ListPage{}, fmt.Errorf("list %q: service returned the same continuation token again", lr.Prefix)
	}
	return page, nil
}

// CheckAccess proves the bucket exists and may be listed, with one cheap
// list request. Its errors match ErrNoSuchBucket, ErrAccessDenied,
// ErrInvalidCredentials, ErrClockSkew or ErrUnreachable.
func (c *Client) CheckAccess(ctx context.Context) error {
	_, err := c.ListObjectsV2(ctx, ListRequest{MaxKeys: 1})
	if err != nil {
		return fmt.Errorf("check access to bucket %q at %s: %w", c.bucket, c.Endpoint(), err)
	}
	return nil
}

type listXML struct {
	XMLName               xml.Name      `xml:"ListBucketResult"`
	EncodingType          string        `xml:"EncodingType"`
	IsTruncated           *string       `xml:"IsTruncated"`
	NextContinuationToken string        `xml:"NextContinuationToken"`
	Contents              []contentsXML `xml:"Contents"`
	CommonPrefixes        []struct {
		Prefix string `xml:"Prefix"`
	} `xml:"CommonPrefixes"`
}

type contentsXML struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Type         string `xml:"Type"`
	Size         string `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
	RestoreInfo  string `xml:"RestoreInfo"`
}

// parseListResult decodes and validates a ListObjectsV2 body.
func parseListResult(body []byte) (ListPage, error) {
	var x listXML
	if err := xml.Unmarshal(body, &x); err != nil {
		return ListPage{}, fmt.Errorf("%w: list result: %v", ErrMalformedResponse, err)
	}
	dec := func(s string) (string, error) { return s, nil }
	switch enc := strings.TrimSpace(x.EncodingType); {
	case strings.EqualFold(enc, "url"):
		dec = strictUnescape
	case enc != "":
		return ListPage{}, fmt.Errorf("%w: unknown EncodingType %q", ErrMalformedResponse, enc)
	}
	if x.IsTruncated == nil {
		return ListPage{}, fmt.Errorf("%w: list result has no IsTruncated", ErrMalformedResponse)
	}
	var page ListPage
	switch strings.TrimSpace(*x.IsTruncated) {
	case "true":
		page.IsTruncated = true
	case "false":
	default:
		return ListPage{}, fmt.Errorf("%w: IsTruncated %q", ErrMalformedResponse, *x.IsTruncated)
	}
	if page.IsTruncated {
		tok, err := dec(strings.TrimSpace(x.NextContinuationToken))
		if err != nil {
			return ListPage{}, fmt.Errorf("%w: NextContinuationToken: %v", ErrMalformedResponse, err)
		}
		if tok == "" {
			return ListPage{}, fmt.Errorf("%w: truncated list page without NextContinuationToken", ErrMalformedResponse)
		}
		page.NextContinuationToken = tok
	}
	if len(x.Contents) > 0 {
		page.Objects = make([]ObjectInfo, 0, len(x.Contents))
	}
	for i := range x.Contents {
		o, err := x.Contents[i].info(dec)
		if err != nil {
			return ListPage{}, fmt.Errorf("%w: Contents[%d]: %v", ErrMalformedResponse, i, err)
		}
		page.Objects = append(page.Objects, o)
	}
	for i, cp := range x.CommonPrefixes {
		p, err := dec(cp.Prefix)
		if err != nil || p == "" {
			return ListPage{}, fmt.Errorf("%w: CommonPrefixes[%d]: bad prefix %q", ErrMalformedResponse, i, cp.Prefix)
		}
		page.CommonPrefixes = append(page.CommonPrefixes, p)
	}
	return page, nil
}

func (x *contentsXML) info(dec func(string) (string, error)) (ObjectInfo, error) {
	key, err := dec(x.Key)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("key %q: %v", x.Key, err)
	}
	if key == "" {
		return ObjectInfo{}, errors.New("empty key")
	}
	size, err := strconv.ParseInt(strings.TrimSpace(x.Size), 10, 64)
	if err != nil || size < 0 {
		return ObjectInfo{}, fmt.Errorf("key %q: bad size %q", key, x.Size)
	}
	var mtime time.Time
	if s := strings.TrimSpace(x.LastModified); s != "" {
		if mtime, err = time.Parse(time.RFC3339, s); err != nil {
			return ObjectInfo{}, fmt.Errorf("key %q: bad LastModified %q", key, x.LastModified)
		}
	}
	return ObjectInfo{
		Key:          key,
		Size:         size,
		ETag:         strings.TrimSpace(x.ETag),
		LastModified: mtime,
		StorageClass: strings.TrimSpace(x.StorageClass),
		ObjectType:   strings.TrimSpace(x.Type),
		Restore:      strings.TrimSpace(x.RestoreInfo),
	}, nil
}

// strictUnescape decodes %XY escapes only; '+' stays '+' (url.QueryUnescape
// would turn it into a space and corrupt keys).
func strictUnescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	return url.PathUnescape(s)
}

// encodeQuery encodes q strictly (space as %20), sorted by name; an empty
// value is written as the bare name (?symlink).
func encodeQuery(q map[string][]string) string {
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(pct.Encode(k))
			if v != "" {
				b.WriteByte('=')
				b.WriteString(pct.Encode(v))
			}
		}
	}
	return b.String()
}
