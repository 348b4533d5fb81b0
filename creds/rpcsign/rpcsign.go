// Package rpcsign computes the Alibaba Cloud RPC-style signature (HMAC-SHA1,
// SignatureVersion 1.0) that STS requires: used by the creds STS client to
// sign and by the emulator to verify.
package rpcsign

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"maps"
	"net/url"
	"sort"
	"strings"

	"github.com/ossfs/ossfs/internal/pct"
)

// CanonicalQuery joins params as name=value pairs, strictly encoded and
// sorted by name: the canonicalized query of the signature, and the exact
// bytes credentials-go puts on the wire.
func CanonicalQuery(params url.Values) string {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	var q strings.Builder
	for _, name := range names {
		for _, v := range params[name] {
			if q.Len() > 0 {
				q.WriteByte('&')
			}
			q.WriteString(pct.Encode(name))
			q.WriteByte('=')
			q.WriteString(pct.Encode(v))
		}
	}
	return q.String()
}

// StringToSign builds METHOD&%2F&<strict-encoded canonical query> from every
// parameter (query and form body merged) except Signature.
func StringToSign(method string, params url.Values) string {
	if _, ok := params["Signature"]; ok {
		params = maps.Clone(params)
		delete(params, "Signature")
	}
	return method + "&%2F&" + pct.Encode(CanonicalQuery(params))
}

// Sign returns base64(HMAC-SHA1(secret+"&", StringToSign(method, params))).
func Sign(method string, params url.Values, secret string) string {
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(StringToSign(method, params)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
