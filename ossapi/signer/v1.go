package signer

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ossfs/ossfs/creds"
)

// v1SubResources are the query parameters V1 signs, besides every x-oss-*
// one: the v2 SDK's list, which agrees with the old SDK's for every
// read-side operation (protocol.md §3.2).
var v1SubResources = map[string]bool{}

func init() {
	for _, name := range strings.Fields(`acl bucketInfo location stat delete append tagging objectMeta
		uploads uploadId partNumber security-token position response-content-type
		response-content-language response-expires response-cache-control
		response-content-disposition response-content-encoding restore callback
		callback-var versions versioning versionId sequential continuation-token
		regionList cloudboxes symlink`) {
		v1SubResources[name] = true
	}
}

// IsV1SubResource reports whether query parameter name is part of the V1
// canonical resource.
func IsV1SubResource(name string) bool {
	return v1SubResources[name] || strings.HasPrefix(name, "x-oss-")
}

// V1StringToSign builds VERB\nContent-MD5\nContent-Type\nDate\n
// CanonicalizedOSSHeaders CanonicalizedResource. dateOrExpires is the Date
// header (header form) or the Expires seconds (presigned URL form).
func V1StringToSign(method string, header http.Header, bucket, key string, query url.Values, dateOrExpires string) string {
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(header.Get("Content-MD5"))
	b.WriteByte('\n')
	b.WriteString(header.Get("Content-Type"))
	b.WriteByte('\n')
	b.WriteString(dateOrExpires)
	b.WriteByte('\n')
	for _, h := range canonicalHeaders(header, func(name string) bool { return strings.HasPrefix(name, "x-oss-") }) {
		b.WriteString(h.name)
		b.WriteByte(':')
		b.WriteString(h.value)
		b.WriteByte('\n')
	}
	b.WriteString(v1Resource(bucket, key, query))
	return b.String()
}

func v1Resource(bucket, key string, query url.Values) string {
	if bucket == "" {
		return "/"
	}
	res := "/" + bucket + "/" + key
	var names []string
	for name := range query {
		if IsV1SubResource(name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return res
	}
	sort.Strings(names)
	for i, name := range names {
		if i == 0 {
			res += "?"
		} else {
			res += "&"
		}
		res += name
		if v := query.Get(name); v != "" {
			res += "=" + v
		}
	}
	return res
}

// V1Signature is base64(HMAC-SHA1(secret, stringToSign)).
func V1Signature(secret, stringToSign string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SignV1 sets Date, x-oss-security-token (for temporary credentials) and
// Authorization on req.
func SignV1(req *http.Request, bucket, key string, c creds.Credentials, now time.Time) {
	date := now.UTC().Format(http.TimeFormat)
	req.Header.Set("Date", date)
	if c.SecurityToken != "" {
		req.Header.Set("x-oss-security-token", c.SecurityToken)
	}
	sts := V1StringToSign(req.Method, req.Header, bucket, key, req.URL.Query(), date)
	req.Header.Set("Authorization", "OSS "+c.AccessKeyID+":"+V1Signature(c.AccessKeySecret, sts))
}

type header struct{ name, value string }

// canonicalHeaders returns the headers whose lower-cased name passes keep,
// lower-cased, values trimmed and joined with ",", sorted by name.
func canonicalHeaders(h http.Header, keep func(lowerName string) bool) []header {
	var out []header
	for name, values := range h {
		lower := strings.ToLower(name)
		if !keep(lower) {
			continue
		}
		trimmed := make([]string, len(values))
		for i, v := range values {
			trimmed[i] = strings.TrimSpace(v)
		}
		out = append(out, header{lower, strings.Join(trimmed, ",")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
