package creds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"
)

// DefaultSTSDuration is the session length asked for when none is given.
const DefaultSTSDuration = time.Hour

// AssumeRoleConfig configures STS AssumeRole.
type AssumeRoleConfig struct {
	// Endpoint is a full base URL (http://127.0.0.1:port) or a host taken
	// as https; empty means STSEndpoint("", false).
	Endpoint    string
	RoleARN     string // required: acs:ram::<account>:role/<name>
	SessionName string // default "ossfs-<unix ms>"; 2-64 of [A-Za-z0-9.@_-]
	ExternalID  string // optional
	// Policy is an optional inline JSON policy; PolicyFile names a file
	// holding one. At most one of the two may be set.
	Policy     string
	PolicyFile string
	Duration   time.Duration // whole seconds; default DefaultSTSDuration
	// Source signs the AssumeRole call; when it returns a SecurityToken
	// (the source is itself STS) the token is sent as SecurityToken.
	Source     Provider
	HTTPClient *http.Client     // default: 10 s timeout
	Now        func() time.Time // Timestamp; default time.Now
	Nonce      func() string    // SignatureNonce; default 32 random hex chars
}

// AssumeRole fetches temporary credentials with STS AssumeRole on every
// call; wrap it with NewRefreshing to cache and renew them.
type AssumeRole struct {
	cfg      AssumeRoleConfig // defaults applied, PolicyFile loaded into Policy
	endpoint string
}

// NewAssumeRole validates cfg and returns the fetcher.
func NewAssumeRole(cfg AssumeRoleConfig) (*AssumeRole, error) {
	if cfg.RoleARN == "" {
		return nil, errors.New("sts AssumeRole: RoleARN is required")
	}
	if cfg.Source == nil {
		return nil, fmt.Errorf("sts AssumeRole(%s): Source credentials provider is required", cfg.RoleARN)
	}
	ep, err := normalizeEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("sts AssumeRole(%s): %w", cfg.RoleARN, err)
	}
	if err := fillSTSCommon(&cfg.SessionName, &cfg.Duration, &cfg.Policy, cfg.PolicyFile, &cfg.HTTPClient, &cfg.Now); err != nil {
		return nil, fmt.Errorf("sts AssumeRole(%s): %w", cfg.RoleARN, err)
	}
	cfg.PolicyFile = ""
	if cfg.Nonce == nil {
		cfg.Nonce = newNonce
	}
	return &AssumeRole{cfg: cfg, endpoint: ep}, nil
}

// fillSTSCommon validates and defaults what AssumeRole and OIDC share.
func fillSTSCommon(session *string, d *time.Duration, policy *string, policyFile string, client **http.Client, now *func() time.Time) error {
	if *now == nil {
		*now = time.Now
	}
	if *session == "" {
		*session = "ossfs-" + strconv.FormatInt((*now)().UnixMilli(), 10)
	}
	if err := validSessionName(*session); err != nil {
		return err
	}
	switch {
	case *d == 0:
		*d = DefaultSTSDuration
	case *d < time.Second || *d%time.Second != 0:
		return fmt.Errorf("Duration %v: want a positive whole number of seconds", *d)
	}
	if policyFile != "" {
		if *policy != "" {
			return errors.New("set Policy or PolicyFile, not both")
		}
		b, err := os.ReadFile(policyFile)
		if err != nil {
			return fmt.Errorf("read policy file: %w", err)
		}
		*policy = string(b)
	}
	if *policy != "" && !json.Valid([]byte(*policy)) {
		return errors.New("policy is not valid JSON")
	}
	if *client == nil {
		*client = &http.Client{Timeout: 10 * time.Second}
	}
	return nil
}

// validSessionName applies the STS rule: 2-64 characters of A-Z a-z 0-9 . @ - _.
func validSessionName(s string) error {
	if len(s) < 2 || len(s) > 64 {
		return fmt.Errorf("session name %q: want 2-64 characters", s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '@' || c == '-' || c == '_') {
			return fmt.Errorf("session name %q: only A-Z a-z 0-9 . @ - _ are allowed", s)
		}
	}
	return nil
}

// String names the source: sts:AssumeRole(<role arn>).
func (a *AssumeRole) String() string { return "sts:AssumeRole(" + a.cfg.RoleARN + ")" }

// GoString names the source, never the keys.
func (a *AssumeRole) GoString() string { return a.String() }

// Format prints the source name for every verb.
func (a *AssumeRole) Format(f fmt.State, verb rune) { formatName(f, verb, a.String()) }

// Credentials calls STS AssumeRole once.
func (a *AssumeRole) Credentials(ctx context.Context) (Credentials, error) {
	src, err := a.cfg.Source.Credentials(ctx)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: source credentials: %w", a, err)
	}
	call := a.call(src)
	c, err := call.do(ctx, src.AccessKeySecret, src.SecurityToken)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: %w", a, err)
	}
	return c, nil
}

// call builds the signed call for the given source credentials.
func (a *AssumeRole) call(src Credentials) *stsCall {
	q := url.Values{
		"AccessKeyId":      {src.AccessKeyID},
		"Action":           {"AssumeRole"},
		"Format":           {"JSON"},
		"SignatureMethod":  {"HMAC-SHA1"},
		"SignatureNonce":   {a.cfg.Nonce()},
		"SignatureVersion": {"1.0"},
		"Timestamp":        {a.cfg.Now().UTC().Format(stsTimeLayout)},
		"Version":          {stsVersion},
	}
	provider := "static_ak"
	if src.SecurityToken != "" {
		q.Set("SecurityToken", src.SecurityToken)
		provider = "static_sts"
	}
	body := url.Values{
		"DurationSeconds": {strconv.FormatInt(int64(a.cfg.Duration/time.Second), 10)},
		"RoleArn":         {a.cfg.RoleARN},
		"RoleSessionName": {a.cfg.SessionName},
	}
	if a.cfg.Policy != "" {
		body.Set("Policy", a.cfg.Policy)
	}
	if a.cfg.ExternalID != "" {
		body.Set("ExternalId", a.cfg.ExternalID)
	}
	return &stsCall{
		endpoint: a.endpoint,
		action:   "AssumeRole",
		query:    q,
		body:     body,
		signWith: &src,
		provider: provider,
		client:   a.cfg.HTTPClient,
	}
}
