package ossapi_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/ossfs/ossfs/ossapi"
)

const listPage = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com">
  <Name>bucket</Name><Prefix>dir%2Fa%20b%2B</Prefix><MaxKeys>2</MaxKeys><Delimiter>%2F</Delimiter>
  <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
  <NextContinuationToken>CgJi%2BYw--</NextContinuationToken><KeyCount>2</KeyCount>
  <Contents>
    <Key>dir%2Fa%20b%2Bc~%E6%96%87.txt</Key><LastModified>2020-05-18T05:45:43.000Z</LastModified>
    <ETag>"35A27C2B9EAEEB6F48FD7FB5861D0000"</ETag><Type>Normal</Type><Size>344606</Size><StorageClass>Standard</StorageClass>
  </Contents>
  <CommonPrefixes><Prefix>dir%2Fa%20b%2Bsub%2F</Prefix></CommonPrefixes>
</ListBucketResult>`

func TestListObjectsV2(t *testing.T) {
	var query string
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != "/bucket/" {
			t.Errorf("path %q", r.URL.EscapedPath())
		}
		query = r.URL.RawQuery
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(listPage))
	}))
	page, err := c.ListObjectsV2(t.Context(), ossapi.ListRequest{Prefix: "dir/a b+", Delimiter: "/", MaxKeys: 2, ContinuationToken: "tok+1"})
	if err != nil {
		t.Fatal(err)
	}
	const wantQuery = "continuation-token=tok%2B1&delimiter=%2F&encoding-type=url&list-type=2&max-keys=2&prefix=dir%2Fa%20b%2B"
	if query != wantQuery {
		t.Errorf("query\n got %s\nwant %s", query, wantQuery)
	}
	if !page.IsTruncated || page.NextContinuationToken != "CgJi+Yw--" {
		t.Errorf("truncation %v %q", page.IsTruncated, page.NextContinuationToken)
	}
	if len(page.Objects) != 1 || len(page.CommonPrefixes) != 1 {
		t.Fatalf("page %+v", page)
	}
	o := page.Objects[0]
	if o.Key != "dir/a b+c~文.txt" || o.Size != 344606 || o.ETag != `"35A27C2B9EAEEB6F48FD7FB5861D0000"` ||
		o.StorageClass != "Standard" || o.ObjectType != "Normal" || o.LastModified.Unix() != 1589780743 {
		t.Errorf("object %+v", o)
	}
	if page.CommonPrefixes[0] != "dir/a b+sub/" {
		t.Errorf("prefix %q", page.CommonPrefixes[0])
	}
}

func TestListRejectsBadPages(t *testing.T) {
	pages := map[string]string{
		"truncated without token": `<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>`,
		"no IsTruncated":          `<ListBucketResult><Name>b</Name></ListBucketResult>`,
		"bad IsTruncated":         `<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>`,
		"garbage":                 "\x00garbage",
		"html":                    `<html><body>hello</body></html>`,
		"cut short":               listPage[:300],
		"bad size":                `<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>`,
		"bad escape":              `<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>a%zz</Key><Size>1</Size></Contents></ListBucketResult>`,
		"empty key":               `<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key></Key><Size>1</Size></Contents></ListBucketResult>`,
		"same token":              `<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t</NextContinuationToken></ListBucketResult>`,
	}
	for name, body := range pages {
		c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
		_, err := c.ListObjectsV2(t.Context(), ossapi.ListRequest{ContinuationToken: "t"})
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if name != "same token" && !errors.Is(err, ossapi.ErrMalformedResponse) {
			t.Errorf("%s: %v does not match ErrMalformedResponse", name, err)
		}
	}
}

func TestListMaxKeysRange(t *testing.T) {
	c := newClient(t, http.NotFoundHandler())
	for _, n := range []int{-1, 1001} {
		if _, err := c.ListObjectsV2(t.Context(), ossapi.ListRequest{MaxKeys: n}); err == nil {
			t.Errorf("max-keys %d accepted", n)
		}
	}
}

func TestCheckAccess(t *testing.T) {
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("max-keys") != "1" {
			t.Errorf("query %s", r.URL.RawQuery)
		}
		writeError(w, 404, "NoSuchBucket", "The specified bucket does not exist.")
	}))
	err := c.CheckAccess(t.Context())
	if !errors.Is(err, ossapi.ErrNoSuchBucket) || !errors.Is(err, ossapi.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

func TestGetSymlink(t *testing.T) {
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "symlink" {
			t.Errorf("query %q", r.URL.RawQuery)
		}
		switch r.URL.EscapedPath() {
		case "/bucket/link":
			w.Header().Set("x-oss-symlink-target", "dir/a%20b%2Bc~%E6%96%87.txt")
		case "/bucket/raw":
			w.Header().Set("x-oss-symlink-target", "100%")
		case "/bucket/plain":
			writeError(w, 400, "NotSymlink", "The specified object is not a symlink.")
		}
	}))
	for key, want := range map[string]string{"link": "dir/a b+c~文.txt", "raw": "100%"} {
		got, err := c.GetSymlink(t.Context(), key)
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", key, got, err, want)
		}
	}
	if _, err := c.GetSymlink(t.Context(), "plain"); !errors.Is(err, ossapi.ErrNotSymlink) {
		t.Errorf("plain: err = %v", err)
	}
	if _, err := c.GetSymlink(t.Context(), "missing-header"); !errors.Is(err, ossapi.ErrNotSymlink) {
		t.Errorf("missing header: err = %v", err)
	}
}

// A list body cut mid-stream is retried like any transport failure.
func TestListBodyResetIsRetried(t *testing.T) {
	var n counter
	c := newClient(t, n.wrap(func(w http.ResponseWriter, r *http.Request) {
		if n.n.Load() == 1 {
			w.Header().Set("Content-Length", "100000")
			w.Write([]byte(listPage[:200]))
			w.(http.Flusher).Flush()
			resetConn(t, w)
			return
		}
		w.Write([]byte(listPage))
	}))
	page, err := c.ListObjectsV2(t.Context(), ossapi.ListRequest{})
	if err != nil || len(page.Objects) != 1 || n.n.Load() != 2 {
		t.Fatalf("page %+v, err %v, %d requests", page, err, n.n.Load())
	}
}
