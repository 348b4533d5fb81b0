package emulator

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	Addr   string           // listen address of the OSS endpoint; default "127.0.0.1:0"
	Region string           // default "cn-hangzhou"; the region V4 signatures must name
	Now    func() time.Time // default time.Now; used for skew checks and token expiry
	// TLS serves all three endpoints over https with a self-signed
	// certificate for 127.0.0.1 and localhost (see CACertPEM).
	TLS bool
	// MinSTSDuration lowers the 900 s floor of DurationSeconds so tests can
	// obtain credentials that expire within seconds. Zero keeps 900 s.
	MinSTSDuration time.Duration
	// IMDSv2Only makes the metadata endpoint require a session token.
	IMDSv2Only bool
}

// Server is a running emulator. All methods are safe for concurrent use.
type Server struct {
	region string
	now    func() time.Time
	tls    bool

	caPEM []byte
	oss   *endpoint
	sts   *endpoint
	md    *endpoint

	reqSeq    atomic.Uint64
	reqPrefix uint32

	store   store
	auth    authState
	faults  faultState
	metrics metrics
	imds    imdsState

	closeOnce sync.Once
}

// endpoint is one listener with its http.Server.
type endpoint struct {
	ln  *faultListener
	srv *http.Server
	url string
}

// Start listens on loopback (or opts.Addr) and serves OSS, STS and the ECS
// metadata service on three ports until Close.
func Start(opts Options) (*Server, error) {
	s := &Server{region: opts.Region, now: opts.Now, tls: opts.TLS}
	if s.region == "" {
		s.region = "cn-hangzhou"
	}
	if s.now == nil {
		s.now = time.Now
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("emulator: request id seed: %w", err)
	}
	s.reqPrefix = binary.BigEndian.Uint32(b[:])
	s.store.init()
	s.auth.init(opts.MinSTSDuration)
	s.faults.set(Faults{})
	s.metrics.init()
	s.imds.init(opts.IMDSv2Only)

	var tlsConf *tls.Config
	if opts.TLS {
		cert, caPEM, err := selfSignedCert()
		if err != nil {
			return nil, fmt.Errorf("emulator: tls certificate: %w", err)
		}
		s.caPEM = caPEM
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var err error
	if s.oss, err = s.listen(addr, http.HandlerFunc(s.serveOSS), tlsConf); err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(s.oss.ln.Addr().String())
	if s.sts, err = s.listen(net.JoinHostPort(host, "0"), http.HandlerFunc(s.serveSTS), tlsConf); err != nil {
		s.oss.close()
		return nil, err
	}
	if s.md, err = s.listen(net.JoinHostPort(host, "0"), http.HandlerFunc(s.serveIMDS), tlsConf); err != nil {
		s.oss.close()
		s.sts.close()
		return nil, err
	}
	return s, nil
}

func (s *Server) listen(addr string, h http.Handler, tlsConf *tls.Config) (*endpoint, error) {
	raw, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: listen %s: %w", addr, err)
	}
	fl := &faultListener{Listener: raw, f: &s.faults}
	var ln net.Listener = fl
	scheme := "http"
	if tlsConf != nil {
		ln = tls.NewListener(fl, tlsConf)
		scheme = "https"
	}
	e := &endpoint{
		ln:  fl,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second, ErrorLog: quietLog()},
		url: scheme + "://" + raw.Addr().String(),
	}
	go e.srv.Serve(ln)
	return e, nil
}

func (e *endpoint) close() error { return e.srv.Close() }

// Close stops all listeners and closes every connection.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		for _, e := range []*endpoint{s.oss, s.sts, s.md} {
			if cerr := e.close(); cerr != nil && err == nil {
				err = cerr
			}
		}
	})
	return err
}

// Endpoint is the OSS base URL ("http://127.0.0.1:PORT"). Requests are
// path-style (/<bucket>/<key>) or virtual-hosted (Host: <bucket>.<anything>).
func (s *Server) Endpoint() string { return s.oss.url }

// STSEndpoint is the base URL of the STS RPC API.
func (s *Server) STSEndpoint() string { return s.sts.url }

// STSHost is STSEndpoint without the scheme, as credentials-go wants it.
func (s *Server) STSHost() string { return s.sts.ln.Addr().String() }

// MetadataEndpoint is the base URL of the ECS instance metadata service.
func (s *Server) MetadataEndpoint() string { return s.md.url }

// Region is the region V4 signatures must name.
func (s *Server) Region() string { return s.region }

// CACertPEM is the PEM certificate clients must trust when Options.TLS is
// set; nil otherwise.
func (s *Server) CACertPEM() []byte { return s.caPEM }

// requestID returns a fresh 24-upper-hex request id.
func (s *Server) requestID() string {
	return fmt.Sprintf("%08X%016X", s.reqPrefix, s.reqSeq.Add(1))
}
