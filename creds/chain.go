package creds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Chain tries its providers in order and sticks to the first that returns
// credentials, as credentials-go's default chain does: later failures of
// that provider are reported, not papered over with another identity. A
// provider whose error matches ErrNotConfigured is skipped; any other
// error stops the pass (a configured but broken source must be fixed, not
// silently replaced) and the next call starts over.
type Chain struct {
	providers []Provider

	mu     sync.Mutex
	chosen Provider // GUARDED_BY(mu); nil until one succeeds
}

var (
	_ Provider  = (*Chain)(nil)
	_ Refresher = (*Chain)(nil)
)

// NewChain returns a chain over providers, tried in the given order.
func NewChain(providers ...Provider) *Chain { return &Chain{providers: providers} }

// Credentials returns the chosen provider's credentials, choosing it first
// if need be.
func (c *Chain) Credentials(ctx context.Context) (Credentials, error) {
	c.mu.Lock()
	p := c.chosen
	c.mu.Unlock()
	if p != nil {
		return p.Credentials(ctx)
	}
	var errs []error
	for _, p := range c.providers {
		cr, err := p.Credentials(ctx)
		if err == nil {
			c.mu.Lock()
			if c.chosen == nil {
				c.chosen = p
			}
			c.mu.Unlock()
			return cr, nil
		}
		if !errors.Is(err, ErrNotConfigured) {
			return Credentials{}, fmt.Errorf("credential chain: %s: %w", SourceName(p), err)
		}
		errs = append(errs, err)
	}
	return Credentials{}, fmt.Errorf("credential chain: no source configured (tried %s): %w", c.names(), errors.Join(append(errs, ErrNotConfigured)...))
}

// Chosen returns the provider the chain stuck to, or nil before one has
// returned credentials. The command starts background renewal on it.
func (c *Chain) Chosen() Provider {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.chosen
}

// Invalidate passes on to the chosen provider when it is a Refresher.
func (c *Chain) Invalidate() {
	c.mu.Lock()
	p := c.chosen
	c.mu.Unlock()
	if r, ok := p.(Refresher); ok {
		r.Invalidate()
	}
}

// String is "chain(a, b, ...)", or "chain:<chosen>" once one was chosen.
func (c *Chain) String() string {
	c.mu.Lock()
	p := c.chosen
	c.mu.Unlock()
	if p != nil {
		return "chain:" + SourceName(p)
	}
	return "chain(" + c.names() + ")"
}

// GoString is String.
func (c *Chain) GoString() string { return c.String() }

// Format prints String for every verb.
func (c *Chain) Format(f fmt.State, verb rune) { formatName(f, verb, c.String()) }

func (c *Chain) names() string {
	n := make([]string, len(c.providers))
	for i, p := range c.providers {
		n[i] = SourceName(p)
	}
	return strings.Join(n, ", ")
}

// errProvider stands in the chain for a source that could not be built,
// so the error shows when the chain reaches it.
type errProvider struct {
	name string
	err  error
}

func (p errProvider) Credentials(context.Context) (Credentials, error) { return Credentials{}, p.err }
func (p errProvider) String() string                                   { return p.name }

// Environment switches of DefaultChain (credentials-go names).
const (
	EnvOSSCredentialFile   = "OSS_CREDENTIAL_FILE"
	EnvECSMetadataDisabled = "ALIBABA_CLOUD_ECS_METADATA_DISABLED"
	EnvECSMetadata         = "ALIBABA_CLOUD_ECS_METADATA" // the instance role name
	EnvIMDSv1Disabled      = "ALIBABA_CLOUD_IMDSV1_DISABLED"
)

// DefaultOptions configures DefaultChain. Zero values take the defaults.
type DefaultOptions struct {
	Bucket           string              // selects the passwd file entry
	Getenv           func(string) string // default os.Getenv
	HomeDir          string              // default os.UserHomeDir()
	PasswdFiles      []string            // replaces OSS_CREDENTIAL_FILE, ~/.passwd-ossfs, /etc/passwd-ossfs
	STSEndpoint      string              // for OIDC; default from ALIBABA_CLOUD_STS_REGION / _VPC_ENDPOINT_ENABLED
	MetadataEndpoint string              // for the ECS role; default DefaultMetadataEndpoint
	HTTPClient       *http.Client        // for STS (the ECS role keeps its short-timeout client)
	Refresh          RefreshOptions      // for the OIDC and ECS role sources
}

// DefaultChain returns the chain used when no source is chosen explicitly:
//
//  1. environment keys (ALIBABA_CLOUD_ACCESS_KEY_ID..., then OSS_ACCESS_KEY_ID..., then OSSACCESSKEYID...):
//     set for this very process, so the most specific choice;
//  2. OIDC (RRSA), when ALIBABA_CLOUD_ROLE_ARN, _OIDC_PROVIDER_ARN and
//     _OIDC_TOKEN_FILE are all set: the platform injected them for this pod;
//  3. ossfs 1.x passwd files: OSS_CREDENTIAL_FILE, ~/.passwd-ossfs,
//     /etc/passwd-ossfs (the order ossfs 1.x looks in), for the bucket;
//  4. the ECS instance RAM role, unless ALIBABA_CLOUD_ECS_METADATA_DISABLED=true:
//     last, because it costs a network round trip and fails slowly off ECS.
//
// It is credentials-go's order (env, OIDC, files, ECS) with ossfs's passwd
// files in place of the Aliyun CLI profiles. Temporary sources are wrapped
// in NewRefreshing.
func DefaultChain(opts DefaultOptions) *Chain {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	var ps []Provider

	if p, err := newEnv(getenv); err != nil {
		ps = append(ps, errProvider{"env", err})
	} else {
		ps = append(ps, p)
	}

	if cfg, err := OIDCConfigFromEnv(getenv); err != nil {
		ps = append(ps, errProvider{"oidc", err})
	} else {
		if opts.STSEndpoint != "" {
			cfg.Endpoint = opts.STSEndpoint
		}
		cfg.HTTPClient, cfg.Now = opts.HTTPClient, opts.Refresh.Now
		if o, err := NewOIDC(cfg); err != nil {
			ps = append(ps, errProvider{"oidc", err})
		} else {
			ps = append(ps, NewRefreshing(o, opts.Refresh))
		}
	}

	files := opts.PasswdFiles
	if files == nil {
		if f := getenv(EnvOSSCredentialFile); f != "" {
			files = append(files, f)
		}
		home := opts.HomeDir
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		if home != "" {
			files = append(files, filepath.Join(home, ".passwd-ossfs"))
		}
		files = append(files, SystemPasswdFile)
	}
	for _, f := range files {
		if p, err := NewPasswdFile(f, opts.Bucket); err != nil {
			ps = append(ps, errProvider{"passwd:" + f, err})
		} else {
			ps = append(ps, p)
		}
	}

	if strings.EqualFold(getenv(EnvECSMetadataDisabled), "true") {
		ps = append(ps, errProvider{"ecs", fmt.Errorf("ecs ram role: %s=true: %w", EnvECSMetadataDisabled, ErrNotConfigured)})
	} else if e, err := NewECSRole(ECSRoleConfig{
		Endpoint:      opts.MetadataEndpoint,
		RoleName:      getenv(EnvECSMetadata),
		DisableIMDSv1: strings.EqualFold(getenv(EnvIMDSv1Disabled), "true"),
	}); err != nil {
		ps = append(ps, errProvider{"ecs", err})
	} else {
		ps = append(ps, NewRefreshing(e, opts.Refresh))
	}
	return NewChain(ps...)
}
