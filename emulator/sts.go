package emulator

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ossfs/ossfs/creds/rpcsign"
)

// stsError is one STS JSON error (protocol §10.4).
type stsError struct {
	status  int
	code    string
	message string
}

const stsTimeFormat = "2006-01-02T15:04:05Z"

func (s *Server) stsRequestID() string {
	id := randomHex(32)
	return id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
}

func randomHex(n int) string {
	const hexU = "0123456789ABCDEF"
	b := []byte(randomString(n))
	for i := range b {
		b[i] = hexU[int(b[i])%16]
	}
	return string(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v) // plain maps and strings: cannot fail
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func (s *Server) writeSTSError(w http.ResponseWriter, reqID string, e *stsError) {
	writeJSON(w, e.status, map[string]string{
		"RequestId": reqID,
		"HostId":    "sts.aliyuncs.com",
		"Code":      e.code,
		"Message":   e.message,
		"Recommend": "https://api.aliyun.com/troubleshoot?q=" + e.code + "&product=Sts",
	})
}

// serveSTS answers the RPC API: query and form parameters are merged.
func (s *Server) serveSTS(rw http.ResponseWriter, r *http.Request) {
	w := &statusWriter{ResponseWriter: rw}
	reqID := s.stsRequestID()
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	perr := r.ParseForm()
	action := r.Form.Get("Action")
	if action == "" {
		action = "STSUnknown"
	}
	s.metrics.count(action)
	entry := LogEntry{Method: r.Method, API: action, AccessKeyID: r.Form.Get("AccessKeyId")}
	defer func() {
		entry.Status, entry.Bytes = w.status, w.bytes
		s.metrics.record(entry)
	}()
	if s.faults.get().STSDown {
		s.writeSTSError(w, reqID, &stsError{503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server."})
		return
	}
	if perr != nil {
		s.writeSTSError(w, reqID, &stsError{400, "InvalidParameter", "The request parameters could not be parsed."})
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		s.writeSTSError(w, reqID, &stsError{405, "UnsupportedHTTPMethod", "Only GET and POST are supported."})
		return
	}
	var resp map[string]any
	var err *stsError
	switch action {
	case "AssumeRole":
		resp, err = s.assumeRole(r)
	case "AssumeRoleWithOIDC":
		resp, err = s.assumeRoleWithOIDC(r)
	default:
		err = &stsError{404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."}
	}
	if err != nil {
		s.writeSTSError(w, reqID, err)
		return
	}
	if info, ok := resp["OIDCTokenInfo"].(map[string]any); ok {
		entry.OIDCSubject, _ = info["Subject"].(string)
	}
	resp["RequestId"] = reqID
	writeJSON(w, http.StatusOK, resp)
}

// verifyRPC checks the common parameters and the signature, and returns
// the caller's AccessKeyId.
func (s *Server) verifyRPC(r *http.Request) (string, *stsError) {
	p := r.Form
	ak := p.Get("AccessKeyId")
	if ak == "" {
		return "", &stsError{400, "MissingAccessKeyId", "AccessKeyId is mandatory for this action."}
	}
	if p.Get("Signature") == "" {
		return "", &stsError{400, "MissingSignature", "Signature is mandatory for this action."}
	}
	if m := p.Get("SignatureMethod"); m != "HMAC-SHA1" {
		return "", &stsError{400, "InvalidSignatureMethod", "Specified signature method is not valid."}
	}
	if v := p.Get("SignatureVersion"); v != "1.0" {
		return "", &stsError{400, "InvalidSignatureVersion", "Specified signature version is not valid."}
	}
	if err := s.checkTimestamp(p.Get("Timestamp")); err != nil {
		return "", err
	}
	secret, ok := s.auth.user(ak)
	if !ok {
		sess := s.auth.session(ak)
		switch {
		case sess == nil:
			return "", &stsError{404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}
		case p.Get("SecurityToken") == "":
			return "", &stsError{400, "MissingSecurityToken", "SecurityToken is mandatory for this action."}
		case !hmac.Equal([]byte(p.Get("SecurityToken")), []byte(sess.token)):
			return "", &stsError{400, "InvalidSecurityToken.Malformed", "The security token you provided is invalid."}
		case !s.now().Before(sess.expiration):
			return "", &stsError{400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."}
		}
		secret = sess.secret
	}
	params := url.Values{}
	for k, v := range p {
		params[k] = v
	}
	want := rpcsign.Sign(r.Method, params, secret)
	if !hmac.Equal([]byte(want), []byte(p.Get("Signature"))) {
		return "", &stsError{400, "SignatureDoesNotMatch",
			"Specified signature is not matched with our calculation. server string to sign is:" + rpcsign.StringToSign(r.Method, params)}
	}
	nonce := p.Get("SignatureNonce")
	if nonce == "" {
		return "", &stsError{400, "MissingSignatureNonce", "SignatureNonce is mandatory for this action."}
	}
	if !s.auth.useNonce(nonce, s.now()) {
		return "", &stsError{400, "SignatureNonceUsed", "Specified signature nonce was used already."}
	}
	return ak, nil
}

func (s *Server) checkTimestamp(ts string) *stsError {
	if ts == "" {
		return &stsError{400, "MissingTimestamp", "Timestamp is mandatory for this action."}
	}
	t, err := time.Parse(stsTimeFormat, ts)
	if err != nil {
		return &stsError{400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."}
	}
	d := s.now().Sub(t)
	if d < 0 {
		d = -d
	}
	if d > maxSkew {
		return &stsError{400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."}
	}
	return nil
}

// useNonce records nonce; false if it was seen within the timestamp window.
func (a *authState) useNonce(nonce string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.nonces) > 10000 {
		for n, t := range a.nonces {
			if now.Sub(t) > 2*maxSkew {
				delete(a.nonces, n)
			}
		}
	}
	if _, used := a.nonces[nonce]; used {
		return false
	}
	a.nonces[nonce] = now
	return true
}

var (
	sessionNameRE = regexp.MustCompile(`^[A-Za-z0-9.@_-]{2,64}$`)
	externalIDRE  = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// roleParams validates what AssumeRole and AssumeRoleWithOIDC share.
func (s *Server) roleParams(p url.Values) (*role, *policy, time.Duration, *stsError) {
	arn := p.Get("RoleArn")
	if !roleARN.MatchString(arn) {
		return nil, nil, 0, &stsError{400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrong."}
	}
	ro := s.auth.role(arn)
	if ro == nil {
		return nil, nil, 0, &stsError{404, "EntityNotExist.Role", "The role not exists: " + arn + "."}
	}
	if !sessionNameRE.MatchString(p.Get("RoleSessionName")) {
		return nil, nil, 0, &stsError{400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrong."}
	}
	dur := time.Hour
	if ds := p.Get("DurationSeconds"); ds != "" {
		n, err := strconv.Atoi(ds)
		floor := 900 * time.Second
		if s.auth.minDur > 0 {
			floor = s.auth.minDur
		}
		dur = time.Duration(n) * time.Second
		if err != nil || dur < floor || dur > ro.MaxSessionDuration {
			return nil, nil, 0, &stsError{400, "InvalidParameter.DurationSeconds",
				"The Min/Max value of DurationSeconds is " + floor.String() + "/" + ro.MaxSessionDuration.String() + "."}
		}
	}
	var inline *policy
	if _, ok := p["Policy"]; ok {
		text := p.Get("Policy")
		var err error
		if len(text) < 1 || len(text) > 2048 {
			return nil, nil, 0, &stsError{400, "InvalidParameter.PolicyGrammar", "The parameter Policy has not a valid length."}
		}
		if inline, err = parsePolicy(text); err != nil {
			return nil, nil, 0, &stsError{400, "InvalidParameter.PolicyGrammar", "The parameter Policy has a syntax error: " + err.Error()}
		}
	}
	return ro, inline, dur, nil
}

var errNoPermission = &stsError{403, "NoPermission", "You are not authorized to do this action. You should be authorized by RAM."}

func (s *Server) assumeRole(r *http.Request) (map[string]any, *stsError) {
	ak, err := s.verifyRPC(r)
	if err != nil {
		return nil, err
	}
	p := r.Form
	ro, inline, dur, err := s.roleParams(p)
	if err != nil {
		return nil, err
	}
	caller := ak
	if sess := s.auth.session(ak); sess != nil {
		caller = sess.roleARN // role chaining: the trust list names users only
	}
	if len(ro.TrustedUsers) > 0 && !slices.Contains(ro.TrustedUsers, caller) {
		return nil, &stsError{403, "NoPermission", "No permission perform sts:AssumeRole on this Role. Maybe you should check the role's trust policy."}
	}
	if ext := p.Get("ExternalId"); ext != "" && (len(ext) < 2 || len(ext) > 1224 || !externalIDRE.MatchString(ext)) {
		return nil, &stsError{400, "InvalidParameter.ExternalId", "The parameter ExternalId is wrong."}
	}
	if ro.ExternalID != "" && p.Get("ExternalId") != ro.ExternalID {
		return nil, errNoPermission
	}
	return s.credentialsResponse(ro, inline, dur, p.Get("RoleSessionName")), nil
}

func (s *Server) credentialsResponse(ro *role, inline *policy, dur time.Duration, session string) map[string]any {
	sess := s.issue(ro, inline, dur)
	return map[string]any{
		"AssumedRoleUser": map[string]string{
			"Arn":           ro.arn + "/" + session,
			"AssumedRoleId": "3" + randomHex(16) + ":" + session,
		},
		"Credentials": map[string]string{
			"AccessKeyId":     sess.ak,
			"AccessKeySecret": sess.secret,
			"SecurityToken":   sess.token,
			"Expiration":      sess.expiration.Format(stsTimeFormat),
		},
	}
}

// assumeRoleWithOIDC is anonymous: the OIDC token must look like a JWT
// (three base64url parts, JSON header and claims, not expired) from a
// registered provider. Its signature is not checked.
func (s *Server) assumeRoleWithOIDC(r *http.Request) (map[string]any, *stsError) {
	p := r.Form
	if err := s.checkTimestamp(p.Get("Timestamp")); err != nil {
		return nil, err
	}
	provider := p.Get("OIDCProviderArn")
	s.auth.mu.Lock()
	known := s.auth.oidc[provider]
	s.auth.mu.Unlock()
	if !known {
		return nil, &stsError{404, "EntityNotExist.OIDCProvider", "The specified OIDC provider does not exist."}
	}
	claims, err := parseJWT(p.Get("OIDCToken"), s.now())
	if err != nil {
		return nil, err
	}
	ro, inline, dur, err := s.roleParams(p)
	if err != nil {
		return nil, err
	}
	if len(ro.TrustedOIDCProviders) > 0 && !slices.Contains(ro.TrustedOIDCProviders, provider) {
		return nil, &stsError{403, "NoPermission", "No permission perform sts:AssumeRoleWithOIDC on this Role. Maybe you should check the role's trust policy."}
	}
	resp := s.credentialsResponse(ro, inline, dur, p.Get("RoleSessionName"))
	resp["OIDCTokenInfo"] = map[string]any{"Subject": claims.Sub, "Issuer": claims.Iss, "ClientIds": claims.aud()}
	return resp, nil
}

type jwtClaims struct {
	Sub string          `json:"sub"`
	Iss string          `json:"iss"`
	Aud json.RawMessage `json:"aud"`
	Exp *int64          `json:"exp"`
}

func (c jwtClaims) aud() string {
	var one string
	if json.Unmarshal(c.Aud, &one) == nil {
		return one
	}
	var many []string
	json.Unmarshal(c.Aud, &many)
	return strings.Join(many, ",")
}

func parseJWT(tok string, now time.Time) (jwtClaims, *stsError) {
	invalid := &stsError{401, "AuthenticationFail.OIDCToken.Invalid", "The OIDC token is invalid."}
	var c jwtClaims
	if len(tok) < 4 || len(tok) > 20000 {
		return c, invalid
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, invalid
	}
	var hdr map[string]any
	for i, dst := range []any{&hdr, &c} {
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil || json.Unmarshal(raw, dst) != nil {
			return c, invalid
		}
	}
	// Kubernetes service-account tokens always carry exp, iss and sub; STS
	// refuses a token without an expiry or an issuer, and so does the
	// emulator (the signature itself is not checked: see doc.go).
	if c.Exp == nil || c.Iss == "" {
		return c, invalid
	}
	if now.Unix() >= *c.Exp {
		return c, &stsError{401, "AuthenticationFail.OIDCToken.Expired", "The OIDC token has expired."}
	}
	return c, nil
}
