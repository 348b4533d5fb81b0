package integration

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/fs"
	"github.com/ossfs/ossfs/ossapi"
)

// Issue 6, scenario 2: the endpoint refuses connections (ECONNREFUSED,
// through tcpProxy) for 10 s. A reader blocked meanwhile gets its data,
// or a clear EIO once the client's retry limit (RetryPolicy: 4 attempts,
// 60 s) is spent, never an endless hang; ls and df answer from cache;
// reads work again afterwards, without a remount.
func TestOutageRefusedConnections(t *testing.T) {
	requireFUSE(t)
	const outage = 10 * time.Second
	srv := startEmulator(t, emulator.Options{})
	objs := map[string]string{}
	for i := range 20 {
		objs[fmt.Sprintf("dir/f%02d", i)] = fmt.Sprintf("file %d\n", i)
	}
	put(t, srv, objs)
	proxy := newTCPProxy(t, strings.TrimPrefix(srv.Endpoint(), "http://"))
	// The production retry policy.
	c := newClient(t, srv, nil, nil, func(cfg *ossapi.Config) {
		cfg.Retry = ossapi.RetryPolicy{}
		cfg.Endpoint = proxy.URL()
	})
	m := mount(t, c, fs.Options{})
	listing := mustSh(t, "ls", "-l", m.path("dir"))
	mustSh(t, "cat", m.path("dir/f00"))

	proxy.Down()
	outageStart := time.Now()
	srv.ResetCounts()

	// A reader of an uncached file, blocked in the outage.
	type result struct {
		r  cmdResult
		el time.Duration
	}
	blocked := make(chan result, 1)
	go func() {
		start := time.Now()
		r := sh(t, 2*time.Minute, "cat", m.path("dir/f05"))
		blocked <- result{r, time.Since(start)}
	}()

	// Meanwhile the cache answers ls, stat, df and a cached cat.
	if got := mustSh(t, "ls", "-l", m.path("dir")); got != listing {
		t.Errorf("ls -l during the outage:\n%s\nwant\n%s", got, listing)
	}
	mustSh(t, "stat", m.path("dir/f07"))
	df := mustSh(t, "df", m.dir)
	if !strings.Contains(df, m.dir) {
		t.Errorf("df during the outage: %q", df)
	}
	if got := mustSh(t, "cat", m.path("dir/f00")); got != objs["dir/f00"] {
		t.Errorf("cached cat during the outage = %q", got)
	}
	if n := srv.Count("ListObjectsV2") + srv.Count("HeadObject"); n != 0 {
		t.Errorf("ls/stat during the outage reached the service %d times", n)
	}

	var res result
	select {
	case res = <-blocked:
	case <-time.After(outage - time.Since(outageStart)):
		// Still blocked when the service returns: it must then finish.
		proxy.Up()
		res = <-blocked
	}
	const limit = 60*time.Second + 10*time.Second // MaxElapsed + one last attempt's slack
	switch {
	case res.r.err == nil:
		if res.r.stdout != objs["dir/f05"] {
			t.Errorf("blocked reader got %q", res.r.stdout)
		}
		t.Logf("blocked reader got its data after %v", res.el.Round(time.Millisecond))
	case strings.Contains(res.r.stderr, "Input/output error"):
		t.Logf("blocked reader got EIO after %v (retry limit)", res.el.Round(time.Millisecond))
		// One line names the cause; the failed operations are not each logged.
		if n, cause := m.log.count("WARN"), m.log.count("WARN", "connection refused"); n != 1 || cause != 1 {
			t.Errorf("%d warnings (%d naming the refused connection) for the outage, want 1:\n%s", n, cause, m.log)
		}
	case strings.Contains(res.r.stderr, "Connection refused"):
		t.Errorf("blocked reader got the network's errno (ECONNREFUSED) instead of EIO: %q after %v",
			res.r.stderr, res.el.Round(time.Millisecond))
	default:
		t.Errorf("blocked reader: %v %q, want its data or EIO", res.r.err, res.r.stderr)
	}
	if res.el > limit {
		t.Errorf("blocked reader took %v, more than the retry limit %v", res.el, limit)
	}

	// After the outage (if the reader finished early, wait it out):
	// reads work again without a remount.
	if rest := outage - time.Since(outageStart); rest > 0 {
		time.Sleep(rest) // the outage's duration is the scenario itself, not a wait for a result
		proxy.Up()
	}
	for i := range 20 {
		k := fmt.Sprintf("dir/f%02d", i)
		if got := mustSh(t, "cat", m.path(k)); got != objs[k] {
			t.Errorf("after the outage: %s = %q", k, got)
		}
	}
	if res.r.err != nil && m.log.count("INFO", "recovered after") != 1 {
		t.Errorf("the end of the outage is not logged once:\n%s", m.log)
	}
}

// knownBug skips a test that documents a bug another package's owner has
// been told about; OSSFS_KNOWN_BUGS=1 runs it anyway.
func knownBug(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("OSSFS_KNOWN_BUGS") != "1" {
		t.Skip("KNOWN BUG, reported: " + what + " (OSSFS_KNOWN_BUGS=1 runs this test)")
	}
}

// knownBugf reports a reported bug's symptom as a log line, or as an
// error under OSSFS_KNOWN_BUGS=1, so the rest of the test still runs.
func knownBugf(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("OSSFS_KNOWN_BUGS") == "1" {
		t.Errorf(format, args...)
		return
	}
	t.Logf("KNOWN BUG, reported: "+format, args...)
}

// TestOutageLsFromCache: ls of a directory listed within MetadataTTL is
// answered from cache while the endpoint is down, as the second ls is
// when it is up: no LIST.
func TestOutageLsFromCache(t *testing.T) {
	srv, m := setup(t, map[string]string{"dir/a": "a", "dir/b": "b", "dir/sub/c": "c"}, fs.Options{})
	listing := mustSh(t, "ls", "-l", m.path("dir"))
	srv.ResetCounts()
	if got := mustSh(t, "ls", "-l", m.path("dir")); got != listing {
		t.Errorf("second ls -l:\n%s\nwant\n%s", got, listing)
	}
	wantCounts(t, srv, "second ls -l within the TTL", nil)

	srv.SetFaults(emulator.Faults{RefuseConnections: true})
	defer srv.SetFaults(emulator.Faults{})
	r := sh(t, time.Minute, "ls", "-l", m.path("dir"))
	if r.err != nil || r.stdout != listing {
		t.Errorf("ls -l during the outage: %v %q\n%s\nwant\n%s", r.err, r.stderr, r.stdout, listing)
	}
}

// TestClosedConnectionsNeverShortenFiles: when every connection is closed
// as soon as it is accepted (the emulator's RefuseConnections), net/http
// reports a bare "EOF". A read must then fail (EIO), never end early: a
// short FUSE read makes the kernel shrink the file, and it stays short.
func TestClosedConnectionsNeverShortenFiles(t *testing.T) {
	requireFUSE(t)
	srv := startEmulator(t, emulator.Options{})
	put(t, srv, map[string]string{"dir/f": "0123456789\n"})
	c := newClient(t, srv, nil, nil, func(cfg *ossapi.Config) { cfg.Transport = &http.Transport{DisableKeepAlives: true} })
	m := mount(t, c, fs.Options{})
	mustSh(t, "ls", "-l", m.path("dir"))

	srv.SetFaults(emulator.Faults{RefuseConnections: true})
	r := sh(t, time.Minute, "cat", m.path("dir/f"))
	if r.err == nil {
		t.Errorf("cat while every connection is closed: success with %q, want EIO", r.stdout)
	} else if !strings.Contains(r.stderr, "Input/output error") {
		t.Errorf("cat while every connection is closed: %q, want EIO", r.stderr)
	}
	srv.SetFaults(emulator.Faults{})
	if got := mustSh(t, "cat", m.path("dir/f")); got != "0123456789\n" {
		t.Errorf("after connections are accepted again: %q (the failed read shortened the file)", got)
	}
}
