package emulator

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	imdsTokenPath = "/latest/api/token"
	imdsCredsPath = "/latest/meta-data/ram/security-credentials/"
)

type imdsState struct {
	mu       sync.Mutex
	v2Only   bool                 // GUARDED_BY(mu)
	roles    map[string]string    // GUARDED_BY(mu) role name -> role ARN
	tokens   map[string]time.Time // GUARDED_BY(mu) token -> expiry
	duration time.Duration        // GUARDED_BY(mu) lifetime of served credentials
}

func (m *imdsState) init(v2Only bool) {
	m.v2Only = v2Only
	m.roles = map[string]string{}
	m.tokens = map[string]time.Time{}
	m.duration = 6 * time.Hour
}

// AddInstanceRole makes the metadata service serve credentials for the
// registered role roleARN under the instance role name.
func (s *Server) AddInstanceRole(name, roleARN string) {
	s.imds.mu.Lock()
	defer s.imds.mu.Unlock()
	s.imds.roles[name] = roleARN
}

// SetIMDSv2Only makes the metadata service require a session token.
func (s *Server) SetIMDSv2Only(v bool) {
	s.imds.mu.Lock()
	defer s.imds.mu.Unlock()
	s.imds.v2Only = v
}

// SetIMDSCredentialDuration sets the lifetime of credentials the metadata
// service hands out (default 6 h).
func (s *Server) SetIMDSCredentialDuration(d time.Duration) {
	s.imds.mu.Lock()
	defer s.imds.mu.Unlock()
	s.imds.duration = d
}

// serveIMDS emulates the ECS metadata paths of protocol §11.2.
func (s *Server) serveIMDS(rw http.ResponseWriter, r *http.Request) {
	w := &statusWriter{ResponseWriter: rw}
	api := "IMDSCredentials"
	switch {
	case r.URL.Path == imdsTokenPath:
		api = "IMDSToken"
	case r.URL.Path == imdsCredsPath:
		api = "IMDSRoleName"
	}
	s.metrics.count(api)
	defer func() {
		s.metrics.record(LogEntry{Method: r.Method, API: api, Key: r.URL.Path, Status: w.status, Bytes: w.bytes})
	}()
	w.Header().Set("Content-Type", "text/plain")
	if s.faults.get().STSDown {
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	now := s.now()
	if api == "IMDSToken" {
		if r.Method != http.MethodPut {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		ttl, err := strconv.Atoi(r.Header.Get("X-aliyun-ecs-metadata-token-ttl-seconds"))
		if err != nil || ttl < 1 || ttl > 21600 {
			http.Error(w, "invalid ttl", http.StatusBadRequest)
			return
		}
		tok := randomString(56)
		s.imds.mu.Lock()
		s.imds.tokens[tok] = now.Add(time.Duration(ttl) * time.Second)
		s.imds.mu.Unlock()
		w.Write([]byte(tok))
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.imds.mu.Lock()
	tok := r.Header.Get("X-aliyun-ecs-metadata-token")
	exp, known := s.imds.tokens[tok]
	validTok := known && now.Before(exp)
	needTok := s.imds.v2Only
	roles := make(map[string]string, len(s.imds.roles))
	for k, v := range s.imds.roles {
		roles[k] = v
	}
	dur := s.imds.duration
	s.imds.mu.Unlock()
	if tok != "" && !validTok || tok == "" && needTok {
		http.Error(w, "unauthorized: a valid metadata token is required", http.StatusUnauthorized)
		return
	}
	if !strings.HasPrefix(r.URL.Path, imdsCredsPath) {
		http.NotFound(w, r)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, imdsCredsPath)
	if name == "" {
		if len(roles) == 0 {
			http.NotFound(w, r)
			return
		}
		names := make([]string, 0, len(roles))
		for n := range roles {
			names = append(names, n)
		}
		sort.Strings(names)
		w.Write([]byte(strings.Join(names, "\n")))
		return
	}
	arn, ok := roles[name]
	ro := s.auth.role(arn)
	if !ok || ro == nil {
		http.NotFound(w, r)
		return
	}
	sess := s.issue(ro, nil, dur)
	writeJSON(w, http.StatusOK, map[string]string{
		"AccessKeyId":     sess.ak,
		"AccessKeySecret": sess.secret,
		"SecurityToken":   sess.token,
		"Expiration":      sess.expiration.Format(stsTimeFormat),
		"LastUpdated":     now.UTC().Format(stsTimeFormat),
		"Code":            "Success",
	})
}
