package metrics

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds every ossfs metric. A nil *Registry records nothing.
type Registry struct {
	reg *prometheus.Registry

	requests  *prometheus.CounterVec // api, result
	fetched   prometheus.Counter
	attempts  *prometheus.CounterVec // api, code
	retries   *prometheus.CounterVec // api
	cache     *prometheus.CounterVec // result
	refreshes *prometheus.CounterVec // result
	fuseOps   *prometheus.HistogramVec
	fuseErrs  *prometheus.CounterVec // op, errno
}

// New returns a Registry with every ossfs metric and the Go and process
// collectors registered.
func New() *Registry {
	r := &Registry{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ossfs_oss_requests_total",
			Help: "OSS calls made by the filesystem, by API and outcome (after the client's retries).",
		}, []string{"api", "result"}),
		fetched: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ossfs_oss_fetched_bytes_total",
			Help: "GetObject body bytes received.",
		}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ossfs_oss_attempts_total",
			Help: "HTTP attempts sent to OSS, by API and status code (0: no response).",
		}, []string{"api", "code"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ossfs_oss_retries_total",
			Help: "OSS attempts that were retries of a failed one, by API.",
		}, []string{"api"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ossfs_metadata_cache_lookups_total",
			Help: "Metadata cache lookups, by result (hit, negative_hit, miss).",
		}, []string{"result"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ossfs_credential_refreshes_total",
			Help: "Credential fetches by the refreshing provider, by result (ok, failed).",
		}, []string{"result"}),
		fuseOps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ossfs_fuse_op_duration_seconds",
			Help: "Time to answer a FUSE operation, by operation.",
			// 50 µs (a cache hit) to ~13 s (a slow GET with retries).
			Buckets: prometheus.ExponentialBuckets(50e-6, 4, 9),
		}, []string{"op"}),
		fuseErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ossfs_fuse_op_errors_total",
			Help: "FUSE operations answered with an error, by operation and errno name.",
		}, []string{"op", "errno"}),
	}
	r.reg.MustRegister(r.requests, r.fetched, r.attempts, r.retries, r.cache, r.refreshes, r.fuseOps, r.fuseErrs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// Handler serves the metrics in the Prometheus text format.
func (r *Registry) Handler() http.Handler {
	if r == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{})
}

// Gatherer exposes the registry, for tests and custom exporters.
func (r *Registry) Gatherer() prometheus.Gatherer { return r.reg }

// Listen binds addr at once, so that a bad address fails the mount before
// it starts, and serves /metrics on it in the background until close is
// called. bound is the address actually bound (addr may name port 0).
func (r *Registry) Listen(addr string) (bound net.Addr, close func() error, err error) {
	if r == nil {
		return nil, nil, errors.New("metrics: nil registry")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("metrics: listen on %q: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", r.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return ln.Addr(), srv.Close, nil
}

// ObserveCall records one OSS call as the filesystem saw it (WrapStore).
func (r *Registry) ObserveCall(api, result string) {
	if r == nil {
		return
	}
	r.requests.WithLabelValues(api, result).Inc()
}

// AddFetched records GetObject body bytes received.
func (r *Registry) AddFetched(n int64) {
	if r == nil || n <= 0 {
		return
	}
	r.fetched.Add(float64(n))
}

// ObserveAttempt records one HTTP attempt: status is the response's
// code, 0 when none came (transport error). It is the ossapi
// request-observer hook.
func (r *Registry) ObserveAttempt(api string, status int) {
	if r == nil {
		return
	}
	r.attempts.WithLabelValues(api, strconv.Itoa(status)).Inc()
}

// ObserveRetry records that an attempt of api is a retry.
func (r *Registry) ObserveRetry(api string) {
	if r == nil {
		return
	}
	r.retries.WithLabelValues(api).Inc()
}

// OnRefresh records a credential fetch; pass it as (or call it from)
// creds.RefreshOptions.OnRefresh. The error is not looked at: error
// texts never become labels.
func (r *Registry) OnRefresh(ok bool, _ error) {
	if r == nil {
		return
	}
	if ok {
		r.refreshes.WithLabelValues("ok").Inc()
	} else {
		r.refreshes.WithLabelValues("failed").Inc()
	}
}

// FUSEOp records one FUSE operation's latency and, when errno is not 0,
// its error. Part of fs.Recorder.
func (r *Registry) FUSEOp(op string, d time.Duration, errno syscall.Errno) {
	if r == nil {
		return
	}
	r.fuseOps.WithLabelValues(op).Observe(d.Seconds())
	if errno != 0 {
		r.fuseErrs.WithLabelValues(op, errnoName(errno)).Inc()
	}
}

// CacheLookup records a metadata cache lookup: hit, negative (a cached
// "no such file") or miss. Part of fs.Recorder.
func (r *Registry) CacheLookup(hit, negative bool) {
	if r == nil {
		return
	}
	switch {
	case negative:
		r.cache.WithLabelValues("negative_hit").Inc()
	case hit:
		r.cache.WithLabelValues("hit").Inc()
	default:
		r.cache.WithLabelValues("miss").Inc()
	}
}

// PrefetchMemory publishes the prefetch memory in use (read at scrape
// time from inUse) and its limit. Part of fs.Recorder; called once per
// mount (a second call is ignored).
func (r *Registry) PrefetchMemory(inUse func() int64, limit int64) {
	if r == nil || inUse == nil {
		return
	}
	r.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ossfs_prefetch_memory_bytes",
		Help: "Read-ahead buffer memory reserved by all open files.",
	}, func() float64 { return float64(inUse()) }))
	r.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ossfs_prefetch_memory_limit_bytes",
		Help: "The configured read-ahead memory budget.",
	}, func() float64 { return float64(limit) }))
}

// errnoNames are the errnos fs answers with; others are labelled by number.
var errnoNames = map[syscall.Errno]string{
	syscall.ENOENT: "ENOENT", syscall.EACCES: "EACCES", syscall.ESTALE: "ESTALE", syscall.EIO: "EIO",
	syscall.EINTR: "EINTR", syscall.EROFS: "EROFS", syscall.ENODATA: "ENODATA", syscall.ERANGE: "ERANGE",
	syscall.ENOTSUP: "ENOTSUP", syscall.EINVAL: "EINVAL",
}

func errnoName(e syscall.Errno) string {
	if n, ok := errnoNames[e]; ok {
		return n
	}
	return "errno_" + strconv.Itoa(int(e))
}
