package emulator

import (
	"crypto/hmac"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ossfs/ossfs/ossapi/signer"
)

// maxSkew is OSS's allowed distance between request and server time.
const maxSkew = 15 * time.Minute

// identity is an authenticated caller: a RAM user (may do anything) or an
// STS session (limited by its policies).
type identity struct {
	accessKeyID string
	session     *stsSession
}

func (id identity) allows(action, resource string) bool {
	return id.session == nil || id.session.allows(action, resource)
}

var errMissingDate = &ossError{403, "AccessDenied", "OSS authentication requires a valid Date.", "0002-00000018", nil}

// secretFor finds the secret of ak and, for an STS key, checks token the
// way OSS does: wrong or missing token first, then expiry.
func (s *Server) secretFor(ak, token string) (string, identity, *ossError) {
	id := identity{accessKeyID: ak}
	if secret, ok := s.auth.user(ak); ok {
		return secret, id, nil
	}
	sess := s.auth.session(ak)
	if sess == nil {
		return "", id, errInvalidAK.with("OSSAccessKeyId", ak)
	}
	if token == "" || !hmac.Equal([]byte(token), []byte(sess.token)) {
		return "", id, errTokenInvalid
	}
	if !s.now().Before(sess.expiration) {
		return "", id, errTokenExpired
	}
	id.session = sess
	return sess.secret, id, nil
}

func checkSkew(now, t time.Time) *ossError {
	d := now.Sub(t)
	if d < 0 {
		d = -d
	}
	if d > maxSkew {
		return errSkewed.with("RequestTime", t.UTC().Format(time.RFC3339)).
			with("ServerTime", now.UTC().Format(time.RFC3339)).
			with("MaxAllowedSkewMilliseconds", "900000")
	}
	return nil
}

func sigMismatch(ak, provided, stringToSign string) *ossError {
	hexBytes := make([]string, len(stringToSign))
	for i := 0; i < len(stringToSign); i++ {
		hexBytes[i] = fmt.Sprintf("%02x", stringToSign[i])
	}
	return errSigMismatch.with("StringToSign", stringToSign).
		with("SignatureProvided", provided).
		with("StringToSignBytes", strings.Join(hexBytes, " ")).
		with("OSSAccessKeyId", ak)
}

// authenticate verifies whichever of the four signature forms the request
// uses (protocol §3.4, §4, §5.5, §6). Anonymous requests are refused.
func (s *Server) authenticate(r *http.Request, q *ossReq) (identity, *ossError) {
	authz := r.Header.Get("Authorization")
	v1q := q.query.Has("OSSAccessKeyId") || q.query.Has("Signature")
	v4q := q.query.Has("x-oss-signature")
	switch {
	case authz != "" && (v1q || v4q):
		return identity{}, invalidArg("Only one auth mechanism allowed.", "Authorization", "")
	case strings.HasPrefix(authz, "OSS "):
		return s.verifyV1Header(r, q, authz)
	case strings.HasPrefix(authz, signer.V4Algorithm+" "):
		return s.verifyV4Header(r, q, authz)
	case authz != "":
		return identity{}, errBadAuth
	case v1q:
		return s.verifyV1Query(r, q)
	case v4q:
		return s.verifyV4Query(r, q)
	}
	return identity{}, errAnonymous
}

func (s *Server) verifyV1Header(r *http.Request, q *ossReq, authz string) (identity, *ossError) {
	ak, sig, ok := strings.Cut(strings.TrimPrefix(authz, "OSS "), ":")
	if !ok || ak == "" || sig == "" {
		return identity{}, errBadAuth
	}
	secret, id, err := s.secretFor(ak, r.Header.Get("x-oss-security-token"))
	if err != nil {
		return id, err
	}
	date := r.Header.Get("Date")
	clock := date
	if xd := r.Header.Get("x-oss-date"); xd != "" {
		clock = xd // preferred for the skew check (protocol §14)
	}
	t, perr := http.ParseTime(clock)
	if perr != nil {
		return id, errMissingDate
	}
	if err := checkSkew(s.now(), t); err != nil {
		return id, err
	}
	sts := signer.V1StringToSign(r.Method, r.Header, q.bucket, q.key, q.query, date)
	if want := signer.V1Signature(secret, sts); !hmac.Equal([]byte(want), []byte(sig)) {
		return id, sigMismatch(ak, sig, sts)
	}
	return id, nil
}

func (s *Server) verifyV1Query(r *http.Request, q *ossReq) (identity, *ossError) {
	ak, expires, sig := q.query.Get("OSSAccessKeyId"), q.query.Get("Expires"), q.query.Get("Signature")
	if ak == "" || expires == "" || sig == "" {
		return identity{}, invalidArg("OSSAccessKeyId, Expires and Signature are all required.", "Signature", sig)
	}
	secret, id, err := s.secretFor(ak, q.query.Get("security-token"))
	if err != nil {
		return id, err
	}
	exp, perr := strconv.ParseInt(expires, 10, 64)
	if perr != nil {
		return id, invalidArg("Expires is not a number.", "Expires", expires)
	}
	if s.now().Unix() > exp {
		return id, errURLExpired.with("Expires", time.Unix(exp, 0).UTC().Format(time.RFC3339)).
			with("ServerTime", s.now().UTC().Format(time.RFC3339))
	}
	sts := signer.V1StringToSign(r.Method, r.Header, q.bucket, q.key, q.query, expires)
	if want := signer.V1Signature(secret, sts); !hmac.Equal([]byte(want), []byte(sig)) {
		return id, sigMismatch(ak, sig, sts)
	}
	return id, nil
}

// v4Credential is the parsed ak/date/region/product/aliyun_v4_request.
type v4Credential struct{ ak, date, region, product string }

func parseV4Credential(c string) (v4Credential, bool) {
	parts := strings.Split(c, "/")
	if len(parts) != 5 || parts[4] != "aliyun_v4_request" || len(parts[1]) != 8 || parts[0] == "" {
		return v4Credential{}, false
	}
	if _, err := time.Parse("20060102", parts[1]); err != nil {
		return v4Credential{}, false
	}
	return v4Credential{parts[0], parts[1], parts[2], parts[3]}, true
}

// signedHeaders is r.Header plus Host, which net/http moves out of Header
// but a V4 client may list in AdditionalHeaders.
func signedHeaders(r *http.Request) http.Header {
	h := r.Header.Clone()
	h.Set("Host", r.Host)
	return h
}

func (s *Server) verifyV4Header(r *http.Request, q *ossReq, authz string) (identity, *ossError) {
	fields := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(authz, signer.V4Algorithm+" "), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return identity{}, errBadAuth
		}
		fields[k] = v
	}
	cred, ok := parseV4Credential(fields["Credential"])
	sig := fields["Signature"]
	addl, hasAddl := fields["AdditionalHeaders"]
	if !ok || sig == "" || hasAddl && addl == "" {
		return identity{}, errBadAuth
	}
	secret, id, err := s.secretFor(cred.ak, r.Header.Get("x-oss-security-token"))
	if err != nil {
		return id, err
	}
	// The v2 SDK sends x-oss-date; the old SDK only Date, whose raw string
	// then stands in the string to sign (protocol §5.2; accepted here).
	datetime := r.Header.Get("x-oss-date")
	var t time.Time
	var perr error
	if datetime != "" {
		t, perr = time.Parse(signer.V4DateTimeFormat, datetime)
	} else {
		datetime = r.Header.Get("Date")
		t, perr = http.ParseTime(datetime)
	}
	if perr != nil {
		return id, errMissingDate
	}
	if t.UTC().Format("20060102") != cred.date {
		return id, invalidArg("The date in the credential does not match x-oss-date.", "Credential", fields["Credential"])
	}
	if err := checkSkew(s.now(), t); err != nil {
		return id, err
	}
	var additional []string
	if addl != "" {
		additional = strings.Split(addl, ";")
	}
	canonical := signer.V4CanonicalRequest(r.Method, q.bucket, q.key, q.query, signedHeaders(r), additional)
	// Signed with the emulator's region and product: a client that named
	// another region gets SignatureDoesNotMatch (protocol §14 choice).
	sts := signer.V4StringToSign(canonical, datetime, signer.V4Scope(cred.date, s.region, "oss"))
	if want := signer.V4Signature(secret, cred.date, s.region, "oss", sts); !hmac.Equal([]byte(want), []byte(sig)) {
		return id, sigMismatch(cred.ak, sig, sts).with("CanonicalRequest", canonical)
	}
	return id, nil
}

func (s *Server) verifyV4Query(r *http.Request, q *ossReq) (identity, *ossError) {
	qv := q.query
	if qv.Get("x-oss-signature-version") != signer.V4Algorithm {
		return identity{}, invalidArg("x-oss-signature-version must be OSS4-HMAC-SHA256.", "x-oss-signature-version", qv.Get("x-oss-signature-version"))
	}
	cred, ok := parseV4Credential(qv.Get("x-oss-credential"))
	if !ok {
		return identity{}, invalidArg("x-oss-credential is malformed.", "x-oss-credential", qv.Get("x-oss-credential"))
	}
	if qv.Has("x-oss-additional-headers") && qv.Get("x-oss-additional-headers") == "" {
		return identity{}, errBadAuth
	}
	secret, id, err := s.secretFor(cred.ak, qv.Get("x-oss-security-token"))
	if err != nil {
		return id, err
	}
	datetime := qv.Get("x-oss-date")
	t, perr := time.Parse(signer.V4DateTimeFormat, datetime)
	if perr != nil || t.Format("20060102") != cred.date {
		return id, invalidArg("x-oss-date is malformed.", "x-oss-date", datetime)
	}
	expires, perr := strconv.Atoi(qv.Get("x-oss-expires"))
	if perr != nil || expires < 1 || expires > 604800 {
		return id, invalidArg("x-oss-expires must be between 1 and 604800.", "x-oss-expires", qv.Get("x-oss-expires"))
	}
	now := s.now()
	if now.Before(t.Add(-maxSkew)) {
		return id, checkSkew(now, t)
	}
	if now.After(t.Add(time.Duration(expires) * time.Second)) {
		return id, errURLExpired.with("ServerTime", now.UTC().Format(time.RFC3339))
	}
	signed := url.Values{}
	for k, v := range qv {
		if k != "x-oss-signature" {
			signed[k] = v
		}
	}
	var additional []string
	if a := qv.Get("x-oss-additional-headers"); a != "" {
		additional = strings.Split(a, ";")
	}
	canonical := signer.V4CanonicalRequest(r.Method, q.bucket, q.key, signed, signedHeaders(r), additional)
	sts := signer.V4StringToSign(canonical, datetime, signer.V4Scope(cred.date, s.region, "oss"))
	sig := qv.Get("x-oss-signature")
	if want := signer.V4Signature(secret, cred.date, s.region, "oss", sts); !hmac.Equal([]byte(want), []byte(sig)) {
		return id, sigMismatch(cred.ak, sig, sts).with("CanonicalRequest", canonical)
	}
	return id, nil
}
