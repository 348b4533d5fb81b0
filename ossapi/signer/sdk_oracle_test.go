package signer_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	sdkcreds "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
	sdksigner "github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/signer"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/internal/pct"
	"github.com/ossfs/ossfs/ossapi/signer"
)

// oracleCase is one request signed both by our signer and by the official
// v2 SDK's; the Authorization headers must be byte-identical.
type oracleCase struct {
	name   string
	method string
	key    string              // raw key; "" for a bucket-level call
	query  map[string][]string // decoded; encoded strictly on the URL
	header map[string]string
	token  bool
}

func strictQuery(q map[string][]string) string {
	var parts []string
	for k, vs := range q {
		for _, v := range vs {
			if v == "" {
				parts = append(parts, pct.Encode(k))
			} else {
				parts = append(parts, pct.Encode(k)+"="+pct.Encode(v))
			}
		}
	}
	return strings.Join(parts, "&") // order is irrelevant: both signers sort
}

func oracleCases() []oracleCase {
	list := map[string][]string{"list-type": {"2"}, "encoding-type": {"url"}, "prefix": {"photos/2024 文+x"},
		"delimiter": {"/"}, "max-keys": {"100"}}
	listTok := map[string][]string{"list-type": {"2"}, "encoding-type": {"url"}, "continuation-token": {"CgJiYw--+/="},
		"fetch-owner": {"true"}, "start-after": {"a b"}}
	octet := map[string]string{"Content-Type": "application/octet-stream"}
	var cs []oracleCase
	for _, token := range []bool{false, true} {
		cs = append(cs,
			oracleCase{name: "head plain", method: "HEAD", key: "object.txt", token: token},
			oracleCase{name: "head unicode spaces plus", method: "HEAD", key: "dir/a b+c~文.txt", token: token},
			oracleCase{name: "get specials", method: "GET", key: "a+b%c?d#e~f=g&h*i'j(k)l!m", token: token,
				header: map[string]string{"Range": "bytes=0-99"}},
			oracleCase{name: "leading slash", method: "GET", key: "/leading//double", token: token},
			oracleCase{name: "emoji and latin", method: "GET", key: "ünï/😀 €.bin", token: token},
			oracleCase{name: "symlink", method: "GET", key: "link", query: map[string][]string{"symlink": {""}}, token: token},
			oracleCase{name: "version", method: "GET", key: "k", query: map[string][]string{"versionId": {"CAEQ+Hi/ab=="}}, token: token},
			oracleCase{name: "response overrides", method: "GET", key: "k", token: token, query: map[string][]string{
				"response-content-type": {"text/plain; charset=utf-8"}, "response-content-disposition": {`attachment; filename="a b.txt"`}}},
			oracleCase{name: "list", method: "GET", query: list, header: octet, token: token},
			oracleCase{name: "list continuation", method: "GET", query: listTok, header: octet, token: token},
			oracleCase{name: "if-match and meta", method: "GET", key: "k", token: token,
				header: map[string]string{"If-Match": `"ABC"`, "x-oss-meta-Author": " alice ", "x-oss-range-behavior": "standard"}},
		)
	}
	return cs
}

func TestSignersMatchSDK(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	const bucket, region, host = "examplebucket", "cn-hangzhou", "oss-cn-hangzhou.aliyuncs.com"
	for _, tc := range oracleCases() {
		for _, v := range []int{1, 4} {
			c := creds.Credentials{AccessKeyID: "LTAIexampleAK", AccessKeySecret: "exampleSecret"}
			if tc.token {
				c = creds.Credentials{AccessKeyID: "STS.exampleAK", AccessKeySecret: "exampleSecret", SecurityToken: "exampleToken+/="}
			}
			name := tc.name
			if tc.token {
				name += " sts"
			}
			t.Run(name+" v"+string(rune('0'+v)), func(t *testing.T) {
				rawQuery := strictQuery(tc.query)
				build := func(pathStyle bool) *http.Request {
					u := "https://" + bucket + "." + host + "/" + pct.EncodePath(tc.key)
					if pathStyle {
						u = "https://" + host + "/" + bucket + "/" + pct.EncodePath(tc.key)
					}
					if rawQuery != "" {
						u += "?" + rawQuery
					}
					req, err := http.NewRequest(tc.method, u, nil)
					if err != nil {
						t.Fatal(err)
					}
					for k, v := range tc.header {
						req.Header.Set(k, v)
					}
					return req
				}
				ours, oursPath, sdk := build(false), build(true), build(false)
				if v == 1 {
					signer.SignV1(ours, bucket, tc.key, c, now)
					signer.SignV1(oursPath, bucket, tc.key, c, now)
				} else {
					signer.SignV4(ours, bucket, tc.key, region, c, now)
					signer.SignV4(oursPath, bucket, tc.key, region, c, now)
				}
				sdkSign(t, v, sdk, bucket, tc.key, region, c, now)
				got, want := ours.Header.Get("Authorization"), sdk.Header.Get("Authorization")
				if got != want {
					t.Errorf("Authorization\n ours %s\n sdk  %s", got, want)
				}
				if p := oursPath.Header.Get("Authorization"); p != got {
					t.Errorf("path style differs from virtual-hosted:\n path %s\n vhost %s", p, got)
				}
				for _, h := range []string{"x-oss-date", "x-oss-security-token", "x-oss-content-sha256", "Date"} {
					if ours.Header.Get(h) != sdk.Header.Get(h) {
						t.Errorf("header %s: ours %q sdk %q", h, ours.Header.Get(h), sdk.Header.Get(h))
					}
				}
			})
		}
	}
}

func sdkSign(t *testing.T, v int, req *http.Request, bucket, key, region string, c creds.Credentials, now time.Time) {
	t.Helper()
	sc := &sdksigner.SigningContext{
		Product: ptr("oss"), Region: ptr(region), Bucket: ptr(bucket), Request: req, Time: now,
		Credentials: &sdkcreds.Credentials{AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken},
	}
	if key != "" {
		sc.Key = ptr(key)
	}
	var s sdksigner.Signer = &sdksigner.SignerV4{}
	if v == 1 {
		s = &sdksigner.SignerV1{}
	}
	if err := s.Sign(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
}

func ptr(s string) *string { return &s }

// Official vectors, protocol.md §7.1 (V1, SDK signer_test.go).
func TestV1OfficialVectors(t *testing.T) {
	h := http.Header{}
	h.Set("Content-MD5", "eB5eJF1ptWaXm4bijSPyxw==")
	h.Set("Content-Type", "text/html")
	h.Set("x-oss-meta-author", "alice")
	h.Set("x-oss-meta-magic", "abracadabra")
	h.Set("x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT")
	const date = "Wed, 28 Dec 2022 10:27:41 GMT"
	tests := []struct {
		name, method, bucket, key string
		header                    http.Header
		query                     url.Values
		date, wantSTS, wantSig    string
	}{
		{"7.1-1", "PUT", "examplebucket", "nelson", h, nil, date,
			"PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson",
			"kSHKmLxlyEAKtZPkJhG9bZb5k7M="},
		{"7.1-2", "PUT", "examplebucket", "nelson", h, url.Values{"acl": {""}}, date, "", "/afkugFbmWDQ967j1vr6zygBLQk="},
		{"7.1-5 presign", "GET", "bucket", "key", http.Header{}, url.Values{"versionId": {"versionId"}}, "1699807420",
			"GET\n\n\n1699807420\n/bucket/key?versionId=versionId", "dcLTea+Yh9ApirQ8o8dOPqtvJXQ="},
		{"7.1-6 presign sts", "GET", "bucket", "key+123", http.Header{},
			url.Values{"versionId": {"versionId"}, "security-token": {"token"}}, "1699808204",
			"GET\n\n\n1699808204\n/bucket/key+123?security-token=token&versionId=versionId", "jzKYRrM5y6Br0dRFPaTGOsbrDhY="},
		{"7.3-C", "GET", "examplebucket", "", octetHeader(), listQueryA(), "Tue, 02 Jan 2024 03:04:05 GMT",
			"GET\n\napplication/octet-stream\nTue, 02 Jan 2024 03:04:05 GMT\n/examplebucket/?continuation-token=CgJiYw--", ""},
	}
	for _, tt := range tests {
		sts := signer.V1StringToSign(tt.method, tt.header, tt.bucket, tt.key, tt.query, tt.date)
		if tt.wantSTS != "" && sts != tt.wantSTS {
			t.Errorf("%s: string to sign\n got %q\nwant %q", tt.name, sts, tt.wantSTS)
		}
		secret := "sk"
		if strings.HasPrefix(tt.name, "7.3") {
			secret = "exampleSecret"
			tt.wantSig = "22JCVKMqpuVsV+lnquhYKooA3tc="
		}
		if sig := signer.V1Signature(secret, sts); sig != tt.wantSig {
			t.Errorf("%s: signature %s, want %s", tt.name, sig, tt.wantSig)
		}
	}
}

func octetHeader() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/octet-stream")
	return h
}

func listQueryA() url.Values {
	return url.Values{"list-type": {"2"}, "prefix": {"photos/2024 文"}, "delimiter": {"/"}, "max-keys": {"100"},
		"continuation-token": {"CgJiYw--"}, "encoding-type": {"url"}, "fetch-owner": {"true"}}
}

// Official vectors, protocol.md §7.2 (V4 header and presign forms).
func TestV4OfficialVectors(t *testing.T) {
	q := url.Values{"param1": {"value1"}, "+param1": {"value3"}, "|param1": {"value4"}, "+param2": {""}, "|param2": {""}, "param2": {""}}
	hdr := func(ct string, sha bool) http.Header {
		h := http.Header{}
		h.Set("x-oss-head1", "value")
		h.Set("abc", "value")
		h.Set("ZAbc", "value")
		h.Set("XYZ", "value")
		h.Set("content-type", ct)
		if sha {
			h.Set("x-oss-content-sha256", "UNSIGNED-PAYLOAD")
		}
		return h
	}
	const bucket, key = "bucket", "1234+-/123/1.txt"
	check := func(name string, h http.Header, q url.Values, add []string, datetime, region, product, wantCR, wantSig string) {
		t.Helper()
		cr := signer.V4CanonicalRequest("PUT", bucket, key, q, h, add)
		if wantCR != "" && cr != wantCR {
			t.Errorf("%s: canonical request\n got %q\nwant %q", name, cr, wantCR)
		}
		scope := signer.V4Scope(datetime[:8], region, product)
		sig := signer.V4Signature("sk", datetime[:8], region, product, signer.V4StringToSign(cr, datetime, scope))
		if sig != wantSig {
			t.Errorf("%s: signature %s, want %s", name, sig, wantSig)
		}
	}
	h1 := hdr("text/plain", true)
	h1.Set("x-oss-date", "20231216T162057Z")
	check("7.2-1", h1, q, nil, "20231216T162057Z", "cn-hangzhou", "oss",
		"PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD",
		"e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe")
	check("7.2-4 cloudbox", h1, q, nil, "20231216T162057Z", "cb-123", "oss-cloudbox", "",
		"94ce1f12c17d148ea681030275a94449d3357f5b5b21133996eec80af3e08a43")
	h2 := hdr("text/plain", true)
	h2.Set("x-oss-date", "20231217T034736Z")
	h2.Set("x-oss-security-token", "token")
	check("7.2-2 token", h2, q, nil, "20231217T034736Z", "cn-hangzhou", "oss", "",
		"b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea")
	h3 := hdr("text/plain", true)
	h3.Set("x-oss-date", "20231216T172512Z")
	check("7.2-3 additional", h3, q, []string{"abc", "zabc"}, "20231216T172512Z", "cn-hangzhou", "oss",
		"PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\nabc:value\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T172512Z\nx-oss-head1:value\nzabc:value\n\nabc;zabc\nUNSIGNED-PAYLOAD",
		"4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f")
	pq := url.Values{}
	for k, v := range q {
		pq[k] = v
	}
	pq.Set("x-oss-credential", "ak/20231217/cn-hangzhou/oss/aliyun_v4_request")
	pq.Set("x-oss-date", "20231217T025437Z")
	pq.Set("x-oss-expires", "599")
	pq.Set("x-oss-signature-version", "OSS4-HMAC-SHA256")
	check("7.2-5 presign", hdr("application/octet-stream", false), pq, nil, "20231217T025437Z", "cn-hangzhou", "oss",
		"PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2&x-oss-credential=ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20231217T025437Z&x-oss-expires=599&x-oss-signature-version=OSS4-HMAC-SHA256\ncontent-type:application/octet-stream\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD",
		"a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe")
}

// Extra vectors, protocol.md §7.3, through the full SignV1/SignV4.
func TestExtraVectors(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	static := creds.Credentials{AccessKeyID: "LTAIexampleAK", AccessKeySecret: "exampleSecret"}
	sts := creds.Credentials{AccessKeyID: "STS.exampleAK", AccessKeySecret: "exampleSecret", SecurityToken: "exampleToken"}
	const obj = "dir/a b+c~文.txt"
	listURL := "/?list-type=2&prefix=photos%2F2024%20%E6%96%87&delimiter=%2F&max-keys=100&continuation-token=CgJiYw--&encoding-type=url&fetch-owner=true"
	tests := []struct {
		name, method, path, key string
		v                       int
		c                       creds.Credentials
		header                  map[string]string
		want                    string
	}{
		{"A", "GET", listURL, "", 4, static, map[string]string{"Content-Type": "application/octet-stream"},
			"OSS4-HMAC-SHA256 Credential=LTAIexampleAK/20240102/cn-hangzhou/oss/aliyun_v4_request,Signature=5f647c661855afeff755ace23a5076b5e9166705e62c30af69195057098078ee"},
		{"B", "GET", listURL, "", 4, sts, map[string]string{"Content-Type": "application/octet-stream"},
			"OSS4-HMAC-SHA256 Credential=STS.exampleAK/20240102/cn-hangzhou/oss/aliyun_v4_request,Signature=1f1349864ab377bd6912c70fc7430c8cde18e56264bc4c26c8a77e64fbb0732f"},
		{"C", "GET", listURL, "", 1, static, map[string]string{"Content-Type": "application/octet-stream"},
			"OSS LTAIexampleAK:22JCVKMqpuVsV+lnquhYKooA3tc="},
		{"D", "GET", listURL, "", 1, sts, map[string]string{"Content-Type": "application/octet-stream"},
			"OSS STS.exampleAK:c04NGU6fWGF2TjdQgTnyA8NsPIE="},
		{"E", "HEAD", "/" + pct.EncodePath(obj), obj, 4, sts, nil,
			"OSS4-HMAC-SHA256 Credential=STS.exampleAK/20240102/cn-hangzhou/oss/aliyun_v4_request,Signature=aeaa6f3691f5d38266f62b5797ae8a237c889ec6d536a2b1a8d95fc7b54fd817"},
		{"F", "HEAD", "/" + pct.EncodePath(obj), obj, 1, sts, nil, "OSS STS.exampleAK:eEHz5JDB/IJMBg0RC8Oe9mDowv0="},
		{"G", "GET", "/" + pct.EncodePath(obj), obj, 4, static, map[string]string{"Range": "bytes=0-99"},
			"OSS4-HMAC-SHA256 Credential=LTAIexampleAK/20240102/cn-hangzhou/oss/aliyun_v4_request,Signature=00fb63591945527051541e617133c269ae4273117ef9d3010d5dfdcefa070560"},
		{"H", "GET", "/link?symlink", "link", 4, static, nil,
			"OSS4-HMAC-SHA256 Credential=LTAIexampleAK/20240102/cn-hangzhou/oss/aliyun_v4_request,Signature=e8320a054fa0b9f7f24335d7f2d23ae61e3ef18331c3da20383b3e126fd5fc38"},
		{"I", "GET", "/link?symlink", "link", 1, static, nil, "OSS LTAIexampleAK:Ddvq4WDOdHy4ltGREcp+dhEeXf0="},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(tt.method, "https://examplebucket.oss-cn-hangzhou.aliyuncs.com"+tt.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range tt.header {
			req.Header.Set(k, v)
		}
		if tt.v == 1 {
			signer.SignV1(req, "examplebucket", tt.key, tt.c, now)
		} else {
			signer.SignV4(req, "examplebucket", tt.key, "cn-hangzhou", tt.c, now)
		}
		if got := req.Header.Get("Authorization"); got != tt.want {
			t.Errorf("%s: Authorization\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	// J: V1 presign string to sign with the STS token as a sub-resource.
	q := url.Values{"security-token": {"exampleToken"}}
	sts1 := signer.V1StringToSign("GET", http.Header{}, "examplebucket", obj, q, "1704168245")
	if want := "GET\n\n\n1704168245\n/examplebucket/dir/a b+c~文.txt?security-token=exampleToken"; sts1 != want {
		t.Errorf("J: string to sign %q", sts1)
	}
	if sig := signer.V1Signature("exampleSecret", sts1); sig != "7UzmslOehs4KJJ99yj3pcegWvaQ=" {
		t.Errorf("J: signature %s", sig)
	}
}
