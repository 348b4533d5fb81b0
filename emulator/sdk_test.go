package emulator

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

func TestOfficialSDK(t *testing.T) {
	for _, v := range []struct {
		name string
		ver  oss.SignatureVersionType
	}{{"V1", oss.SignatureVersionV1}, {"V4", oss.SignatureVersionV4}} {
		t.Run(v.name, func(t *testing.T) {
			s := start(t, Options{})
			if err := s.CreateBucket("my-bucket"); err != nil {
				t.Fatal(err)
			}
			ak, secret := s.NewUser()
			c := sdkClient(s, v.ver, ak, secret)
			bucket := oss.Ptr("my-bucket")

			// PutObject with metadata and a key that needs escaping.
			key := "dir/a b+c~文.txt"
			body := []byte("hello, emulator")
			if _, err := c.PutObject(ctx, &oss.PutObjectRequest{
				Bucket: bucket, Key: oss.Ptr(key), Body: bytes.NewReader(body),
				ContentType: oss.Ptr("text/plain"), Metadata: map[string]string{"Mtime": "1700000000"},
			}); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			head, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: bucket, Key: oss.Ptr(key)})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			if head.ContentLength != int64(len(body)) || oss.ToString(head.ContentType) != "text/plain" ||
				head.Metadata["mtime"] != "1700000000" || oss.ToString(head.ObjectType) != "Normal" {
				t.Errorf("HeadObject = len %d type %q meta %v objtype %q", head.ContentLength, oss.ToString(head.ContentType), head.Metadata, oss.ToString(head.ObjectType))
			}

			// Ranged GET (the SDK checks CRC-64 only on whole bodies).
			get, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: bucket, Key: oss.Ptr(key), Range: oss.Ptr("bytes=7-14")})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			got, _ := io.ReadAll(get.Body)
			get.Body.Close()
			if string(got) != "emulator" || oss.ToString(get.ContentRange) != "bytes 7-14/15" {
				t.Errorf("ranged GET = %q, %q", got, oss.ToString(get.ContentRange))
			}
			whole, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: bucket, Key: oss.Ptr(key)})
			if err != nil {
				t.Fatalf("GetObject whole: %v", err)
			}
			got, err = io.ReadAll(whole.Body)
			whole.Body.Close()
			if err != nil || !bytes.Equal(got, body) {
				t.Errorf("whole GET = %q, %v", got, err)
			}

			// Symlinks.
			if _, err := c.PutSymlink(ctx, &oss.PutSymlinkRequest{Bucket: bucket, Key: oss.Ptr("link"), Target: oss.Ptr("target.txt")}); err != nil {
				t.Fatalf("PutSymlink: %v", err)
			}
			sl, err := c.GetSymlink(ctx, &oss.GetSymlinkRequest{Bucket: bucket, Key: oss.Ptr("link")})
			if err != nil || oss.ToString(sl.Target) != "target.txt" {
				t.Fatalf("GetSymlink = %v, %v", sl, err)
			}
			_, err = c.GetSymlink(ctx, &oss.GetSymlinkRequest{Bucket: bucket, Key: oss.Ptr(key)})
			if code := serviceCode(t, err); code != "NotSymlink" {
				t.Errorf("GetSymlink on a file: %s", code)
			}

			// Bucket info.
			bi, err := c.GetBucketInfo(ctx, &oss.GetBucketInfoRequest{Bucket: bucket})
			if err != nil || oss.ToString(bi.BucketInfo.Name) != "my-bucket" || oss.ToString(bi.BucketInfo.Location) != "oss-cn-hangzhou" {
				t.Fatalf("GetBucketInfo: %v", err)
			}

			// ListObjectsV2 with delimiter and pagination.
			for _, k := range []string{"dir/b", "dir/sub/x", "dir/sub/y", "top", "dir/c d"} {
				if _, err := s.PutObject("my-bucket", k, []byte(k)); err != nil {
					t.Fatal(err)
				}
			}
			var keys, prefixes []string
			p := c.NewListObjectsV2Paginator(&oss.ListObjectsV2Request{Bucket: bucket, Prefix: oss.Ptr("dir/"), Delimiter: oss.Ptr("/"), MaxKeys: 2})
			pages := 0
			for p.HasNext() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatalf("list page: %v", err)
				}
				pages++
				if page.KeyCount != len(page.Contents)+len(page.CommonPrefixes) || page.KeyCount > 2 {
					t.Errorf("KeyCount %d with %d+%d", page.KeyCount, len(page.Contents), len(page.CommonPrefixes))
				}
				for _, o := range page.Contents {
					keys = append(keys, oss.ToString(o.Key))
				}
				for _, cp := range page.CommonPrefixes {
					prefixes = append(prefixes, oss.ToString(cp.Prefix))
				}
			}
			if want := "dir/a b+c~文.txt,dir/b,dir/c d"; strings.Join(keys, ",") != want {
				t.Errorf("keys %q, want %q", strings.Join(keys, ","), want)
			}
			if strings.Join(prefixes, ",") != "dir/sub/" || pages != 2 {
				t.Errorf("prefixes %v pages %d", prefixes, pages)
			}

			// Presigned GET fetched with plain net/http.
			pre, err := c.Presign(ctx, &oss.GetObjectRequest{Bucket: bucket, Key: oss.Ptr(key)}, oss.PresignExpires(10*time.Minute))
			if err != nil {
				t.Fatalf("Presign: %v", err)
			}
			resp, err := http.Get(pre.URL)
			if err != nil {
				t.Fatal(err)
			}
			got, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.Equal(got, body) {
				t.Errorf("presigned GET %s: %d %q", pre.URL, resp.StatusCode, got)
			}
			// A tampered presigned URL (other key) is refused.
			resp, err = http.Get(strings.Replace(pre.URL, "/dir/", "/dir2/", 1))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 403 {
				t.Errorf("tampered presigned URL: %d", resp.StatusCode)
			}

			// Wrong secret.
			bad := sdkClient(s, v.ver, ak, secret+"x")
			_, err = bad.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: bucket, Key: oss.Ptr(key)})
			if code := serviceCode(t, err); code != "SignatureDoesNotMatch" {
				t.Errorf("wrong secret: %s", code)
			}
			// Unknown key id.
			_, err = sdkClient(s, v.ver, "LTAInobody", secret).GetObject(ctx, &oss.GetObjectRequest{Bucket: bucket, Key: oss.Ptr(key)})
			if code := serviceCode(t, err); code != "InvalidAccessKeyId" {
				t.Errorf("unknown AK: %s", code)
			}
			// Missing object.
			_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: bucket, Key: oss.Ptr("nope")})
			if code := serviceCode(t, err); code != "NoSuchKey" {
				t.Errorf("missing key: %s", code)
			}
			_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: bucket, Key: oss.Ptr("nope")})
			if code := serviceCode(t, err); code != "NoSuchKey" {
				t.Errorf("missing key on HEAD (x-oss-err): %s", code)
			}
		})
	}
}

// TestSDKTamperedRequest changes a signed request in flight: the signature
// must no longer match.
func TestSDKTamperedRequest(t *testing.T) {
	s := start(t, Options{})
	s.CreateBucket("my-bucket")
	s.PutObject("my-bucket", "a", []byte("A"))
	s.PutObject("my-bucket", "b", []byte("B"))
	ak, secret := s.NewUser()
	for _, ver := range []oss.SignatureVersionType{oss.SignatureVersionV1, oss.SignatureVersionV4} {
		cfg := oss.LoadDefaultConfig().
			WithCredentialsProvider(credentials.NewStaticCredentialsProvider(ak, secret)).
			WithRegion(s.Region()).WithEndpoint(s.Endpoint()).WithSignatureVersion(ver).WithRetryMaxAttempts(1).
			WithHttpClient(&http.Client{Transport: tamper{}})
		c := oss.NewClient(cfg)
		_, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("my-bucket"), Key: oss.Ptr("a")})
		if code := serviceCode(t, err); code != "SignatureDoesNotMatch" {
			t.Errorf("%v tampered: %s", ver, code)
		}
	}
}

// tamper rewrites the key after signing.
type tamper struct{}

func (tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Path = strings.Replace(r.URL.Path, "/a", "/b", 1)
	r.URL.RawPath = ""
	return http.DefaultTransport.RoundTrip(r)
}

func TestSDKExpiredSTSToken(t *testing.T) {
	clock := &fakeClock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	s := start(t, Options{Now: clock.Now})
	s.CreateBucket("my-bucket")
	s.PutObject("my-bucket", "a", []byte("A"))
	if err := s.AddRole("acs:ram::1234567890123456:role/reader", Role{}); err != nil {
		t.Fatal(err)
	}
	for _, ver := range []oss.SignatureVersionType{oss.SignatureVersionV1, oss.SignatureVersionV4} {
		// The SDK signs with the wall clock, so the fake clock stays near
		// it except while minting already-expired credentials.
		clock.t = time.Now()
		ak2, secret2, token2, _, err := s.IssueCredentials("acs:ram::1234567890123456:role/reader", "", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		c := sdkClient(s, ver, ak2, secret2, token2)
		if _, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("my-bucket"), Key: oss.Ptr("a")}); err != nil {
			t.Fatalf("%v valid token: %v", ver, err)
		}
		wrong := sdkClient(s, ver, ak2, secret2, token2+"x")
		_, err = wrong.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr("my-bucket"), Key: oss.Ptr("a")})
		if code := serviceCode(t, err); code != "InvalidSecurityToken" {
			t.Errorf("%v wrong token: %s", ver, code)
		}
		// Credentials issued an hour before "now" with a 1 h life.
		clock.t = time.Now().Add(-time.Hour - time.Minute)
		ak3, secret3, token3, _, _ := s.IssueCredentials("acs:ram::1234567890123456:role/reader", "", time.Hour)
		clock.t = time.Now()
		c = sdkClient(s, ver, ak3, secret3, token3)
		_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("my-bucket"), Key: oss.Ptr("a")})
		if code := serviceCode(t, err); code != "SecurityTokenExpired" {
			t.Errorf("%v expired token: %s", ver, code)
		}
	}
}
