package emulator

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ossfs/ossfs/creds/rpcsign"
)

const readerARN = "acs:ram::1234567890123456:role/reader"

// rpc signs params as an RPC client would and posts them (common
// parameters in the query, the rest in the form body).
func rpc(t *testing.T, s *Server, ak, secret string, form url.Values, now time.Time, nonce string) (int, map[string]string) {
	t.Helper()
	q := url.Values{
		"Action": {"AssumeRole"}, "Version": {"2015-04-01"}, "Format": {"JSON"},
		"Timestamp": {now.UTC().Format("2006-01-02T15:04:05Z")}, "SignatureMethod": {"HMAC-SHA1"},
		"SignatureVersion": {"1.0"}, "SignatureNonce": {nonce}, "AccessKeyId": {ak},
	}
	all := url.Values{}
	for k, v := range q {
		all[k] = v
	}
	for k, v := range form {
		all[k] = v
	}
	q.Set("Signature", rpcsign.Sign("POST", all, secret))
	resp, err := http.Post(s.STSEndpoint()+"/?"+q.Encode(), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	flat := map[string]string{}
	for k, v := range out {
		if m, ok := v.(map[string]any); ok {
			for k2, v2 := range m {
				flat[k+"."+k2], _ = v2.(string)
			}
			continue
		}
		flat[k], _ = v.(string)
	}
	return resp.StatusCode, flat
}

func TestAssumeRoleErrors(t *testing.T) {
	clock := &fakeClock{t: time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)}
	s := start(t, Options{Now: clock.Now, MinSTSDuration: 2 * time.Second})
	ak, secret := s.NewUser()
	other, otherSecret := s.NewUser()
	s.AddRole(readerARN, Role{TrustedUsers: []string{ak}, MaxSessionDuration: 2 * time.Hour})
	s.AddRole("acs:ram::1234567890123456:role/ext", Role{ExternalID: "abc-123"})
	ok := url.Values{"RoleArn": {readerARN}, "RoleSessionName": {"alice"}, "DurationSeconds": {"3600"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for k2, v2 := range ok {
			f[k2] = v2
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	n := 0
	nonce := func() string { n++; return "nonce-" + strconv.Itoa(n) }
	status, body := rpc(t, s, ak, secret, ok, clock.t, nonce())
	if status != 200 || body["Credentials.Expiration"] != "2030-05-06T08:08:09Z" || !strings.HasPrefix(body["Credentials.AccessKeyId"], "STS.") {
		t.Fatalf("AssumeRole: %d %v", status, body)
	}
	cases := []struct {
		name       string
		ak, secret string
		form       url.Values
		when       time.Time
		nonce      string
		status     int
		code       string
	}{
		{"wrong secret", ak, "nope", ok, clock.t, "", 400, "SignatureDoesNotMatch"},
		{"unknown key", "LTAIunknown", secret, ok, clock.t, "", 404, "InvalidAccessKeyId.NotFound"},
		{"old timestamp", ak, secret, ok, clock.t.Add(-20 * time.Minute), "", 400, "InvalidTimeStamp.Expired"},
		{"nonce reuse", ak, secret, ok, clock.t, "nonce-1", 400, "SignatureNonceUsed"},
		{"no role", ak, secret, with("RoleArn", "acs:ram::1234567890123456:role/ghost"), clock.t, "", 404, "EntityNotExist.Role"},
		{"bad arn", ak, secret, with("RoleArn", "arn:aws:iam::1:role/x"), clock.t, "", 400, "InvalidParameter.RoleArn"},
		{"not trusted", other, otherSecret, ok, clock.t, "", 403, "NoPermission"},
		{"external id missing", ak, secret, with("RoleArn", "acs:ram::1234567890123456:role/ext"), clock.t, "", 403, "NoPermission"},
		{"duration too short", ak, secret, with("DurationSeconds", "1"), clock.t, "", 400, "InvalidParameter.DurationSeconds"},
		{"duration too long", ak, secret, with("DurationSeconds", "7201"), clock.t, "", 400, "InvalidParameter.DurationSeconds"},
		{"bad session name", ak, secret, with("RoleSessionName", "a b"), clock.t, "", 400, "InvalidParameter.RoleSessionName"},
		{"no session name", ak, secret, with("RoleSessionName", ""), clock.t, "", 400, "InvalidParameter.RoleSessionName"},
		{"policy grammar", ak, secret, with("Policy", `{"Version":"1","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`), clock.t, "", 400, "InvalidParameter.PolicyGrammar"},
		{"policy not json", ak, secret, with("Policy", `{`), clock.t, "", 400, "InvalidParameter.PolicyGrammar"},
	}
	for _, c := range cases {
		nc := c.nonce
		if nc == "" {
			nc = nonce()
		}
		status, body := rpc(t, s, c.ak, c.secret, c.form, c.when, nc)
		if status != c.status || body["Code"] != c.code {
			t.Errorf("%s: %d %s (%s), want %d %s", c.name, status, body["Code"], body["Message"], c.status, c.code)
		}
		if c.code == "SignatureDoesNotMatch" && !strings.HasPrefix(body["Message"], "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&") {
			t.Errorf("signature message %q", body["Message"])
		}
		if strings.Contains(body["Message"], secret) {
			t.Errorf("%s: secret in message", c.name)
		}
	}
	// ExternalId given: accepted; 2 s duration allowed by MinSTSDuration.
	status, body = rpc(t, s, ak, secret, url.Values{"RoleArn": {"acs:ram::1234567890123456:role/ext"}, "RoleSessionName": {"bob"}, "ExternalId": {"abc-123"}, "DurationSeconds": {"2"}}, clock.t, nonce())
	if status != 200 || body["Credentials.Expiration"] != "2030-05-06T07:08:11Z" {
		t.Errorf("ExternalId + 2 s: %d %v", status, body)
	}
	s.SetFaults(Faults{STSDown: true})
	if status, body := rpc(t, s, ak, secret, ok, clock.t, nonce()); status != 503 {
		t.Errorf("STSDown: %d %v", status, body)
	}
}

func jwt(claims string) string {
	e := base64.RawURLEncoding.EncodeToString
	return e([]byte(`{"alg":"RS256","kid":"k"}`)) + "." + e([]byte(claims)) + ".c2ln"
}

func TestAssumeRoleWithOIDC(t *testing.T) {
	clock := &fakeClock{t: time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)}
	s := start(t, Options{Now: clock.Now})
	const prov = "acs:ram::1234567890123456:oidc-provider/ack"
	s.AddOIDCProvider(prov)
	s.AddRole(readerARN, Role{})
	post := func(form url.Values) (int, string) {
		q := url.Values{"Action": {"AssumeRoleWithOIDC"}, "Version": {"2015-04-01"}, "Format": {"JSON"}, "Timestamp": {clock.t.Format("2006-01-02T15:04:05Z")}}
		resp, err := http.Post(s.STSEndpoint()+"/?"+q.Encode(), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	good := jwt(`{"sub":"system:serviceaccount:ns:sa","iss":"https://oidc","aud":"sts.aliyuncs.com","exp":` + strconv.FormatInt(clock.t.Add(time.Hour).Unix(), 10) + `}`)
	status, body := post(url.Values{"RoleArn": {readerARN}, "OIDCProviderArn": {prov}, "OIDCToken": {good}, "RoleSessionName": {"pod"}})
	if status != 200 || !strings.Contains(body, `"AccessKeyId":"STS.`) || !strings.Contains(body, `"Subject":"system:serviceaccount:ns:sa"`) {
		t.Fatalf("OIDC: %d %s", status, body)
	}
	expired := jwt(`{"sub":"x","iss":"https://oidc","exp":` + strconv.FormatInt(clock.t.Add(-time.Second).Unix(), 10) + `}`)
	noExpiry := jwt(`{"sub":"x","iss":"https://oidc"}`)
	noIssuer := jwt(`{"sub":"x","exp":` + strconv.FormatInt(clock.t.Add(time.Hour).Unix(), 10) + `}`)
	for _, c := range []struct {
		form url.Values
		code string
	}{
		{url.Values{"RoleArn": {readerARN}, "OIDCProviderArn": {"acs:ram::1:oidc-provider/none"}, "OIDCToken": {good}, "RoleSessionName": {"pod"}}, "EntityNotExist.OIDCProvider"},
		{url.Values{"RoleArn": {readerARN}, "OIDCProviderArn": {prov}, "OIDCToken": {"not-a-jwt"}, "RoleSessionName": {"pod"}}, "AuthenticationFail.OIDCToken.Invalid"},
		{url.Values{"RoleArn": {readerARN}, "OIDCProviderArn": {prov}, "OIDCToken": {expired}, "RoleSessionName": {"pod"}}, "AuthenticationFail.OIDCToken.Expired"},
		{url.Values{"RoleArn": {readerARN}, "OIDCProviderArn": {prov}, "OIDCToken": {noExpiry}, "RoleSessionName": {"pod"}}, "AuthenticationFail.OIDCToken.Invalid"},
		{url.Values{"RoleArn": {readerARN}, "OIDCProviderArn": {prov}, "OIDCToken": {noIssuer}, "RoleSessionName": {"pod"}}, "AuthenticationFail.OIDCToken.Invalid"},
	} {
		if status, body := post(c.form); status == 200 || !strings.Contains(body, `"Code":"`+c.code+`"`) {
			t.Errorf("want %s, got %d %s", c.code, status, body)
		}
	}
}

func TestIMDS(t *testing.T) {
	clock := &fakeClock{t: time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)}
	s := start(t, Options{Now: clock.Now})
	s.AddRole(readerARN, Role{})
	s.AddInstanceRole("EcsRole", readerARN)
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", s.MetadataEndpoint()+path, nil)
		if token != "" {
			req.Header.Set("X-aliyun-ecs-metadata-token", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, b := get("/latest/meta-data/ram/security-credentials/", ""); st != 200 || b != "EcsRole" {
		t.Fatalf("role name: %d %q", st, b)
	}
	st, b := get("/latest/meta-data/ram/security-credentials/EcsRole", "")
	var cred map[string]string
	if err := json.Unmarshal([]byte(b), &cred); err != nil || st != 200 || cred["Code"] != "Success" || cred["Expiration"] != "2030-05-06T13:08:09Z" {
		t.Fatalf("credentials: %d %s", st, b)
	}
	s.SetIMDSv2Only(true)
	if st, _ := get("/latest/meta-data/ram/security-credentials/", ""); st != 401 {
		t.Errorf("v2-only without token: %d", st)
	}
	req, _ := http.NewRequest("PUT", s.MetadataEndpoint()+"/latest/api/token", nil)
	req.Header.Set("X-aliyun-ecs-metadata-token-ttl-seconds", "21600")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if st, b := get("/latest/meta-data/ram/security-credentials/", string(tok)); st != 200 || b != "EcsRole" {
		t.Errorf("with token: %d %q", st, b)
	}
	clock.t = clock.t.Add(6*time.Hour + time.Second)
	if st, _ := get("/latest/meta-data/ram/security-credentials/", string(tok)); st != 401 {
		t.Errorf("expired token: %d", st)
	}
}
