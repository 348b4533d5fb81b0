package ossapi

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

func FuzzParseListResult(f *testing.F) {
	f.Add([]byte(`<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextContinuationToken>a%2Bb</NextContinuationToken><Contents><Key>a%20b</Key><Size>3</Size><LastModified>2020-05-18T05:45:43.000Z</LastModified></Contents><CommonPrefixes><Prefix>d%2F</Prefix></CommonPrefixes></ListBucketResult>`))
	f.Add([]byte(`<ListBucketResult xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com"><IsTruncated>false</IsTruncated></ListBucketResult>`))
	f.Add([]byte(`<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>`))
	f.Add([]byte(`<html>`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := parseListResult(body)
		if err != nil {
			return
		}
		if page.IsTruncated && page.NextContinuationToken == "" {
			t.Fatal("truncated page without token accepted")
		}
		for _, o := range page.Objects {
			if o.Key == "" || o.Size < 0 {
				t.Fatalf("bad object accepted: %+v", o)
			}
		}
		for _, p := range page.CommonPrefixes {
			if p == "" {
				t.Fatal("empty prefix accepted")
			}
		}
	})
}

func FuzzParseError(f *testing.F) {
	doc := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>m</Message><RequestId>R</RequestId><EC>0026-00000001</EC></Error>`
	f.Add(404, []byte(doc), "")
	f.Add(400, []byte{}, base64.StdEncoding.EncodeToString([]byte(doc)))
	f.Add(502, []byte("<html>Bad Gateway</html>"), "")
	f.Add(403, []byte{}, "!!notbase64")
	f.Fuzz(func(t *testing.T, status int, body []byte, xossErr string) {
		h := http.Header{}
		if xossErr != "" {
			h.Set("X-Oss-Err", xossErr)
		}
		e := parseError("Op", "key", status, h, body)
		if e == nil || e.StatusCode != status {
			t.Fatalf("got %+v", e)
		}
		// 120 bytes quoted expand at most 4x, plus the fixed text.
		if e.Code == "" && strings.HasPrefix(e.Message, "unparseable") && len(e.Message) > 4*120+80 {
			t.Fatalf("snippet not truncated: %d bytes", len(e.Message))
		}
		_ = e.Error()
		for _, s := range []error{ErrNotFound, ErrAccessDenied, ErrThrottled} {
			_ = e.Is(s)
		}
	})
}
