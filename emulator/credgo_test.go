// The official credentials-go RAM-role provider, https-only, run against
// the emulator's TLS STS endpoint as an oracle of the STS side.

package emulator

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/credentials-go/credentials/providers"
)

// trustEmulatorCA makes clones of http.DefaultTransport (which is what
// credentials-go uses, https only) trust the emulator's certificate.
func trustEmulatorCA(t *testing.T, s *Server) {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CACertPEM()) {
		t.Fatal("bad CA PEM")
	}
	tr := http.DefaultTransport.(*http.Transport)
	old := tr.TLSClientConfig
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	t.Cleanup(func() { tr.TLSClientConfig = old })
}

// TestCredentialsGoAssumeRole runs the official credentials-go RAM role
// provider against the emulator's STS and uses what it gets with the
// official OSS SDK: the inline policy allows only oss:Get* on my-bucket.
func TestCredentialsGoAssumeRole(t *testing.T) {
	s := start(t, Options{TLS: true})
	trustEmulatorCA(t, s)
	s.CreateBucket("my-bucket")
	s.CreateBucket("other-bucket")
	s.PutObject("my-bucket", "a.txt", []byte("mine"))
	s.PutObject("other-bucket", "a.txt", []byte("theirs"))
	ak, secret := s.NewUser()
	if err := s.AddRole(readerARN, Role{TrustedUsers: []string{ak}}); err != nil {
		t.Fatal(err)
	}
	static, err := providers.NewStaticAKCredentialsProviderBuilder().WithAccessKeyId(ak).WithAccessKeySecret(secret).Build()
	if err != nil {
		t.Fatal(err)
	}
	p, err := providers.NewRAMRoleARNCredentialsProviderBuilder().
		WithCredentialsProvider(static).
		WithRoleArn(readerARN).
		WithRoleSessionName("alice").
		WithStsEndpoint(s.STSHost()).
		WithPolicy(`{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":["acs:oss:*:*:my-bucket/*"]}]}`).
		Build()
	if err != nil {
		t.Fatal(err)
	}
	cc, err := p.GetCredentials()
	if err != nil {
		t.Fatalf("AssumeRole through credentials-go: %v", err)
	}
	if !strings.HasPrefix(cc.AccessKeyId, "STS.") || !strings.HasPrefix(cc.SecurityToken, "CAIS") {
		t.Fatalf("credentials %q token prefix %q", cc.AccessKeyId, cc.SecurityToken[:4])
	}
	if s.Count("AssumeRole") != 1 {
		t.Errorf("AssumeRole count %d", s.Count("AssumeRole"))
	}

	for _, ver := range []oss.SignatureVersionType{oss.SignatureVersionV1, oss.SignatureVersionV4} {
		c := sdkClient(s, ver, cc.AccessKeyId, cc.AccessKeySecret, cc.SecurityToken)
		got, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("my-bucket"), Key: oss.Ptr("a.txt")})
		if err != nil {
			t.Fatalf("%v GetObject on my-bucket: %v", ver, err)
		}
		b, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if string(b) != "mine" {
			t.Errorf("body %q", b)
		}
		_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("other-bucket"), Key: oss.Ptr("a.txt")})
		if code := serviceCode(t, err); code != "AccessDenied" {
			t.Errorf("%v GetObject on other-bucket: %s", ver, code)
		}
		_, err = c.ListObjectsV2(ctx, &oss.ListObjectsV2Request{Bucket: oss.Ptr("my-bucket")})
		if code := serviceCode(t, err); code != "AccessDenied" {
			t.Errorf("%v list: %s", ver, code)
		}
	}
}
