package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/fs"
	"github.com/ossfs/ossfs/ossapi"
)

// testBucket is the bucket every harness emulator creates.
const testBucket = "itest-bucket"

// longForm reports whether the full-size (soak) variants run: OSSFS_LONG=1.
func longForm() bool { return os.Getenv("OSSFS_LONG") == "1" }

// pick returns long in the long form, short otherwise.
func pick[T any](short, long T) T {
	if longForm() {
		return long
	}
	return short
}

// requireFUSE skips t when mounting is impossible here, or fails it when
// OSSFS_REQUIRE_FUSE=1 says the environment must allow mounting (CI).
func requireFUSE(t testing.TB) {
	t.Helper()
	reason := ""
	if os.Geteuid() != 0 {
		reason = "integration mount tests need root"
	} else if _, err := os.Stat("/dev/fuse"); err != nil {
		reason = "integration mount tests need /dev/fuse: " + err.Error()
	}
	if reason == "" {
		return
	}
	if os.Getenv("OSSFS_REQUIRE_FUSE") == "1" {
		t.Fatal(reason + " (OSSFS_REQUIRE_FUSE=1)")
	}
	t.Skip(reason)
}

// requireTool skips t when a command-line tool is missing, or fails it
// under OSSFS_REQUIRE_FUSE=1, where CI has installed every tool.
func requireTool(t testing.TB, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err == nil {
		return
	}
	msg := fmt.Sprintf("%s not installed (apt-get install -y %s)", name, pkg)
	if os.Getenv("OSSFS_REQUIRE_FUSE") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// logBuf captures log records, as text (for failure messages) and as
// message + attributes (for "logged once" assertions).
type logBuf struct {
	mu   sync.Mutex
	text bytes.Buffer // GUARDED_BY(mu)
	recs []logRec     // GUARDED_BY(mu)
}

// logRec is one captured record.
type logRec struct {
	Msg   string
	Attrs map[string]string
}

// Write takes raw text (a subprocess's stderr).
func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.text.String()
}

// records returns a copy of every record whose message contains msg.
func (l *logBuf) records(msg string) []logRec {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []logRec
	for _, r := range l.recs {
		if strings.Contains(r.Msg, msg) {
			out = append(out, r)
		}
	}
	return out
}

// count is how many text lines contain every one of subs.
func (l *logBuf) count(subs ...string) int {
	n := 0
	for _, line := range strings.Split(l.String(), "\n") {
		all := line != ""
		for _, s := range subs {
			all = all && strings.Contains(line, s)
		}
		if all {
			n++
		}
	}
	return n
}

func (l *logBuf) logger() *slog.Logger { return slog.New(&recHandler{buf: l}) }

// recHandler is the slog.Handler behind logBuf.logger.
type recHandler struct {
	buf   *logBuf
	attrs []slog.Attr
}

func (h *recHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *recHandler) Handle(_ context.Context, r slog.Record) error {
	rec := logRec{Msg: r.Message, Attrs: map[string]string{}}
	line := []string{r.Level.String(), strconv.Quote(r.Message)}
	add := func(a slog.Attr) bool {
		rec.Attrs[a.Key] = a.Value.String()
		line = append(line, a.Key+"="+strconv.Quote(a.Value.String()))
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.buf.mu.Lock()
	defer h.buf.mu.Unlock()
	h.buf.recs = append(h.buf.recs, rec)
	h.buf.text.WriteString(strings.Join(line, " ") + "\n")
	return nil
}

func (h *recHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &recHandler{buf: h.buf, attrs: append(append([]slog.Attr{}, h.attrs...), as...)}
}

func (h *recHandler) WithGroup(string) slog.Handler { return h }

// startEmulator starts an emulator with testBucket, closed at cleanup.
func startEmulator(t testing.TB, opts emulator.Options) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := srv.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	return srv
}

// put stores objects (key → content) in testBucket.
func put(t testing.TB, srv *emulator.Server, objs map[string]string) {
	t.Helper()
	for k, v := range objs {
		if _, err := srv.PutObject(testBucket, k, []byte(v)); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
	}
}

// newClient builds an ossapi client for testBucket signed with p (a new
// emulator user's static keys when nil). edit may adjust the config.
func newClient(t testing.TB, srv *emulator.Server, p creds.Provider, log *logBuf, edit func(*ossapi.Config)) *ossapi.Client {
	t.Helper()
	if p == nil {
		ak, sk := srv.NewUser()
		p = creds.Static(creds.Credentials{AccessKeyID: ak, AccessKeySecret: sk})
	}
	cfg := ossapi.Config{
		Endpoint:    srv.Endpoint(),
		Region:      srv.Region(),
		Bucket:      testBucket,
		PathStyle:   true,
		Credentials: p,
		// Test-sized backoff: retries still happen, but quickly.
		Retry: ossapi.RetryPolicy{BaseDelay: 5 * time.Millisecond, MaxDelay: 100 * time.Millisecond},
	}
	if log != nil {
		cfg.Logger = log.logger()
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := ossapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mounted is one live mount.
type mounted struct {
	dir    string
	server *fuse.Server
	log    *logBuf // the filesystem's log lines
}

// mount mounts store at a fresh temporary directory and unmounts it at
// cleanup. opts.Logger defaults to a captured logBuf.
func mount(t testing.TB, store fs.ObjectStore, opts fs.Options) *mounted {
	t.Helper()
	requireFUSE(t)
	m := &mounted{dir: t.TempDir(), log: &logBuf{}}
	if opts.Logger == nil {
		opts.Logger = m.log.logger()
	}
	srv, err := fs.Mount(m.dir, store, opts)
	if err != nil {
		t.Fatal(err)
	}
	m.server = srv
	t.Cleanup(func() {
		// A test's failed command may leave the mount busy for a moment.
		deadline := time.Now().Add(10 * time.Second)
		for {
			err := srv.Unmount()
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("unmount %s: %v", m.dir, err)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	return m
}

// path joins names under the mount.
func (m *mounted) path(names ...string) string {
	return strings.Join(append([]string{m.dir}, names...), "/")
}

// setup is the common case: an emulator holding objs, a static-key
// client, a mount with opts.
func setup(t testing.TB, objs map[string]string, opts fs.Options) (*emulator.Server, *mounted) {
	t.Helper()
	requireFUSE(t)
	srv := startEmulator(t, emulator.Options{})
	put(t, srv, objs)
	c := newClient(t, srv, nil, nil, nil)
	return srv, mount(t, c, opts)
}

// cmdResult is a finished command.
type cmdResult struct {
	stdout, stderr string
	err            error // nil, *exec.ExitError, or the start/timeout error
}

// sh runs name args with a deadline, so a hang fails the test instead of
// stalling the suite.
func sh(t testing.TB, timeout time.Duration, name string, args ...string) cmdResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s %q: timed out after %v (hang): %w", name, args, timeout, ctx.Err())
	}
	return cmdResult{out.String(), errb.String(), err}
}

// mustSh runs a command that must succeed and returns its stdout.
func mustSh(t testing.TB, name string, args ...string) string {
	t.Helper()
	r := sh(t, 2*time.Minute, name, args...)
	if r.err != nil {
		t.Fatalf("%s %q: %v\nstderr: %s", name, args, r.err, r.stderr)
	}
	return r.stdout
}

// wantCounts asserts the emulator's per-API counters since the last
// ResetCounts: every API in want has exactly that count, and every API
// not named in want has none.
func wantCounts(t testing.TB, srv *emulator.Server, what string, want map[string]int64) {
	t.Helper()
	got := srv.Counts()
	for api, n := range got {
		if n != want[api] {
			t.Errorf("%s: %d %s requests, want %d (all: %v)", what, n, api, want[api], got)
		}
	}
	for api, n := range want {
		if _, seen := got[api]; !seen && n != 0 {
			t.Errorf("%s: 0 %s requests, want %d (all: %v)", what, api, n, got)
		}
	}
}

// sha256Hex is the hex SHA-256 of b, as sha256sum prints it.
func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// hashReader streams r through SHA-256.
func hashReader(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// eventually polls cond every 20 ms until it holds or the deadline passes.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// isErrno reports whether err (possibly wrapped, e.g. *os.PathError)
// is the errno want.
func isErrno(err error, want error) bool { return errors.Is(err, want) }
