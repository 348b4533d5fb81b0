package main

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeServer unmounts after busyFor failed attempts; Wait returns once
// unmounted (or when gone is closed: an external umount).
type fakeServer struct {
	mu       sync.Mutex
	busyFor  int
	attempts int
	done     chan struct{}
	once     sync.Once
}

func newFakeServer(busyFor int) *fakeServer {
	return &fakeServer{busyFor: busyFor, done: make(chan struct{})}
}

func (f *fakeServer) Unmount() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts++
	if f.busyFor < 0 || f.attempts <= f.busyFor {
		return syscall.EBUSY
	}
	f.once.Do(func() { close(f.done) })
	return nil
}

func (f *fakeServer) Wait() { <-f.done }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestServeUnmountsOnSignal(t *testing.T) {
	srv := newFakeServer(2) // busy twice, then fine
	sigs := make(chan os.Signal, 2)
	sigs <- syscall.SIGTERM
	lazyCalled := false
	err := serveUntilSignal(srv, "/m", sigs, time.Minute, func(string) error { lazyCalled = true; return nil }, quiet)
	if err != nil || lazyCalled || srv.attempts != 3 {
		t.Errorf("err %v, lazy %v, attempts %d; want a clean unmount on the third attempt", err, lazyCalled, srv.attempts)
	}
}

func TestServeFallsBackToLazyUnmount(t *testing.T) {
	srv := newFakeServer(-1) // always busy
	sigs := make(chan os.Signal, 2)
	sigs <- syscall.SIGINT
	var lazyPath string
	err := serveUntilSignal(srv, "/m", sigs, 0, func(p string) error { lazyPath = p; return nil }, quiet)
	if err != nil || lazyPath != "/m" {
		t.Errorf("err %v, lazy unmount of %q; want a lazy unmount of /m and success", err, lazyPath)
	}

	sigs <- syscall.SIGINT
	err = serveUntilSignal(srv, "/m", sigs, 0, func(string) error { return errors.New("EPERM") }, quiet)
	if err == nil {
		t.Error("a failed lazy unmount was reported as success")
	}
}

func TestServeSecondSignalExits(t *testing.T) {
	srv := newFakeServer(-1)
	sigs := make(chan os.Signal, 2)
	sigs <- syscall.SIGTERM
	sigs <- syscall.SIGTERM
	lazyCalled := false
	err := serveUntilSignal(srv, "/m", sigs, time.Hour, func(string) error { lazyCalled = true; return nil }, quiet)
	if !errors.Is(err, errSecondSignal) || !lazyCalled {
		t.Errorf("err %v, lazy %v; want errSecondSignal after a lazy detach", err, lazyCalled)
	}
}

func TestServeExternalUnmount(t *testing.T) {
	srv := newFakeServer(0)
	close(srv.done)
	srv.once.Do(func() {})
	err := serveUntilSignal(srv, "/m", make(chan os.Signal), time.Hour, nil, quiet)
	if err != nil || srv.attempts != 0 {
		t.Errorf("err %v, attempts %d; want a quiet exit without unmounting", err, srv.attempts)
	}
}
