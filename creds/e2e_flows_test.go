package creds_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/ossapi"
)

// jwtFor is an unsigned JWT-shaped token: the emulator checks the shape,
// the expiry and the provider, not the signature.
func jwtFor(t *testing.T, sub string, exp time.Time) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "RS256", "kid": "test"}) + "." +
		enc(map[string]any{"iss": "https://oidc-ack.cn-hangzhou.aliyuncs.com/c1", "sub": sub, "aud": "sts.aliyuncs.com", "exp": exp.Unix()}) +
		".c2lnbmF0dXJl"
}

func oidcSubjects(s *emulator.Server) []string {
	var subs []string
	for _, e := range s.Requests() {
		if e.API == "AssumeRoleWithOIDC" && e.Status == 200 {
			subs = append(subs, e.OIDCSubject)
		}
	}
	return subs
}

// RRSA end to end: the token file is re-read at every refresh (the kubelet
// rotates it), and the credentials it buys read the bucket.
func TestE2EOIDCRereadsTokenFileOnRefresh(t *testing.T) {
	s := startEmulator(t)
	const (
		roleARN = "acs:ram::1234567890:role/pod-reader"
		provARN = "acs:ram::1234567890:oidc-provider/ack-rrsa-c1"
	)
	s.AddOIDCProvider(provARN)
	if err := s.AddRole(roleARN, emulator.Role{TrustedOIDCProviders: []string{provARN}}); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	writeToken := func(sub string) {
		if err := os.WriteFile(tokenFile, []byte(jwtFor(t, sub, time.Now().Add(time.Hour))+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeToken("system:serviceaccount:ns:pod-1")

	o, err := creds.NewOIDC(creds.OIDCConfig{Endpoint: s.STSEndpoint(), RoleARN: roleARN, OIDCProviderARN: provARN,
		TokenFile: tokenFile, Duration: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	// The refreshing clock runs ahead of the real one on demand, to reach
	// the renewal point without waiting; the emulator keeps real time.
	var ahead atomic.Int64
	var fetches sync.WaitGroup
	r := creds.NewRefreshing(o, creds.RefreshOptions{
		Now:    func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) },
		Logger: slog.New(slog.DiscardHandler),
		Go:     func(f func()) { fetches.Add(1); go func() { defer fetches.Done(); f() }() },
	})
	ctx := context.Background()
	first, err := r.Credentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := get(ctx, ossClient(t, s, r), "private/b.txt"); err != nil || got != "content of private/b.txt" {
		t.Fatalf("GetObject with OIDC credentials: %q, %v", got, err)
	}

	writeToken("system:serviceaccount:ns:pod-2") // rotated by the kubelet
	ahead.Store(int64(13 * time.Minute))         // 2 of 15 minutes left: renewal due
	if c, err := r.Credentials(ctx); err != nil || c.AccessKeyID != first.AccessKeyID {
		t.Fatalf("caller did not get the cached credentials during renewal: %v, %v", c, err)
	}
	fetches.Wait()
	second, err := r.Credentials(ctx)
	if err != nil || second.AccessKeyID == first.AccessKeyID {
		t.Fatalf("not renewed: %v, %v", second, err)
	}
	subs := oidcSubjects(s)
	if len(subs) != 2 || subs[0] != "system:serviceaccount:ns:pod-1" || subs[1] != "system:serviceaccount:ns:pod-2" {
		t.Fatalf("tokens the emulator saw: %q, want pod-1 then pod-2", subs)
	}
	ahead.Store(0)
	if got, err := get(ctx, ossClient(t, s, r), "public/a.txt"); err != nil || got != "content of public/a.txt" {
		t.Fatalf("GetObject after renewal: %q, %v", got, err)
	}

	// A token that expired in the file is reported, not retried blindly.
	if err := os.WriteFile(tokenFile, []byte(jwtFor(t, "x", time.Now().Add(-time.Minute))), 0o600); err != nil {
		t.Fatal(err)
	}
	var se *creds.STSError
	if _, err := o.Credentials(ctx); !errors.As(err, &se) || se.Code != "AuthenticationFail.OIDCToken.Expired" {
		t.Fatalf("expired token: %v", err)
	}
}

func bucketClient(t *testing.T, s *emulator.Server, bucket string, p creds.Provider) *ossapi.Client {
	t.Helper()
	c, err := ossapi.New(ossapi.Config{Endpoint: s.Endpoint(), Region: s.Region(), Bucket: bucket, PathStyle: true,
		Credentials: p, Retry: ossapi.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func svcCode(err error) string {
	var se *ossapi.ServiceError
	if errors.As(err, &se) {
		return se.Code
	}
	return ""
}

// Issue 3: RAM user keys → AssumeRole with a 15-minute read-only inline
// policy → the OSS client with the token: reads of my-bucket work, another
// bucket and listing are denied unless the policy allows them.
func TestE2EIssue3ReadOnlyPolicy(t *testing.T) {
	s := startEmulator(t)
	for _, b := range []string{"my-bucket", "other-bucket"} {
		if err := s.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutObject(b, "dir/x.txt", []byte("x in "+b)); err != nil {
			t.Fatal(err)
		}
	}
	ak, sk := s.NewUser()
	const arn = "acs:ram::1234567890:role/ossfs-reader"
	if err := s.AddRole(arn, emulator.Role{TrustedUsers: []string{ak}}); err != nil {
		t.Fatal(err)
	}
	user := creds.Static(creds.Credentials{AccessKeyID: ak, AccessKeySecret: sk})
	assume := func(policy string) creds.Provider {
		ar, err := creds.NewAssumeRole(creds.AssumeRoleConfig{Endpoint: s.STSEndpoint(), RoleARN: arn,
			SessionName: "issue3", Duration: 15 * time.Minute, Policy: policy, Source: user})
		if err != nil {
			t.Fatal(err)
		}
		return creds.NewRefreshing(ar, creds.RefreshOptions{Logger: slog.New(slog.DiscardHandler)})
	}
	ctx := context.Background()

	readOnly := assume(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":"acs:oss:*:*:my-bucket/*"}]}`)
	c, err := readOnly.Credentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if left := time.Until(c.Expiration); left <= 14*time.Minute || left > 15*time.Minute {
		t.Fatalf("lifetime %v, want 15 minutes", left)
	}
	mine, other := bucketClient(t, s, "my-bucket", readOnly), bucketClient(t, s, "other-bucket", readOnly)
	if got, err := get(ctx, mine, "dir/x.txt"); err != nil || got != "x in my-bucket" {
		t.Fatalf("GetObject in policy: %q, %v", got, err)
	}
	if _, err := mine.HeadObject(ctx, "dir/x.txt"); err != nil {
		t.Fatalf("HeadObject (oss:GetObject) in policy: %v", err)
	}
	if _, err := get(ctx, other, "dir/x.txt"); !errors.Is(err, ossapi.ErrAccessDenied) || svcCode(err) != "AccessDenied" {
		t.Fatalf("GetObject on another bucket: %v, want AccessDenied", err)
	}
	if _, err := mine.ListObjectsV2(ctx, ossapi.ListRequest{Delimiter: "/"}); !errors.Is(err, ossapi.ErrAccessDenied) {
		t.Fatalf("ListObjectsV2 without oss:ListObjects: %v, want AccessDenied", err)
	}

	withList := assume(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":"acs:oss:*:*:my-bucket/*"},
		{"Effect":"Allow","Action":"oss:ListObjects","Resource":"acs:oss:*:*:my-bucket"}]}`)
	page, err := bucketClient(t, s, "my-bucket", withList).ListObjectsV2(ctx, ossapi.ListRequest{Delimiter: "/"})
	if err != nil || len(page.CommonPrefixes) != 1 || page.CommonPrefixes[0] != "dir/" {
		t.Fatalf("ListObjectsV2 with oss:ListObjects: %+v, %v", page, err)
	}
	if _, err := bucketClient(t, s, "other-bucket", withList).ListObjectsV2(ctx, ossapi.ListRequest{}); !errors.Is(err, ossapi.ErrAccessDenied) {
		t.Fatalf("ListObjectsV2 on another bucket: %v, want AccessDenied", err)
	}
}

// Issue 3, expiry: with a real 2-second session, OSS refuses the token with
// SecurityTokenExpired once it has expired, while a client behind a started
// Refreshing provider keeps reading across several renewals.
func TestE2EIssue3ExpiryAndRenewal(t *testing.T) {
	s, err := emulator.Start(emulator.Options{MinSTSDuration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.CreateBucket("my-bucket"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutObject("my-bucket", "a.txt", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	ak, sk := s.NewUser()
	const arn = "acs:ram::1234567890:role/short"
	if err := s.AddRole(arn, emulator.Role{}); err != nil {
		t.Fatal(err)
	}
	ar, err := creds.NewAssumeRole(creds.AssumeRoleConfig{Endpoint: s.STSEndpoint(), RoleARN: arn, Duration: 2 * time.Second,
		Source: creds.Static(creds.Credentials{AccessKeyID: ak, AccessKeySecret: sk})})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fixed, err := ar.Credentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fixedClient := bucketClient(t, s, "my-bucket", creds.Static(fixed))

	r := creds.NewRefreshing(ar, creds.RefreshOptions{Logger: slog.New(slog.DiscardHandler)})
	r.Start(ctx)
	defer r.Stop()
	// Hide Invalidate from the client: a renewal that came too late must
	// fail the read here, not be papered over by the client's retry.
	renewing := bucketClient(t, s, "my-bucket", creds.ProviderFunc(r.Credentials))

	deadline := time.Now().Add(9 * time.Second)
	expiredSeen := false
	for !expiredSeen || r.Stats().Renewals < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("deadline: expired seen %v, stats %+v", expiredSeen, r.Stats())
		}
		if got, err := get(ctx, renewing, "a.txt"); err != nil || got != "hello" {
			t.Fatalf("read through the refreshing provider failed (stats %+v): %q, %v", r.Stats(), got, err)
		}
		if !expiredSeen {
			before := time.Now()
			_, err := get(ctx, fixedClient, "a.txt")
			switch {
			case err == nil:
				if !before.Before(fixed.Expiration) {
					t.Fatalf("token accepted at %v, after its expiry %v", before, fixed.Expiration)
				}
			case svcCode(err) == "SecurityTokenExpired" && errors.Is(err, ossapi.ErrInvalidCredentials):
				if time.Now().Before(fixed.Expiration) {
					t.Fatalf("SecurityTokenExpired before the expiry %v", fixed.Expiration)
				}
				expiredSeen = true
			default:
				t.Fatalf("read with the expired token: %v, want SecurityTokenExpired", err)
			}
		}
		time.Sleep(50 * time.Millisecond) // pacing only: the loop ends on state, not time
	}
}
