package creds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultMetadataEndpoint is the ECS instance metadata service.
const DefaultMetadataEndpoint = "http://100.100.100.200"

const (
	imdsTokenPath = "/latest/api/token"
	imdsCredsPath = "/latest/meta-data/ram/security-credentials/"
)

// ECSRoleConfig configures the ECS instance RAM role source.
type ECSRoleConfig struct {
	Endpoint string // base URL; default DefaultMetadataEndpoint
	RoleName string // empty: discovered from the metadata service at every fetch
	// DisableIMDSv1 requires the hardened (token) mode: a failed token
	// request is an error instead of a fallback to token-less requests.
	DisableIMDSv1 bool
	TokenTTL      time.Duration // metadata token lifetime; default 6 h (credentials-go's 21600 s)
	HTTPClient    *http.Client  // default: 1 s connect, 5 s overall
}

// ECSRole fetches the instance RAM role's credentials on every call; wrap
// it with NewRefreshing.
type ECSRole struct{ cfg ECSRoleConfig }

// NewECSRole validates cfg and returns the fetcher.
func NewECSRole(cfg ECSRoleConfig) (*ECSRole, error) {
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultMetadataEndpoint
	}
	if !strings.HasPrefix(cfg.Endpoint, "http://") && !strings.HasPrefix(cfg.Endpoint, "https://") {
		return nil, fmt.Errorf("ecs ram role: endpoint %q: want an http(s) base URL", cfg.Endpoint)
	}
	cfg.Endpoint = strings.TrimRight(cfg.Endpoint, "/")
	if strings.ContainsAny(cfg.RoleName, "/?#") {
		return nil, fmt.Errorf("ecs ram role: invalid role name %q", cfg.RoleName)
	}
	switch {
	case cfg.TokenTTL == 0:
		cfg.TokenTTL = 6 * time.Hour
	case cfg.TokenTTL < time.Second || cfg.TokenTTL > 6*time.Hour:
		return nil, fmt.Errorf("ecs ram role: TokenTTL %v: want 1s to 6h", cfg.TokenTTL)
	}
	if cfg.HTTPClient == nil {
		// A host off ECS must fail fast: nothing answers on 100.100.100.200.
		cfg.HTTPClient = &http.Client{
			Timeout:   5 * time.Second,
			Transport: &http.Transport{DialContext: (&net.Dialer{Timeout: time.Second}).DialContext},
		}
	}
	return &ECSRole{cfg: cfg}, nil
}

// String names the source: ecs:RamRole(<name>) or ecs:RamRole(auto).
func (e *ECSRole) String() string {
	name := e.cfg.RoleName
	if name == "" {
		name = "auto"
	}
	return "ecs:RamRole(" + name + ")"
}

// GoString names the source.
func (e *ECSRole) GoString() string { return e.String() }

// Format prints the source name for every verb.
func (e *ECSRole) Format(f fmt.State, verb rune) { formatName(f, verb, e.String()) }

// Credentials gets a metadata token (falling back to token-less requests
// unless DisableIMDSv1), discovers the role when not configured, and reads
// its credentials; a request that failed with a token is retried once
// without it unless DisableIMDSv1 (credentials-go 1.4.14 behaviour).
func (e *ECSRole) Credentials(ctx context.Context) (Credentials, error) {
	token, err := e.token(ctx)
	if err != nil {
		if e.cfg.DisableIMDSv1 {
			return Credentials{}, fmt.Errorf("%s: metadata token (IMDSv1 disabled): %w", e, err)
		}
		token = ""
	}
	role := e.cfg.RoleName
	if role == "" {
		b, err := e.getWithFallback(ctx, imdsCredsPath, token)
		if err != nil {
			return Credentials{}, fmt.Errorf("%s: discover role name: %w", e, err)
		}
		role = strings.TrimSpace(string(b))
		if role == "" || strings.ContainsAny(role, "/?#\n") {
			return Credentials{}, fmt.Errorf("%s: metadata service returned no usable role name", e)
		}
	}
	b, err := e.getWithFallback(ctx, imdsCredsPath+role, token)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: role %q credentials: %w", e, role, err)
	}
	c, err := parseIMDSCredentials(b)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: role %q: %w", e, role, err)
	}
	return c, nil
}

func (e *ECSRole) token(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, e.cfg.Endpoint+imdsTokenPath, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("X-aliyun-ecs-metadata-token-ttl-seconds", strconv.Itoa(int(e.cfg.TokenTTL/time.Second)))
	b, err := e.send(req)
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", errors.New("empty metadata token")
	}
	return tok, nil
}

func (e *ECSRole) getWithFallback(ctx context.Context, path, token string) ([]byte, error) {
	b, err := e.get(ctx, path, token)
	if err != nil && token != "" && !e.cfg.DisableIMDSv1 && ctx.Err() == nil {
		b, err = e.get(ctx, path, "")
	}
	return b, err
}

func (e *ECSRole) get(ctx context.Context, path, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.cfg.Endpoint+path, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("X-aliyun-ecs-metadata-token", token)
	}
	return e.send(req)
}

// send returns the body of a 200 reply; other replies are reported by
// status only (bodies are not quoted: a credentials body may hold keys).
func (e *ECSRole) send(req *http.Request) ([]byte, error) {
	resp, err := e.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxSTSBody))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read reply: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: HTTP %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return b, nil
}

type imdsReply struct {
	AccessKeyID     string `json:"AccessKeyId"`
	AccessKeySecret string `json:"AccessKeySecret"`
	SecurityToken   string `json:"SecurityToken"`
	Expiration      string `json:"Expiration"`
	Code            string `json:"Code"`
}

func parseIMDSCredentials(b []byte) (Credentials, error) {
	var r imdsReply
	if err := json.Unmarshal(b, &r); err != nil {
		return Credentials{}, fmt.Errorf("malformed metadata reply (%d bytes, not JSON)", len(b))
	}
	if r.Code != "Success" {
		return Credentials{}, fmt.Errorf("metadata reply Code %q, want Success", r.Code)
	}
	if r.AccessKeyID == "" || r.AccessKeySecret == "" || r.SecurityToken == "" {
		return Credentials{}, errors.New("malformed metadata reply: missing AccessKeyId, AccessKeySecret or SecurityToken")
	}
	exp, err := time.Parse(stsTimeLayout, r.Expiration)
	if err != nil {
		return Credentials{}, fmt.Errorf("malformed metadata reply: Expiration %q is not YYYY-MM-DDThh:mm:ssZ", r.Expiration)
	}
	return Credentials{AccessKeyID: r.AccessKeyID, AccessKeySecret: r.AccessKeySecret, SecurityToken: r.SecurityToken, Expiration: exp}, nil
}
