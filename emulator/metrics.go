package emulator

import (
	"sync"
	"sync/atomic"
)

// LogEntry is one request as the emulator saw it.
type LogEntry struct {
	Method      string
	API         string // e.g. "GetObject", "ListObjectsV2", "AssumeRole"
	Bucket      string
	Key         string
	Status      int
	Range       string // the Range request header, if any
	AccessKeyID string // empty for anonymous requests
	Bytes       int64  // body bytes written
	// OIDCSubject is the "sub" claim of the token an AssumeRoleWithOIDC
	// call presented, when the token parsed, so tests can tell which
	// token file contents a client sent.
	OIDCSubject string
}

// maxLog bounds the request log; the oldest half is dropped when full.
const maxLog = 100000

type metrics struct {
	mu     sync.Mutex
	counts map[string]int64 // GUARDED_BY(mu)
	log    []LogEntry       // GUARDED_BY(mu)
	bytes  atomic.Int64     // GetObject body bytes
}

func (m *metrics) init() { m.counts = map[string]int64{} }

func (m *metrics) count(api string) {
	m.mu.Lock()
	m.counts[api]++
	m.mu.Unlock()
}

func (m *metrics) record(e LogEntry) {
	m.mu.Lock()
	if len(m.log) >= maxLog {
		m.log = append(m.log[:0], m.log[maxLog/2:]...)
	}
	m.log = append(m.log, e)
	m.mu.Unlock()
}

// Count is how many requests for api (e.g. "GetObject") arrived since the
// last ResetCounts, whatever their outcome.
func (s *Server) Count(api string) int64 {
	s.metrics.mu.Lock()
	defer s.metrics.mu.Unlock()
	return s.metrics.counts[api]
}

// Counts returns a copy of every per-API counter.
func (s *Server) Counts() map[string]int64 {
	s.metrics.mu.Lock()
	defer s.metrics.mu.Unlock()
	out := make(map[string]int64, len(s.metrics.counts))
	for k, v := range s.metrics.counts {
		out[k] = v
	}
	return out
}

// ResetCounts zeroes the counters, BytesSent and the request log.
func (s *Server) ResetCounts() {
	s.metrics.mu.Lock()
	defer s.metrics.mu.Unlock()
	s.metrics.counts = map[string]int64{}
	s.metrics.log = nil
	s.metrics.bytes.Store(0)
}

// BytesSent is the number of GetObject body bytes written since the last
// ResetCounts.
func (s *Server) BytesSent() int64 { return s.metrics.bytes.Load() }

// Requests returns a copy of the request log (oldest first).
func (s *Server) Requests() []LogEntry {
	s.metrics.mu.Lock()
	defer s.metrics.mu.Unlock()
	return append([]LogEntry(nil), s.metrics.log...)
}
