package creds

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ossfs/ossfs/creds/rpcsign"
	"github.com/ossfs/ossfs/internal/pct"
)

// stsVersion is the STS RPC API version every call names.
const stsVersion = "2015-04-01"

// stsTimeLayout is the only layout STS uses for Timestamp and Expiration.
const stsTimeLayout = "2006-01-02T15:04:05Z"

// maxSTSBody bounds what we read of any STS or IMDS reply.
const maxSTSBody = 1 << 20

// STSEndpoint returns the base URL of the STS service: the public endpoint
// when region is empty, else the regional one, or its VPC form when vpc is
// set. As in credentials-go, vpc has no effect without a region.
func STSEndpoint(region string, vpc bool) string {
	switch {
	case region == "":
		return "https://sts.aliyuncs.com"
	case vpc:
		return "https://sts-vpc." + region + ".aliyuncs.com"
	default:
		return "https://sts." + region + ".aliyuncs.com"
	}
}

// normalizeEndpoint accepts a full base URL (http://127.0.0.1:port) or a
// bare host (sts.aliyuncs.com, taken as https) and returns a base URL
// without a trailing slash.
func normalizeEndpoint(ep string) (string, error) {
	if ep == "" {
		return STSEndpoint("", false), nil
	}
	if !strings.Contains(ep, "://") {
		ep = "https://" + ep
	}
	u, err := url.Parse(ep)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("invalid STS endpoint %q: want a host or an http(s) base URL", ep)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// STSError is an error reply from STS. Message is scrubbed of the caller's
// secret and token before it is stored (SignatureDoesNotMatch echoes the
// string to sign, which holds the SecurityToken parameter).
type STSError struct {
	Action     string // "AssumeRole" or "AssumeRoleWithOIDC"
	StatusCode int
	Code       string
	Message    string
	RequestID  string
}

func (e *STSError) Error() string {
	s := fmt.Sprintf("sts %s: HTTP %d", e.Action, e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " (RequestId " + e.RequestID + ")"
	}
	return s
}

// stsCall is one STS RPC call: common parameters in the query, action
// parameters in a form body, as credentials-go sends them (§10.1).
type stsCall struct {
	endpoint string // base URL
	action   string
	query    url.Values // common params other than Signature (signed calls)
	body     url.Values
	signWith *Credentials // nil for anonymous calls (AssumeRoleWithOIDC)
	provider string       // x-acs-credentials-provider header value
	client   *http.Client
}

// newNonce returns 32 hex characters from crypto/rand, like credentials-go.
func newNonce() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on Linux; a time-based nonce still
		// keeps requests unique if it ever does.
		return strconv.FormatInt(time.Now().UnixNano(), 16)
	}
	return hex.EncodeToString(b[:])
}

// buildRequest signs (when signWith is set) and builds the HTTP request.
func (c *stsCall) buildRequest(ctx context.Context) (*http.Request, error) {
	q := url.Values{}
	for k, v := range c.query {
		q[k] = v
	}
	if c.signWith != nil {
		all := url.Values{}
		for k, v := range q {
			all[k] = v
		}
		for k, v := range c.body {
			all[k] = v
		}
		q.Set("Signature", rpcsign.Sign(http.MethodPost, all, c.signWith.AccessKeySecret))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/?"+rpcsign.CanonicalQuery(q),
		strings.NewReader(rpcsign.CanonicalQuery(c.body)))
	if err != nil {
		return nil, fmt.Errorf("sts %s: build request: %w", c.action, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", "ossfs-creds")
	if c.provider != "" {
		req.Header.Set("X-Acs-Credentials-Provider", c.provider)
	}
	return req, nil
}

// stsReply is the success body of AssumeRole and AssumeRoleWithOIDC.
type stsReply struct {
	Credentials *struct {
		AccessKeyID     string `json:"AccessKeyId"`
		AccessKeySecret string `json:"AccessKeySecret"`
		SecurityToken   string `json:"SecurityToken"`
		Expiration      string `json:"Expiration"`
	} `json:"Credentials"`
}

type stsErrorReply struct {
	RequestID string `json:"RequestId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
}

// do sends the call and parses the reply. secrets are scrubbed from any
// error message STS echoes back.
func (c *stsCall) do(ctx context.Context, secrets ...string) (Credentials, error) {
	req, err := c.buildRequest(ctx)
	if err != nil {
		return Credentials{}, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		// *url.Error holds the URL, whose query has only non-secret
		// common parameters (the token goes there only as SecurityToken,
		// which we strip below).
		return Credentials{}, fmt.Errorf("sts %s: %w", c.action, scrubError(err, secrets))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSTSBody))
	if err != nil {
		return Credentials{}, fmt.Errorf("sts %s: read reply: %w", c.action, scrubError(err, secrets))
	}
	if resp.StatusCode != http.StatusOK {
		return Credentials{}, parseSTSError(c.action, resp.StatusCode, body, secrets)
	}
	return parseSTSReply(c.action, body)
}

// parseSTSReply decodes a 200 reply. The body holds the new secret, so no
// error here ever quotes it.
func parseSTSReply(action string, body []byte) (Credentials, error) {
	var r stsReply
	if err := json.Unmarshal(body, &r); err != nil {
		return Credentials{}, fmt.Errorf("sts %s: malformed reply (HTTP 200, %d bytes, not JSON)", action, len(body))
	}
	if r.Credentials == nil {
		return Credentials{}, fmt.Errorf("sts %s: malformed reply (HTTP 200, no Credentials object)", action)
	}
	rc := r.Credentials
	var missing []string
	if rc.AccessKeyID == "" {
		missing = append(missing, "AccessKeyId")
	}
	if rc.AccessKeySecret == "" {
		missing = append(missing, "AccessKeySecret")
	}
	if rc.SecurityToken == "" {
		missing = append(missing, "SecurityToken")
	}
	if rc.Expiration == "" {
		missing = append(missing, "Expiration")
	}
	if len(missing) > 0 {
		return Credentials{}, fmt.Errorf("sts %s: malformed reply: missing %s", action, strings.Join(missing, ", "))
	}
	exp, err := time.Parse(stsTimeLayout, rc.Expiration)
	if err != nil {
		return Credentials{}, fmt.Errorf("sts %s: malformed reply: Expiration %q is not YYYY-MM-DDThh:mm:ssZ", action, rc.Expiration)
	}
	return Credentials{
		AccessKeyID:     rc.AccessKeyID,
		AccessKeySecret: rc.AccessKeySecret,
		SecurityToken:   rc.SecurityToken,
		Expiration:      exp,
	}, nil
}

// parseSTSError turns an error reply into *STSError. Error replies carry no
// issued credentials, but their Message may echo our request (the string
// to sign, with the SecurityToken of the source), so it is scrubbed; a
// body that is not the JSON error shape is not quoted at all.
func parseSTSError(action string, status int, body []byte, secrets []string) error {
	e := &STSError{Action: action, StatusCode: status}
	var r stsErrorReply
	if err := json.Unmarshal(body, &r); err != nil || r.Code == "" {
		e.Message = fmt.Sprintf("unrecognised error body (%d bytes)", len(body))
		return e
	}
	e.Code, e.RequestID = r.Code, r.RequestID
	e.Message = scrub(r.Message, secrets)
	return e
}

// scrub replaces every non-empty secret, raw or percent-encoded once or
// twice (as in a string to sign), with <redacted>.
func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		once := pct.Encode(sec)
		for _, form := range []string{pct.Encode(once), once, url.QueryEscape(sec), sec} {
			s = strings.ReplaceAll(s, form, "<redacted>")
		}
	}
	return s
}

// scrubbedError keeps the chain of err for errors.Is/As while printing a
// scrubbed message.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

func scrubError(err error, secrets []string) error {
	msg := err.Error()
	if s := scrub(msg, secrets); s != msg {
		return &scrubbedError{msg: s, err: errors.Unwrap(err)}
	}
	return err
}
