package rpcsign

import (
	"net/url"
	"testing"
)

// The official RPC example and the credentials-go AssumeRole capture from
// protocol.md §7.4-1 and §7.5.
func TestSignVectors(t *testing.T) {
	cases := []struct {
		name, method, secret, sig string
		params                    url.Values
	}{
		{"DescribeRegions", "GET", "testsecret", "OLeaidS1JvxuMvnyHOwuJ+uX5qY=", url.Values{
			"AccessKeyId": {"testid"}, "Action": {"DescribeRegions"}, "Format": {"XML"},
			"SignatureMethod": {"HMAC-SHA1"}, "SignatureNonce": {"3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
			"SignatureVersion": {"1.0"}, "Timestamp": {"2016-02-23T12:46:24Z"}, "Version": {"2014-05-26"},
		}},
		{"AssumeRole", "POST", "testsecret", "FpcwrAwG8fYpuovybymebQZhj/U=", url.Values{
			"AccessKeyId": {"testid"}, "Action": {"AssumeRole"}, "Format": {"JSON"},
			"SignatureMethod": {"HMAC-SHA1"}, "SignatureNonce": {"ba7aa1334a779f808343188d397c4622"},
			"SignatureVersion": {"1.0"}, "Timestamp": {"2026-11-26T17:37:03Z"}, "Version": {"2015-04-01"},
			"DurationSeconds": {"3600"}, "RoleArn": {"acs:ram::123456789012****:role/adminrole"}, "RoleSessionName": {"alice"},
			"Policy":    {`{"Statement":[{"Action":["oss:GetObject"],"Effect":"Allow","Resource":["*"]}],"Version":"1"}`},
			"Signature": {"ignored"},
		}},
	}
	for _, c := range cases {
		if got := Sign(c.method, c.params, c.secret); got != c.sig {
			t.Errorf("%s: Sign = %q, want %q\nstring to sign: %s", c.name, got, c.sig, StringToSign(c.method, c.params))
		}
	}
}
