package main

import (
	"net"
	"path/filepath"
	"testing"
)

func TestSDNotify(t *testing.T) {
	for _, abstract := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "notify.sock")
		env := path
		if abstract {
			path = "\x00ossfs-test-" + filepath.Base(filepath.Dir(path))
			env = "@" + path[1:]
		}
		conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("NOTIFY_SOCKET", env)
		if err := sdNotify("READY=1"); err != nil {
			t.Fatalf("abstract=%v: %v", abstract, err)
		}
		buf := make([]byte, 64)
		n, _, err := conn.ReadFromUnix(buf)
		conn.Close()
		if err != nil || string(buf[:n]) != "READY=1" {
			t.Errorf("abstract=%v: got %q, %v", abstract, buf[:n], err)
		}
	}
}

func TestSDNotifyUnset(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if err := sdNotify("READY=1"); err != nil {
		t.Errorf("no socket: %v", err)
	}
	t.Setenv("NOTIFY_SOCKET", "relative")
	if err := sdNotify("READY=1"); err == nil {
		t.Error("a relative NOTIFY_SOCKET was accepted")
	}
	t.Setenv("NOTIFY_SOCKET", filepath.Join(t.TempDir(), "gone.sock"))
	if err := sdNotify("READY=1"); err == nil {
		t.Error("a missing socket did not fail")
	}
}
