package signer

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ossfs/ossfs/creds"
)

// Official and captured vectors from protocol.md §7.

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestV1Vectors(t *testing.T) {
	const date = "Wed, 28 Dec 2022 10:27:41 GMT"
	put := hdr("Content-MD5", "eB5eJF1ptWaXm4bijSPyxw==", "Content-Type", "text/html",
		"x-oss-meta-author", "alice", "x-oss-meta-magic", "abracadabra", "x-oss-date", date)
	cases := []struct {
		name, method, bucket, key, dateOrExpires, secret string
		header                                           http.Header
		query                                            url.Values
		wantSTS, wantSig                                 string
	}{
		{"7.1-1", "PUT", "examplebucket", "nelson", date, "sk", put, nil,
			"PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson",
			"kSHKmLxlyEAKtZPkJhG9bZb5k7M="},
		{"7.1-2", "PUT", "examplebucket", "nelson", date, "sk", put, url.Values{"acl": {""}}, "", "/afkugFbmWDQ967j1vr6zygBLQk="},
		{"7.1-5 presign", "GET", "bucket", "key", "1699807420", "sk", hdr(), url.Values{"versionId": {"versionId"}},
			"GET\n\n\n1699807420\n/bucket/key?versionId=versionId", "dcLTea+Yh9ApirQ8o8dOPqtvJXQ="},
		{"7.1-6 presign sts", "GET", "bucket", "key+123", "1699808204", "sk", hdr(),
			url.Values{"versionId": {"versionId"}, "security-token": {"token"}, "OSSAccessKeyId": {"ak"}, "Expires": {"1699808204"}},
			"GET\n\n\n1699808204\n/bucket/key+123?security-token=token&versionId=versionId", "jzKYRrM5y6Br0dRFPaTGOsbrDhY="},
		{"7.3-C list", "GET", "examplebucket", "", "Tue, 02 Jan 2024 03:04:05 GMT", "exampleSecret",
			hdr("Content-Type", "application/octet-stream"), listQuery(),
			"GET\n\napplication/octet-stream\nTue, 02 Jan 2024 03:04:05 GMT\n/examplebucket/?continuation-token=CgJiYw--", "22JCVKMqpuVsV+lnquhYKooA3tc="},
		{"7.3-F head sts", "HEAD", "examplebucket", "dir/a b+c~文.txt", "Tue, 02 Jan 2024 03:04:05 GMT", "exampleSecret",
			hdr("x-oss-security-token", "exampleToken"), nil,
			"HEAD\n\n\nTue, 02 Jan 2024 03:04:05 GMT\nx-oss-security-token:exampleToken\n/examplebucket/dir/a b+c~文.txt", "eEHz5JDB/IJMBg0RC8Oe9mDowv0="},
		{"7.3-I symlink", "GET", "examplebucket", "link", "Tue, 02 Jan 2024 03:04:05 GMT", "exampleSecret", hdr(), url.Values{"symlink": {""}},
			"GET\n\n\nTue, 02 Jan 2024 03:04:05 GMT\n/examplebucket/link?symlink", "Ddvq4WDOdHy4ltGREcp+dhEeXf0="},
	}
	for _, c := range cases {
		sts := V1StringToSign(c.method, c.header, c.bucket, c.key, c.query, c.dateOrExpires)
		if c.wantSTS != "" && sts != c.wantSTS {
			t.Errorf("%s: string to sign\n got %q\nwant %q", c.name, sts, c.wantSTS)
		}
		if got := V1Signature(c.secret, sts); got != c.wantSig {
			t.Errorf("%s: signature %q, want %q", c.name, got, c.wantSig)
		}
	}
}

func listQuery() url.Values {
	return url.Values{"list-type": {"2"}, "prefix": {"photos/2024 文"}, "delimiter": {"/"}, "max-keys": {"100"},
		"continuation-token": {"CgJiYw--"}, "encoding-type": {"url"}, "fetch-owner": {"true"}}
}

func v4Query() url.Values {
	return url.Values{"param1": {"value1"}, "+param1": {"value3"}, "|param1": {"value4"}, "+param2": {""}, "|param2": {""}, "param2": {""}}
}

func v4Header(contentType string) http.Header {
	return hdr("x-oss-head1", "value", "abc", "value", "ZAbc", "value", "XYZ", "value", "content-type", contentType)
}

func TestV4HeaderVectors(t *testing.T) {
	cases := []struct {
		name, datetime, region, product, token string
		additional                             []string
		wantCanonical, wantSig                 string
	}{
		{"7.2-1", "20231216T162057Z", "cn-hangzhou", "oss", "", nil,
			"PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD",
			"e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe"},
		{"7.2-2 token", "20231217T034736Z", "cn-hangzhou", "oss", "token", nil, "",
			"b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea"},
		{"7.2-3 additional", "20231216T172512Z", "cn-hangzhou", "oss", "", []string{"ZAbc", "abc"},
			"PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\nabc:value\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T172512Z\nx-oss-head1:value\nzabc:value\n\nabc;zabc\nUNSIGNED-PAYLOAD",
			"4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f"},
		{"7.2-3 additional noisy", "20231216T172512Z", "cn-hangzhou", "oss", "", []string{"x-oss-no-exist", "ZAbc", "x-oss-head1", "abc"}, "",
			"4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f"},
		{"7.2-4 cloudbox", "20231216T162057Z", "cb-123", "oss-cloudbox", "", nil, "",
			"94ce1f12c17d148ea681030275a94449d3357f5b5b21133996eec80af3e08a43"},
	}
	for _, c := range cases {
		h := v4Header("text/plain")
		h.Set("x-oss-content-sha256", UnsignedPayload)
		h.Set("x-oss-date", c.datetime)
		if c.token != "" {
			h.Set("x-oss-security-token", c.token)
		}
		canonical := V4CanonicalRequest("PUT", "bucket", "1234+-/123/1.txt", v4Query(), h, c.additional)
		if c.wantCanonical != "" && canonical != c.wantCanonical {
			t.Errorf("%s: canonical request\n got %q\nwant %q", c.name, canonical, c.wantCanonical)
		}
		date := c.datetime[:8]
		sts := V4StringToSign(canonical, c.datetime, V4Scope(date, c.region, c.product))
		if got := V4Signature("sk", date, c.region, c.product, sts); got != c.wantSig {
			t.Errorf("%s: signature %s, want %s", c.name, got, c.wantSig)
		}
	}
}

func TestV4QueryVectors(t *testing.T) {
	cases := []struct {
		name, datetime, region, product, token, additional, wantSig string
	}{
		{"7.2-5", "20231217T025437Z", "cn-hangzhou", "oss", "", "", "a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe"},
		{"7.2-6 token", "20231217T035628Z", "cn-hangzhou", "oss", "token", "", "3817ac9d206cd6dfc90f1c09c00be45005602e55898f26f5ddb06d7892e1f8b5"},
		{"7.2-7 additional", "20231217T033009Z", "cn-hangzhou", "oss", "", "abc;zabc", "6bd984bfe531afb6db1f7550983a741b103a8c58e5e14f83ea474c2322dfa2b7"},
		{"7.2-8 cloudbox a", "20231217T025437Z", "cb-123", "oss-cloudbox", "", "abc;zabc", "07284191b9b4978ac3520cd39ee2dea2747eda454089359371ff463a6c7ba20f"},
		{"7.2-8 cloudbox b", "20231217T033009Z", "cb-123", "oss-cloudbox", "", "abc;zabc", "16782cc8a7a554523db055eb804b508522e7e370073108ad88ee2f47496701dd"},
	}
	for _, c := range cases {
		date := c.datetime[:8]
		scope := V4Scope(date, c.region, c.product)
		q := v4Query()
		q.Set("x-oss-signature-version", V4Algorithm)
		q.Set("x-oss-credential", "ak/"+scope)
		q.Set("x-oss-date", c.datetime)
		q.Set("x-oss-expires", "599")
		if c.token != "" {
			q.Set("x-oss-security-token", c.token)
		}
		var additional []string
		if c.additional != "" {
			q.Set("x-oss-additional-headers", c.additional)
			additional = strings.Split(c.additional, ";")
		}
		canonical := V4CanonicalRequest("PUT", "bucket", "1234+-/123/1.txt", q, v4Header("application/octet-stream"), additional)
		if got := V4Signature("sk", date, c.region, c.product, V4StringToSign(canonical, c.datetime, scope)); got != c.wantSig {
			t.Errorf("%s: signature %s, want %s\ncanonical %q", c.name, got, c.wantSig, canonical)
		}
	}
}

// The §7.3 signer-level vectors through the client entry points.
func TestSignRequestVectors(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	static := creds.Credentials{AccessKeyID: "LTAIexampleAK", AccessKeySecret: "exampleSecret"}
	sts := creds.Credentials{AccessKeyID: "STS.exampleAK", AccessKeySecret: "exampleSecret", SecurityToken: "exampleToken"}
	const key = "dir/a b+c~文.txt"
	listURL := "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/?" + listQuery().Encode()
	objURL := "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/dir/a%20b%2Bc~%E6%96%87.txt"
	cases := []struct {
		name, method, url, key string
		v4                     bool
		c                      creds.Credentials
		header                 http.Header
		want                   string
	}{
		{"A", "GET", listURL, "", true, static, hdr("Content-Type", "application/octet-stream"),
			"OSS4-HMAC-SHA256 Credential=LTAIexampleAK/20240102/cn-hangzhou/oss/aliyun_v4_request,Signature=5f647c661855afeff755ace23a5076b5e9166705e62c30af69195057098078ee"},
		{"B", "GET", listURL, "", true, sts, hdr("Content-Type", "application/octet-stream"),
			"OSS4-HMAC-SHA256 Credential=STS.exampleAK/20240102/cn-hangzhou/oss/aliyun_v4_request,Signature=1f1349864ab377bd6912c70fc7430c8cde18e56264bc4c26c8a77e64fbb0732f"},
		{"C", "GET", listURL, "", false, static, hdr("Content-Type", "application/octet-stream"), "OSS LTAIexampleAK:22JCVKMqpuVsV+lnquhYKooA3tc="},
		{"D", "GET", listURL, "", false, sts, hdr("Content-Type", "application/octet-stream"), "OSS STS.exampleAK:c04NGU6fWGF2TjdQgTnyA8NsPIE="},
		{"E", "HEAD", objURL, key, true, sts, hdr(),
			"OSS4-HMAC-SHA256 Credential=STS.exampleAK/20240102/cn-hangzhou/oss/aliyun_v4_request,Signature=aeaa6f3691f5d38266f62b5797ae8a237c889ec6d536a2b1a8d95fc7b54fd817"},
		{"F", "HEAD", objURL, key, false, sts, hdr(), "OSS STS.exampleAK:eEHz5JDB/IJMBg0RC8Oe9mDowv0="},
		{"G", "GET", objURL, key, true, static, hdr("Range", "bytes=0-99"),
			"OSS4-HMAC-SHA256 Credential=LTAIexampleAK/20240102/cn-hangzhou/oss/aliyun_v4_request,Signature=00fb63591945527051541e617133c269ae4273117ef9d3010d5dfdcefa070560"},
		{"H", "GET", "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/link?symlink", "link", true, static, hdr(),
			"OSS4-HMAC-SHA256 Credential=LTAIexampleAK/20240102/cn-hangzhou/oss/aliyun_v4_request,Signature=e8320a054fa0b9f7f24335d7f2d23ae61e3ef18331c3da20383b3e126fd5fc38"},
		{"I", "GET", "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/link?symlink", "link", false, static, hdr(), "OSS LTAIexampleAK:Ddvq4WDOdHy4ltGREcp+dhEeXf0="},
	}
	for _, c := range cases {
		req, err := http.NewRequest(c.method, c.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range c.header {
			req.Header[k] = v
		}
		if c.v4 {
			SignV4(req, "examplebucket", c.key, "cn-hangzhou", c.c, at)
		} else {
			SignV1(req, "examplebucket", c.key, c.c, at)
		}
		if got := req.Header.Get("Authorization"); got != c.want {
			t.Errorf("%s: Authorization\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}
