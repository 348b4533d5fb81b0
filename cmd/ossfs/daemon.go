package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"
)

// The ossfs 1.x form returns once the mount serves. The parent re-executes
// itself as `ossfs mount --ready-fd=3 ...` in a new session with the write
// end of a pipe as fd 3; the child writes "ready\n" once mounted, or
// "error: <one line>\n" and exits. The parent exits 0 on "ready" and
// non-zero with the child's message otherwise (EOF included: the child died).
// While it waits, the parent passes SIGINT, SIGTERM and SIGHUP on to the
// child (which runs in its own session, so a Ctrl-C reaches only the
// parent); a child whose parent is gone when it is ready (the pipe is
// broken) unmounts and exits 1.

const readyMsg = "ready"

// spawnDaemon starts the background mount and waits for its verdict.
func spawnDaemon(mountArgs []string) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("readiness pipe: %w", err)
	}
	defer r.Close()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		w.Close()
		return err
	}
	defer devnull.Close()
	args := append([]string{"mount", "--" + flagReadyFD + "=3"}, mountArgs...)
	cmd := exec.Command(self, args...)
	cmd.Stdin = devnull
	cmd.Stdout = devnull
	cmd.Stderr = os.Stderr // logs go where the caller's go; a closed stderr cannot kill the child (SIGPIPE is ignored there)
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("start background mount: %w", err)
	}
	w.Close() // only the child holds the write end now: EOF means it is gone
	stop := make(chan struct{})
	defer close(stop)
	go forwardSignals(sigs, cmd.Process, stop)
	return awaitReady(r, cmd)
}

// forwardedSignals end a mount; the waiting parent passes them on.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// forwardSignals sends every signal from sigs to p until stop is closed.
func forwardSignals(sigs <-chan os.Signal, p *os.Process, stop <-chan struct{}) {
	for {
		select {
		case sig := <-sigs:
			_ = p.Signal(sig) // the child may be gone already: its verdict says why
		case <-stop:
			return
		}
	}
}

// awaitReady reads the child's verdict from r.
func awaitReady(r io.Reader, cmd *exec.Cmd) error {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	line = strings.TrimSpace(line)
	if line == readyMsg {
		return cmd.Process.Release() // the mount lives on in the child
	}
	if msg, ok := strings.CutPrefix(line, "error: "); ok {
		var ee *exec.ExitError
		if err := cmd.Wait(); errors.As(err, &ee) && ee.ExitCode() > 1 {
			return cli.Exit(msg, ee.ExitCode()) // e.g. 130: interrupted
		}
		return errors.New(msg)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("wait for background mount: %w", err)
	}
	werr := cmd.Wait()
	return fmt.Errorf("background mount exited before it was ready: %v", werr)
}

// readyReporter is the child's end of the pipe, and an optional hook run
// once the mount serves (the demo prints its help); nil-safe so the
// foreground form can call it unconditionally.
type readyReporter struct {
	f            *os.File
	onReady      func()
	detachStderr bool // the 1.x form's child: drop the parent's stderr once ready
}

func newReadyReporter(fd int) *readyReporter {
	if fd < 0 {
		return nil
	}
	return &readyReporter{f: os.NewFile(uintptr(fd), "ready-fd-"+strconv.Itoa(fd)), detachStderr: true}
}

// Ready tells the parent the mount serves, then closes the pipe. An error
// means the parent did not hear it (it is gone): the caller unmounts.
func (r *readyReporter) Ready() error {
	if r == nil {
		return nil
	}
	if r.onReady != nil {
		r.onReady()
		r.onReady = nil
	}
	if r.f == nil {
		return nil
	}
	_, err := r.f.WriteString(readyMsg + "\n")
	r.f.Close()
	r.f = nil
	if err != nil {
		return fmt.Errorf("report readiness to the waiting ossfs: %w", err)
	}
	if !r.detachStderr {
		return nil
	}
	// The parent is gone: let go of its stderr, as daemons do, so that a
	// caller that captures it (a pipe) sees EOF. Later logs need --log-file.
	if devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		_ = syscall.Dup3(int(devnull.Fd()), 2, 0)
		devnull.Close()
	}
	return nil
}

// Fail passes the error to the parent on one line, then closes the pipe.
func (r *readyReporter) Fail(err error) {
	if r == nil || r.f == nil {
		return
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	_, _ = r.f.WriteString("error: " + msg + "\n")
	r.f.Close()
	r.f = nil
}
