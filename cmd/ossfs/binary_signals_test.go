package main

import (
	"syscall"
	"testing"

	"github.com/ossfs/ossfs/emulator"
)

// SIGHUP (the terminal went away) unmounts cleanly, like SIGTERM.
func TestBinarySIGHUPUnmounts(t *testing.T) {
	requireFUSE(t)
	e := startEmulator(t, emulator.Options{})
	mnt := t.TempDir()
	m := startMounted(t, e.env(), "mount", "--path-style", "bkt", mnt)
	if code := m.stop(t, syscall.SIGHUP); code != 0 || isMounted(t, mnt) {
		t.Errorf("SIGHUP: exit %d, still mounted %v\n%s", code, isMounted(t, mnt), m.stderr.String())
	}
}
