package creds

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Environment variables of the OIDC (RRSA) source, as credentials-go names them.
const (
	EnvRoleARN         = "ALIBABA_CLOUD_ROLE_ARN"
	EnvOIDCProviderARN = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
	EnvOIDCTokenFile   = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
	EnvRoleSessionName = "ALIBABA_CLOUD_ROLE_SESSION_NAME"
	EnvSTSRegion       = "ALIBABA_CLOUD_STS_REGION"
	EnvVPCEndpoint     = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"
)

// OIDCConfig configures STS AssumeRoleWithOIDC (Kubernetes RRSA).
type OIDCConfig struct {
	Endpoint        string // as AssumeRoleConfig.Endpoint
	RoleARN         string // required
	OIDCProviderARN string // required
	TokenFile       string // required; re-read at every fetch (the kubelet rotates it)
	SessionName     string // default "ossfs-<unix ms>"
	Policy          string // optional inline JSON policy
	PolicyFile      string // or a file holding it
	Duration        time.Duration
	HTTPClient      *http.Client
	Now             func() time.Time
}

// OIDC fetches temporary credentials with AssumeRoleWithOIDC on every
// call; wrap it with NewRefreshing.
type OIDC struct {
	cfg      OIDCConfig
	endpoint string
}

// NewOIDC validates cfg and returns the fetcher. The token file is not read
// here but at every fetch.
func NewOIDC(cfg OIDCConfig) (*OIDC, error) {
	var missing []string
	if cfg.RoleARN == "" {
		missing = append(missing, "RoleARN")
	}
	if cfg.OIDCProviderARN == "" {
		missing = append(missing, "OIDCProviderARN")
	}
	if cfg.TokenFile == "" {
		missing = append(missing, "TokenFile")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("sts AssumeRoleWithOIDC: %s required", strings.Join(missing, ", "))
	}
	ep, err := normalizeEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("sts AssumeRoleWithOIDC(%s): %w", cfg.RoleARN, err)
	}
	if err := fillSTSCommon(&cfg.SessionName, &cfg.Duration, &cfg.Policy, cfg.PolicyFile, &cfg.HTTPClient, &cfg.Now); err != nil {
		return nil, fmt.Errorf("sts AssumeRoleWithOIDC(%s): %w", cfg.RoleARN, err)
	}
	cfg.PolicyFile = ""
	return &OIDC{cfg: cfg, endpoint: ep}, nil
}

// OIDCConfigFromEnv builds an OIDCConfig from ALIBABA_CLOUD_ROLE_ARN,
// ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE (all
// three required, else an error matching ErrNotConfigured), with the
// endpoint from ALIBABA_CLOUD_STS_REGION / ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED
// and the session name from ALIBABA_CLOUD_ROLE_SESSION_NAME. getenv nil
// means os.Getenv.
func OIDCConfigFromEnv(getenv func(string) string) (OIDCConfig, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg := OIDCConfig{
		RoleARN:         getenv(EnvRoleARN),
		OIDCProviderARN: getenv(EnvOIDCProviderARN),
		TokenFile:       getenv(EnvOIDCTokenFile),
		SessionName:     getenv(EnvRoleSessionName),
		Endpoint:        STSEndpoint(getenv(EnvSTSRegion), strings.EqualFold(getenv(EnvVPCEndpoint), "true")),
	}
	if cfg.RoleARN == "" || cfg.OIDCProviderARN == "" || cfg.TokenFile == "" {
		return cfg, fmt.Errorf("oidc: %s, %s and %s must all be set: %w", EnvRoleARN, EnvOIDCProviderARN, EnvOIDCTokenFile, ErrNotConfigured)
	}
	return cfg, nil
}

// String names the source: sts:AssumeRoleWithOIDC(<role arn>).
func (o *OIDC) String() string { return "sts:AssumeRoleWithOIDC(" + o.cfg.RoleARN + ")" }

// GoString names the source.
func (o *OIDC) GoString() string { return o.String() }

// Format prints the source name for every verb.
func (o *OIDC) Format(f fmt.State, verb rune) { formatName(f, verb, o.String()) }

// Credentials reads the token file and calls AssumeRoleWithOIDC once.
func (o *OIDC) Credentials(ctx context.Context) (Credentials, error) {
	b, err := os.ReadFile(o.cfg.TokenFile)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: read token file: %w", o, err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return Credentials{}, fmt.Errorf("%s: token file %s is empty", o, o.cfg.TokenFile)
	}
	c, err := o.call(token).do(ctx, token)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: %w", o, err)
	}
	return c, nil
}

// call builds the anonymous call: no AccessKeyId or signature (§10.5).
func (o *OIDC) call(token string) *stsCall {
	body := url.Values{
		"DurationSeconds": {strconv.FormatInt(int64(o.cfg.Duration/time.Second), 10)},
		"OIDCProviderArn": {o.cfg.OIDCProviderARN},
		"OIDCToken":       {token},
		"RoleArn":         {o.cfg.RoleARN},
		"RoleSessionName": {o.cfg.SessionName},
	}
	if o.cfg.Policy != "" {
		body.Set("Policy", o.cfg.Policy)
	}
	return &stsCall{
		endpoint: o.endpoint,
		action:   "AssumeRoleWithOIDC",
		query: url.Values{
			"Action":    {"AssumeRoleWithOIDC"},
			"Format":    {"JSON"},
			"Timestamp": {o.cfg.Now().UTC().Format(stsTimeLayout)},
			"Version":   {stsVersion},
		},
		body:     body,
		provider: "oidc_role_arn",
		client:   o.cfg.HTTPClient,
	}
}
