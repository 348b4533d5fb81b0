package creds_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/ossapi"
)

const readPublicOnly = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject","oss:HeadObject"],"Resource":["acs:oss:*:*:data/public/*"]}]}`

func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	s, err := emulator.Start(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.CreateBucket("data"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"public/a.txt", "private/b.txt"} {
		if _, err := s.PutObject("data", k, []byte("content of "+k)); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func ossClient(t *testing.T, s *emulator.Server, p creds.Provider) *ossapi.Client {
	t.Helper()
	c, err := ossapi.New(ossapi.Config{Endpoint: s.Endpoint(), Region: s.Region(), Bucket: "data", PathStyle: true,
		Credentials: p, Retry: ossapi.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func get(ctx context.Context, c *ossapi.Client, key string) (string, error) {
	rc, _, err := c.GetObject(ctx, ossapi.GetRequest{Key: key, Length: -1})
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return string(b), err
}

// RAM user keys → AssumeRole with a 15-minute read-only policy → the OSS
// client signs with the token: in-policy reads work, others are denied.
func TestE2EAssumeRoleScopedPolicy(t *testing.T) {
	s := startEmulator(t)
	ak, sk := s.NewUser()
	const arn = "acs:ram::1234567890:role/reader"
	if err := s.AddRole(arn, emulator.Role{}); err != nil {
		t.Fatal(err)
	}
	ar, err := creds.NewAssumeRole(creds.AssumeRoleConfig{
		Endpoint: s.STSEndpoint(), RoleARN: arn, SessionName: "e2e", Duration: 15 * time.Minute,
		Policy: readPublicOnly, Source: creds.Static(creds.Credentials{AccessKeyID: ak, AccessKeySecret: sk}),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := creds.NewRefreshing(ar, creds.RefreshOptions{Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	c, err := r.Credentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.SecurityToken == "" || time.Until(c.Expiration) > 15*time.Minute+time.Minute {
		t.Fatalf("unexpected credentials %v", c)
	}
	oc := ossClient(t, s, r)
	if got, err := get(ctx, oc, "public/a.txt"); err != nil || got != "content of public/a.txt" {
		t.Fatalf("in-policy GetObject: %q, %v", got, err)
	}
	if _, err := get(ctx, oc, "private/b.txt"); !errors.Is(err, ossapi.ErrAccessDenied) {
		t.Fatalf("out-of-policy GetObject: %v, want AccessDenied", err)
	}
	if n := s.Count("AssumeRole"); n != 1 {
		t.Errorf("AssumeRole calls = %d, want 1", n)
	}

	// Chained: the STS credentials assume the role again (SecurityToken sent).
	ar2, err := creds.NewAssumeRole(creds.AssumeRoleConfig{Endpoint: s.STSEndpoint(), RoleARN: arn, Source: r, Duration: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ar2.Credentials(ctx); err != nil {
		t.Fatalf("AssumeRole with STS source credentials: %v", err)
	}
}

func TestE2EWrongSecretIsReported(t *testing.T) {
	s := startEmulator(t)
	ak, _ := s.NewUser()
	const arn = "acs:ram::1234567890:role/reader"
	s.AddRole(arn, emulator.Role{})
	ar, _ := creds.NewAssumeRole(creds.AssumeRoleConfig{Endpoint: s.STSEndpoint(), RoleARN: arn,
		Source: creds.Static(creds.Credentials{AccessKeyID: ak, AccessKeySecret: "not-the-secret"})})
	_, err := ar.Credentials(context.Background())
	var se *creds.STSError
	if !errors.As(err, &se) || se.Code != "SignatureDoesNotMatch" {
		t.Fatalf("err = %v", err)
	}
}

// The ECS role against the emulator's metadata service in hardened mode.
func TestE2EECSRole(t *testing.T) {
	s := startEmulator(t)
	const arn = "acs:ram::1234567890:role/ecs"
	if err := s.AddRole(arn, emulator.Role{}); err != nil {
		t.Fatal(err)
	}
	s.AddInstanceRole("ecs-role", arn)
	s.SetIMDSv2Only(true)
	e, err := creds.NewECSRole(creds.ECSRoleConfig{Endpoint: s.MetadataEndpoint(), DisableIMDSv1: true})
	if err != nil {
		t.Fatal(err)
	}
	r := creds.NewRefreshing(e, creds.RefreshOptions{Logger: slog.New(slog.DiscardHandler)})
	if got, err := get(context.Background(), ossClient(t, s, r), "private/b.txt"); err != nil || got != "content of private/b.txt" {
		t.Fatalf("GetObject with ECS role: %q, %v", got, err)
	}
}
