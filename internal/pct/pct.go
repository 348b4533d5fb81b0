// Package pct implements the strict percent-encoding that OSS V1/V4 signing
// and the STS RPC signature share: UTF-8 bytes, A-Z a-z 0-9 - _ . ~ kept,
// every other byte as %XY with upper-case hex.
package pct

import "strings"

const upperHex = "0123456789ABCDEF"

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// Encode strictly encodes s; '/' becomes %2F.
func Encode(s string) string { return encode(s, false) }

// EncodePath strictly encodes s but keeps '/' (the V4 canonical URI and URL paths).
func EncodePath(s string) string { return encode(s, true) }

func encode(s string, keepSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !unreserved(c) && !(keepSlash && c == '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	return b.String()
}
