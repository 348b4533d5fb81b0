package emulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// sdkClient is the official v2 SDK pointed at s, with no retries so error
// assertions see the first answer.
func sdkClient(s *Server, v oss.SignatureVersionType, ak, secret string, token ...string) *oss.Client {
	cfg := oss.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(ak, secret, token...)).
		WithRegion(s.Region()).
		WithEndpoint(s.Endpoint()).
		WithSignatureVersion(v).
		WithRetryMaxAttempts(1)
	if pem := s.CACertPEM(); pem != nil {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		cfg = cfg.WithHttpClient(&http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}})
	}
	return oss.NewClient(cfg)
}

func serviceCode(t *testing.T, err error) string {
	t.Helper()
	var se *oss.ServiceError
	if !errors.As(err, &se) {
		t.Fatalf("want a service error, got %v", err)
	}
	return se.Code
}

var ctx = context.Background()
