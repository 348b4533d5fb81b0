package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ossfs/ossfs/creds"
)

// buildProvider picks the credential source the options name. base, when
// not nil, stands in for the passwd file / default chain as the source of
// keys (and the signer of AssumeRole).
//
// onRefresh, when not nil, is told about every renewal (for metrics). The
// caller must call startRenewal on the result, once credentials were
// fetched, so temporary credentials are renewed in the background even
// while the mount is idle.
func buildProvider(cfg *mountConfig, base creds.Provider, log *slog.Logger, onRefresh func(ok bool, err error)) (creds.Provider, error) {
	refresh := func(name string) creds.RefreshOptions {
		return creds.RefreshOptions{
			Logger: log,
			OnRefresh: func(ok bool, err error) {
				if ok {
					log.Info("credentials fetched", "source", name)
				}
				if onRefresh != nil {
					onRefresh(ok, err)
				}
			},
		}
	}
	if base == nil {
		switch {
		case cfg.PasswdFile != "":
			p, err := creds.NewPasswdFile(cfg.PasswdFile, cfg.Bucket)
			if err != nil {
				return nil, fmt.Errorf("credentials: %w", err)
			}
			base = p
		case cfg.ECSRole != "":
			role := cfg.ECSRole
			if role == "auto" {
				role = "" // discovered from the metadata service
			}
			e, err := creds.NewECSRole(creds.ECSRoleConfig{Endpoint: cfg.ECSMetadata, RoleName: role})
			if err != nil {
				return nil, fmt.Errorf("credentials: %w", err)
			}
			return creds.NewRefreshing(e, refresh(e.String())), nil
		default:
			base = creds.DefaultChain(creds.DefaultOptions{
				Bucket:           cfg.Bucket,
				STSEndpoint:      cfg.STSEndpoint,
				MetadataEndpoint: cfg.ECSMetadata,
				Refresh:          refresh("default chain"),
			})
		}
	}
	if cfg.RoleARN == "" {
		return base, nil
	}
	ar, err := creds.NewAssumeRole(creds.AssumeRoleConfig{
		Endpoint:    cfg.STSEndpoint,
		RoleARN:     cfg.RoleARN,
		SessionName: cfg.RoleSessionName,
		ExternalID:  cfg.ExternalID,
		PolicyFile:  cfg.PolicyFile,
		Duration:    cfg.CredDuration,
		Source:      base,
	})
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	return creds.NewRefreshing(ar, refresh(ar.String())), nil
}

// startRenewal starts the background renewal of p when it is a refreshing
// provider (STS, ECS role), or a chain that has chosen one (OIDC, ECS role
// found by the default chain: call it after the first fetch, so the chain
// has chosen); the returned function stops it.
func startRenewal(p creds.Provider) (stop func()) {
	if c, ok := p.(*creds.Chain); ok {
		p = c.Chosen()
	}
	r, ok := p.(*creds.Refreshing)
	if !ok {
		return func() {}
	}
	r.Start(context.Background())
	return r.Stop
}
