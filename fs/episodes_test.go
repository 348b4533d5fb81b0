package fs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ossfs/ossfs/ossapi"
)

// countingHandler is a slog.Handler that keeps every record's level and
// text, for tests that count log lines.
type countingHandler struct {
	mu    sync.Mutex
	lines []logLine // GUARDED_BY(mu)
}

type logLine struct {
	level slog.Level
	text  string
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%q", a.Key, a.Value.String())
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, logLine{r.Level, b.String()})
	return nil
}

func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

// count is the number of records at level whose text contains sub.
func (h *countingHandler) count(level slog.Level, sub string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, l := range h.lines {
		if l.level == level && strings.Contains(l.text, sub) {
			n++
		}
	}
	return n
}

func (h *countingHandler) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	for _, l := range h.lines {
		fmt.Fprintf(&b, "%v %s\n", l.level, l.text)
	}
	return b.String()
}

// A credentials outage fails many operations: one warning naming the
// cause, then silence, then one recovery line once the store answers.
func TestEpisodesOneLinePerOutage(t *testing.T) {
	logs := &countingHandler{}
	s := newFakeStore()
	s.put("dir/f", []byte("data"))
	clk := newFakeClock()
	f := testFS(t, s, Options{Logger: slog.New(logs), Now: clk.Now})
	ctx := context.Background()

	expired := fmt.Errorf("oss GetObject %q: %w: sts: token expired", "dir/f", ossapi.ErrCredentialsUnavailable)
	for i := range 500 {
		if got := f.toErrno("read", fmt.Sprintf("dir/f%d", i), expired); got != syscall.EIO {
			t.Fatalf("toErrno = %v, want EIO", got)
		}
	}
	// A different kind in the same outage gets its own line.
	denied := fmt.Errorf("get: %w", &fakeErr{op: "GetObject", key: "k", sentinel: ossapi.ErrInvalidCredentials})
	for range 10 {
		f.toErrno("read", "k", denied)
	}
	if n := logs.count(slog.LevelWarn, "credentials"); n != 2 {
		t.Fatalf("%d warnings for two kinds of failure, want 2:\n%s", n, logs)
	}
	if n := logs.count(slog.LevelWarn, "token expired"); n != 1 {
		t.Errorf("the cause is not named once:\n%s", logs)
	}

	// Served from the cache (no store request) proves nothing.
	f.cache.put("dir/g", meta{kind: kindFile, info: ossapi.ObjectInfo{Size: 1}})
	if _, err := f.stat(ctx, "dir/g"); err != nil {
		t.Fatal(err)
	}
	if n := logs.count(slog.LevelInfo, "recovered"); n != 0 {
		t.Fatalf("recovery logged without a store answer:\n%s", logs)
	}

	// The store answers: each episode ends with one line and its count.
	if _, err := f.store.HeadObject(ctx, "dir/f"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.HeadObject(ctx, "dir/f"); err != nil {
		t.Fatal(err)
	}
	if n := logs.count(slog.LevelInfo, "recovered after 500 failed operations (credentials)"); n != 1 {
		t.Errorf("EIO episode: want one recovery line with its count:\n%s", logs)
	}
	if n := logs.count(slog.LevelInfo, "recovered after 10 failed operations (credentials)"); n != 1 {
		t.Errorf("EACCES episode: want one recovery line with its count:\n%s", logs)
	}

	// A new outage is a new episode.
	clk.advance(episodeQuiet)
	f.toErrno("read", "k", expired)
	f.toErrno("read", "k", expired)
	if n := logs.count(slog.LevelWarn, "token expired"); n != 2 {
		t.Errorf("a second outage: %d warnings naming it in all, want 2:\n%s", n, logs)
	}
	// A miss is an answer too.
	if _, err := f.store.HeadObject(ctx, "absent"); err == nil {
		t.Fatal("HEAD of an absent key succeeded")
	}
	if n := logs.count(slog.LevelInfo, "recovered after 2 failed operations"); n != 1 {
		t.Errorf("a not-found answer did not end the episode:\n%s", logs)
	}
}

// Concurrent failures and successes neither race nor lose counts.
func TestEpisodesConcurrent(t *testing.T) {
	logs := &countingHandler{}
	e := newEpisodes(slog.New(logs), newFakeClock().Now)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				e.fail(syscall.EIO, "network", "read", "k", io.ErrUnexpectedEOF)
				if i == 0 {
					e.ok()
				}
			}
		}()
	}
	wg.Wait()
	e.ok()
	warned, recovered := logs.count(slog.LevelWarn, ""), logs.count(slog.LevelInfo, "recovered")
	if warned != recovered || warned == 0 {
		t.Errorf("%d episodes started, %d ended", warned, recovered)
	}
}

// A flapping service (failures among successes) logs at most one warning
// and one recovery line per kind per quiet period, and no failure goes
// uncounted; a silent episode that outlasts the quiet period warns.
func TestEpisodesFlapping(t *testing.T) {
	logs := &countingHandler{}
	clk := newFakeClock()
	e := newEpisodes(slog.New(logs), clk.Now)
	for range 100 {
		e.fail(syscall.EIO, "service error", "read", "k", io.ErrUnexpectedEOF)
		e.ok()
		clk.advance(100 * time.Millisecond)
	}
	// 10 s of flapping: one episode logged, 99 silent.
	if w, i := logs.count(slog.LevelWarn, ""), logs.count(slog.LevelInfo, ""); w != 1 || i != 1 {
		t.Fatalf("%d warnings and %d recovery lines for 10 s of flapping, want 1 and 1:\n%s", w, i, logs)
	}
	// After the quiet period, the next episode logs and reports the
	// silent failures too.
	clk.advance(episodeQuiet)
	e.fail(syscall.EIO, "service error", "read", "k", io.ErrUnexpectedEOF)
	e.ok()
	if n := logs.count(slog.LevelInfo, "recovered after 100 failed operations"); n != 1 {
		t.Errorf("silent failures not reported with the next recovery:\n%s", logs)
	}
	// A silent episode that lasts becomes a logged one.
	e.fail(syscall.EIO, "service error", "read", "k", io.ErrUnexpectedEOF) // silent: just warned
	clk.advance(episodeQuiet)
	e.fail(syscall.EIO, "service error", "read", "k", io.ErrUnexpectedEOF)
	if w := logs.count(slog.LevelWarn, ""); w != 3 {
		t.Errorf("%d warnings, want 3 (the lasting episode warns once the quiet period is over):\n%s", w, logs)
	}
}
