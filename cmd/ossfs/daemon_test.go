package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// startChild runs `sh -c script` with the write end of a pipe as fd 3, as
// spawnDaemon does, and returns the read end.
func startChild(t *testing.T, script string) (*os.File, *exec.Cmd) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", script)
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { r.Close() })
	return r, cmd
}

func TestAwaitReady(t *testing.T) {
	r, cmd := startChild(t, `echo ready >&3`)
	if err := awaitReady(r, cmd); err != nil {
		t.Errorf("ready child: %v", err)
	}

	r, cmd = startChild(t, `echo "error: no such bucket: \"x\"" >&3; exit 1`)
	if err := awaitReady(r, cmd); err == nil || err.Error() != `no such bucket: "x"` {
		t.Errorf("failing child: got %v", err)
	}

	r, cmd = startChild(t, `exit 3`)
	if err := awaitReady(r, cmd); err == nil || !strings.Contains(err.Error(), "exited before it was ready") {
		t.Errorf("dying child: got %v", err)
	}
}

func TestReadyReporter(t *testing.T) {
	var nilReporter *readyReporter
	nilReporter.Ready() // the foreground form has none: must not panic
	nilReporter.Fail(errors.New("x"))

	for _, fail := range []bool{false, true} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		rep := &readyReporter{f: w}
		if fail {
			rep.Fail(errors.New("bad\nthing"))
		} else {
			rep.Ready()
		}
		rep.Ready() // a second report is ignored
		buf := make([]byte, 100)
		n, _ := r.Read(buf)
		r.Close()
		want := "ready\n"
		if fail {
			want = "error: bad thing\n"
		}
		if string(buf[:n]) != want {
			t.Errorf("reported %q, want %q", buf[:n], want)
		}
	}
}
