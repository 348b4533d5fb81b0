package ossapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/ossapi"
)

func TestNewValidates(t *testing.T) {
	base := func() ossapi.Config {
		return ossapi.Config{Endpoint: "oss-cn-hangzhou.aliyuncs.com", Bucket: "my-bucket", Credentials: creds.Static(testCreds)}
	}
	tests := []struct {
		name    string
		mod     func(*ossapi.Config)
		wantErr string
	}{
		{"short bucket", func(c *ossapi.Config) { c.Bucket = "ab" }, "3 to 63"},
		{"long bucket", func(c *ossapi.Config) { c.Bucket = strings.Repeat("a", 64) }, "3 to 63"},
		{"upper bucket", func(c *ossapi.Config) { c.Bucket = "MyBucket" }, "lower-case"},
		{"underscore bucket", func(c *ossapi.Config) { c.Bucket = "my_bucket" }, "lower-case"},
		{"leading dash", func(c *ossapi.Config) { c.Bucket = "-bucket" }, "start or end"},
		{"trailing dash", func(c *ossapi.Config) { c.Bucket = "bucket-" }, "start or end"},
		{"no endpoint", func(c *ossapi.Config) { c.Endpoint = "" }, "endpoint is empty"},
		{"endpoint path", func(c *ossapi.Config) { c.Endpoint = "https://oss-cn-hangzhou.aliyuncs.com/x" }, "without path"},
		{"endpoint scheme", func(c *ossapi.Config) { c.Endpoint = "ftp://h" }, "http or https"},
		{"no creds", func(c *ossapi.Config) { c.Credentials = nil }, "no credentials"},
		{"sig version", func(c *ossapi.Config) { c.SignatureVersion = 3 }, "must be 1 or 4"},
		{"region underivable", func(c *ossapi.Config) { c.Endpoint = "oss-accelerate.aliyuncs.com" }, "cannot derive the region"},
		{"custom host v4", func(c *ossapi.Config) { c.Endpoint = "storage.example.com" }, "cannot derive the region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base()
			tt.mod(&cfg)
			_, err := ossapi.New(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New: err = %v, want containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewEndpoints(t *testing.T) {
	tests := []struct {
		endpoint, region       string
		sigV                   int
		wantEndpoint, wantRegn string
	}{
		{"oss-cn-hangzhou.aliyuncs.com", "", 0, "https://oss-cn-hangzhou.aliyuncs.com", "cn-hangzhou"},
		{"OSS-cn-beijing-internal.aliyuncs.com", "", 0, "https://oss-cn-beijing-internal.aliyuncs.com", "cn-beijing"},
		{"http://oss-ap-southeast-1.aliyuncs.com/", "", 0, "http://oss-ap-southeast-1.aliyuncs.com", "ap-southeast-1"},
		{"cn-shanghai.oss.aliyuncs.com", "", 0, "https://cn-shanghai.oss.aliyuncs.com", "cn-shanghai"},
		{"oss-accelerate.aliyuncs.com", "cn-hangzhou", 0, "https://oss-accelerate.aliyuncs.com", "cn-hangzhou"},
		{"oss-accelerate.aliyuncs.com", "", 1, "https://oss-accelerate.aliyuncs.com", ""},
		{"http://127.0.0.1:9000", "cn-hangzhou", 4, "http://127.0.0.1:9000", "cn-hangzhou"},
	}
	for _, tt := range tests {
		c, err := ossapi.New(ossapi.Config{Endpoint: tt.endpoint, Region: tt.region, SignatureVersion: tt.sigV,
			Bucket: "bkt", Credentials: creds.Static(testCreds)})
		if err != nil {
			t.Errorf("%s: %v", tt.endpoint, err)
			continue
		}
		if c.Endpoint() != tt.wantEndpoint || c.Region() != tt.wantRegn || c.Bucket() != "bkt" {
			t.Errorf("%s: got %s %q %s, want %s %q", tt.endpoint, c.Endpoint(), c.Region(), c.Bucket(), tt.wantEndpoint, tt.wantRegn)
		}
	}
}

// URL styles: virtual-hosted puts the bucket in the host, path style and IP
// endpoints in the path; the key is strictly escaped either way.
func TestURLStyles(t *testing.T) {
	const key = "dir/a b+c~文.txt"
	tests := []struct {
		name      string
		endpoint  func(srvURL string) string
		pathStyle bool
		wantHost  string
		wantURI   string
	}{
		{"ip implies path style", func(u string) string { return u }, false, "", "/bucket/dir/a%20b%2Bc~%E6%96%87.txt"},
		{"virtual hosted", func(string) string { return "http://oss-cn-hangzhou.aliyuncs.com" }, false,
			"bucket.oss-cn-hangzhou.aliyuncs.com", "/dir/a%20b%2Bc~%E6%96%87.txt"},
		{"path style", func(string) string { return "http://oss-cn-hangzhou.aliyuncs.com" }, true,
			"oss-cn-hangzhou.aliyuncs.com", "/bucket/dir/a%20b%2Bc~%E6%96%87.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var host, uri string
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				host, uri = r.Host, r.RequestURI
				w.Header().Set("Content-Length", "0")
				w.Header().Set("ETag", `"E"`)
			})
			var srvURL string
			c := newClient(t, h, func(cfg *ossapi.Config) {
				srvURL = cfg.Endpoint
				cfg.Endpoint = tt.endpoint(srvURL)
				cfg.PathStyle = tt.pathStyle
				cfg.Transport = dialTo(strings.TrimPrefix(srvURL, "http://"))
			})
			if _, err := c.HeadObject(t.Context(), key); err != nil {
				t.Fatal(err)
			}
			wantHost := tt.wantHost
			if wantHost == "" {
				wantHost = strings.TrimPrefix(srvURL, "http://")
			}
			if host != wantHost || uri != tt.wantURI {
				t.Errorf("got host %q uri %q, want %q %q", host, uri, wantHost, tt.wantURI)
			}
		})
	}
}
