package emulator

import (
	"math/rand"
	"net"
	"sync"
	"time"
)

// Faults describes injected misbehaviour. Random choices come from one
// math/rand source seeded with Seed, and every OSS request draws the same
// number of values, so a sequential test sees the same faults on every run.
type Faults struct {
	Latency              time.Duration // delay before the response headers of every OSS request
	BandwidthBytesPerSec int64         // per-connection write cap (token bucket); 0 = unlimited
	ErrorRate            float64       // probability of a retryable 500/503/429 instead of the answer
	ResetRate            float64       // probability that a GetObject body is cut mid-stream
	StallRate            float64       // probability that a GetObject body pauses for StallFor mid-stream
	StallFor             time.Duration
	Seed                 int64
	RefuseConnections    bool // close every new connection at once (all endpoints)
	STSDown              bool // STS and metadata answer 503
}

// draw is the fault decision for one request.
type draw struct {
	errStatus int     // 0 = no injected error
	reset     bool    // cut the body
	stall     bool    // pause the body
	cut       float64 // fraction of the body sent before the cut or pause
}

type faultState struct {
	mu  sync.Mutex
	f   Faults
	rnd *rand.Rand
}

func (fs *faultState) set(f Faults) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.f = f
	fs.rnd = rand.New(rand.NewSource(f.Seed))
}

func (fs *faultState) get() Faults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.f
}

// next draws the decision for one OSS request: always four values so the
// sequence does not depend on which faults are enabled.
func (fs *faultState) next() (Faults, draw) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.f
	e, r, s, c := fs.rnd.Float64(), fs.rnd.Float64(), fs.rnd.Float64(), fs.rnd.Float64()
	var d draw
	if e < f.ErrorRate {
		d.errStatus = []int{500, 503, 429}[int(c*3)%3]
	}
	d.reset = r < f.ResetRate
	d.stall = s < f.StallRate
	d.cut = 0.1 + 0.8*c // never 0 or the whole body
	return f, d
}

// SetFaults replaces the fault configuration and reseeds the random source.
func (s *Server) SetFaults(f Faults) { s.faults.set(f) }

// faultListener refuses connections on demand and caps per-connection
// bandwidth.
type faultListener struct {
	net.Listener
	f *faultState
}

func (l *faultListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.f.get().RefuseConnections {
			c.Close()
			continue
		}
		return &shapedConn{Conn: c, f: l.f}, nil
	}
}

// shapedConn applies Faults.BandwidthBytesPerSec to writes with a token
// bucket holding at most 1/10 s worth of tokens.
type shapedConn struct {
	net.Conn
	f      *faultState
	tokens float64
	last   time.Time
}

func (c *shapedConn) Write(p []byte) (int, error) {
	rate := c.f.get().BandwidthBytesPerSec
	if rate <= 0 {
		return c.Conn.Write(p)
	}
	written := 0
	burst := float64(rate) / 10
	if burst < 1024 {
		burst = 1024
	}
	for written < len(p) {
		now := time.Now()
		if c.last.IsZero() {
			c.tokens = burst
		} else {
			c.tokens += now.Sub(c.last).Seconds() * float64(rate)
			if c.tokens > burst {
				c.tokens = burst
			}
		}
		c.last = now
		if c.tokens < 1 {
			time.Sleep(time.Duration((1 - c.tokens) / float64(rate) * float64(time.Second)))
			continue
		}
		n := len(p) - written
		if float64(n) > c.tokens {
			n = int(c.tokens)
		}
		m, err := c.Conn.Write(p[written : written+n])
		written += m
		c.tokens -= float64(m)
		if err != nil {
			return written, err
		}
	}
	return written, nil
}
