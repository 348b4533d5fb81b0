package emulator

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"sync"
	"time"
)

// Role is a RAM role that AssumeRole, AssumeRoleWithOIDC and the metadata
// service can hand out credentials for.
type Role struct {
	// Policy is the role's permission policy (JSON, Version "1"). Empty
	// means full access, which keeps tests that only need STS short.
	Policy string
	// ExternalID, when set, must be sent as ExternalId by AssumeRole.
	ExternalID string
	// MaxSessionDuration caps DurationSeconds; default 1 h.
	MaxSessionDuration time.Duration
	// TrustedUsers are the AccessKeyIds that may assume the role; empty
	// trusts every RAM user of the emulator.
	TrustedUsers []string
	// TrustedOIDCProviders are the provider ARNs that may assume the role
	// with AssumeRoleWithOIDC; empty trusts every registered provider.
	TrustedOIDCProviders []string
}

type role struct {
	Role
	arn    string
	policy *policy // nil = full access
}

// stsSession is one set of temporary credentials.
type stsSession struct {
	ak, secret, token string
	expiration        time.Time
	roleARN           string
	policies          []*policy // all must allow; any explicit deny wins
}

func (s *stsSession) allows(action, resource string) bool {
	for _, p := range s.policies {
		if p.effect(action, resource) != "allow" {
			return false
		}
	}
	return true
}

type authState struct {
	mu       sync.Mutex
	users    map[string]string      // GUARDED_BY(mu) ak -> secret
	roles    map[string]*role       // GUARDED_BY(mu) arn -> role
	sessions map[string]*stsSession // GUARDED_BY(mu) ak -> session (kept after expiry)
	nonces   map[string]time.Time   // GUARDED_BY(mu) SignatureNonce -> first use
	oidc     map[string]bool        // GUARDED_BY(mu) provider ARN
	minDur   time.Duration
}

func (a *authState) init(minDur time.Duration) {
	a.users = map[string]string{}
	a.roles = map[string]*role{}
	a.sessions = map[string]*stsSession{}
	a.nonces = map[string]time.Time{}
	a.oidc = map[string]bool{}
	a.minDur = minDur
}

func (a *authState) user(ak string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.users[ak]
	return s, ok
}

func (a *authState) session(ak string) *stsSession {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sessions[ak]
}

func (a *authState) role(arn string) *role {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.roles[arn]
}

// AddUser registers a RAM user key pair. Users may do anything on OSS and
// may assume every role that trusts them.
func (s *Server) AddUser(accessKeyID, secret string) {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	s.auth.users[accessKeyID] = secret
}

// NewUser registers and returns a generated key pair.
func (s *Server) NewUser() (accessKeyID, secret string) {
	accessKeyID, secret = "LTAI"+randomString(20), randomString(30)
	s.AddUser(accessKeyID, secret)
	return accessKeyID, secret
}

var roleARN = regexp.MustCompile(`^acs:ram::[0-9*]+:role/[A-Za-z0-9.@_-]{1,64}$`)

// AddRole registers (or replaces) a role under arn
// ("acs:ram::<account>:role/<name>").
func (s *Server) AddRole(arn string, r Role) error {
	if !roleARN.MatchString(arn) {
		return fmt.Errorf("emulator: role ARN %q is not acs:ram::<account>:role/<name>", arn)
	}
	ro := &role{Role: r, arn: arn}
	if r.Policy != "" {
		p, err := parsePolicy(r.Policy)
		if err != nil {
			return fmt.Errorf("emulator: role %s: %w", arn, err)
		}
		ro.policy = p
	}
	if ro.MaxSessionDuration == 0 {
		ro.MaxSessionDuration = time.Hour
	}
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	s.auth.roles[arn] = ro
	return nil
}

// AddOIDCProvider registers an OIDC provider ARN for AssumeRoleWithOIDC.
func (s *Server) AddOIDCProvider(arn string) {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	s.auth.oidc[arn] = true
}

// IssueCredentials mints temporary credentials for a registered role as
// AssumeRole would (role policy ∩ inline policy), without an RPC. ttl may
// be anything, even negative for already-expired credentials.
func (s *Server) IssueCredentials(roleARN, inlinePolicy string, ttl time.Duration) (ak, secret, token string, expiration time.Time, err error) {
	ro := s.auth.role(roleARN)
	if ro == nil {
		return "", "", "", time.Time{}, fmt.Errorf("emulator: no role %s", roleARN)
	}
	var inline *policy
	if inlinePolicy != "" {
		if inline, err = parsePolicy(inlinePolicy); err != nil {
			return "", "", "", time.Time{}, fmt.Errorf("emulator: inline policy: %w", err)
		}
	}
	sess := s.issue(ro, inline, ttl)
	return sess.ak, sess.secret, sess.token, sess.expiration, nil
}

func (s *Server) issue(ro *role, inline *policy, ttl time.Duration) *stsSession {
	sess := &stsSession{
		ak:         "STS." + randomString(24),
		secret:     randomString(40),
		token:      "CAIS" + randomString(200),
		expiration: s.now().UTC().Add(ttl).Truncate(time.Second),
		roleARN:    ro.arn,
	}
	if ro.policy != nil {
		sess.policies = append(sess.policies, ro.policy)
	}
	if inline != nil {
		sess.policies = append(sess.policies, inline)
	}
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	s.auth.sessions[sess.ak] = sess
	return sess
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomString returns n characters from crypto/rand.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("emulator: crypto/rand: " + err.Error()) // never fails on Linux
	}
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}
