package signer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/internal/pct"
)

const (
	// V4Algorithm opens a V4 Authorization header and string to sign.
	V4Algorithm = "OSS4-HMAC-SHA256"
	// UnsignedPayload is the only payload hash a read-only client sends.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// V4DateTimeFormat is the layout of x-oss-date.
	V4DateTimeFormat = "20060102T150405Z"
	v4Terminator     = "aliyun_v4_request"
)

// v4DefaultSigned reports headers V4 signs without being listed in
// AdditionalHeaders.
func v4DefaultSigned(lowerName string) bool {
	return lowerName == "content-type" || lowerName == "content-md5" || strings.HasPrefix(lowerName, "x-oss-")
}

// V4AdditionalHeaders normalizes an AdditionalHeaders list the way the SDK
// does: lower-cased, sorted, de-duplicated, only headers present in header
// and not already signed by default.
func V4AdditionalHeaders(header http.Header, additional []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, name := range additional {
		lower := strings.ToLower(strings.TrimSpace(name))
		if lower == "" || seen[lower] || v4DefaultSigned(lower) {
			continue
		}
		if _, ok := header[http.CanonicalHeaderKey(lower)]; !ok {
			continue
		}
		seen[lower] = true
		out = append(out, lower)
	}
	sort.Strings(out)
	return out
}

// V4CanonicalRequest builds the six-line canonical request. query holds the
// decoded parameters (never x-oss-signature); additional is the
// AdditionalHeaders list.
func V4CanonicalRequest(method, bucket, key string, query url.Values, header http.Header, additional []string) string {
	extra := V4AdditionalHeaders(header, additional)
	isExtra := map[string]bool{}
	for _, name := range extra {
		isExtra[name] = true
	}

	uri := "/"
	if bucket != "" {
		uri += bucket + "/"
	}
	uri = pct.EncodePath(uri + key)

	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(v4CanonicalQuery(query))
	b.WriteByte('\n')
	for _, h := range canonicalHeaders(header, func(name string) bool { return v4DefaultSigned(name) || isExtra[name] }) {
		b.WriteString(h.name)
		b.WriteByte(':')
		b.WriteString(h.value)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(extra, ";"))
	b.WriteByte('\n')
	if payload := header.Get("x-oss-content-sha256"); payload != "" {
		b.WriteString(payload)
	} else {
		b.WriteString(UnsignedPayload)
	}
	return b.String()
}

func v4CanonicalQuery(query url.Values) string {
	type pair struct{ name, value string }
	var pairs []pair
	for name, values := range query {
		for _, v := range values {
			pairs = append(pairs, pair{pct.Encode(name), pct.Encode(v)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].name != pairs[j].name {
			return pairs[i].name < pairs[j].name
		}
		return pairs[i].value < pairs[j].value
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		if p.value != "" {
			b.WriteByte('=')
			b.WriteString(p.value)
		}
	}
	return b.String()
}

// V4Scope is <date>/<region>/<product>/aliyun_v4_request.
func V4Scope(date, region, product string) string {
	return date + "/" + region + "/" + product + "/" + v4Terminator
}

// V4StringToSign is the algorithm, the x-oss-date value, the scope and the
// hex SHA-256 of the canonical request, one per line.
func V4StringToSign(canonicalRequest, datetime, scope string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return V4Algorithm + "\n" + datetime + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// V4Signature derives the signing key from secret, date, region and product
// and returns the lower-case hex HMAC-SHA256 of stringToSign.
func V4Signature(secret, date, region, product, stringToSign string) string {
	key := hmacSHA256([]byte("aliyun_v4"+secret), date)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, product)
	key = hmacSHA256(key, v4Terminator)
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

func hmacSHA256(key []byte, msg string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msg))
	return mac.Sum(nil)
}

// SignV4 sets x-oss-date, x-oss-content-sha256, x-oss-security-token (for
// temporary credentials), Date and Authorization on req, for product "oss".
func SignV4(req *http.Request, bucket, key, region string, c creds.Credentials, now time.Time) {
	now = now.UTC()
	datetime := now.Format(V4DateTimeFormat)
	date := datetime[:8]
	req.Header.Set("Date", now.Format(http.TimeFormat))
	req.Header.Set("x-oss-date", datetime)
	req.Header.Set("x-oss-content-sha256", UnsignedPayload)
	if c.SecurityToken != "" {
		req.Header.Set("x-oss-security-token", c.SecurityToken)
	}
	scope := V4Scope(date, region, "oss")
	canonical := V4CanonicalRequest(req.Method, bucket, key, req.URL.Query(), req.Header, nil)
	sig := V4Signature(c.AccessKeySecret, date, region, "oss", V4StringToSign(canonical, datetime, scope))
	req.Header.Set("Authorization", V4Algorithm+" Credential="+c.AccessKeyID+"/"+scope+",Signature="+sig)
}
