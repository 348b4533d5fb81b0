package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestHeldLoggerFlushesInOrderOnMount(t *testing.T) {
	var buf bytes.Buffer
	log, release := newHeldLogger(slog.NewTextHandler(&buf, nil))
	log.Info("first")
	log.With("source", "sts").Warn("second")
	log.Debug("not enabled")
	if buf.Len() != 0 {
		t.Fatalf("written before release: %q", buf.String())
	}
	release(true)
	release(false) // later calls do nothing
	log.Info("third")
	out := buf.String()
	i1, i2, i3 := strings.Index(out, "msg=first"), strings.Index(out, "msg=second source=sts"), strings.Index(out, "msg=third")
	if i1 < 0 || i2 < i1 || i3 < i2 || strings.Contains(out, "not enabled") {
		t.Errorf("log after release(true):\n%s", out)
	}
}

func TestHeldLoggerDropsOnFailure(t *testing.T) {
	var buf bytes.Buffer
	log, release := newHeldLogger(slog.NewTextHandler(&buf, nil))
	log.Warn("oss request failed", "attempt", 4)
	release(false)
	if buf.Len() != 0 {
		t.Errorf("held lines written after a failure: %q", buf.String())
	}
	log.Info("after")
	if !strings.Contains(buf.String(), "msg=after") {
		t.Errorf("a record after release was not written: %q", buf.String())
	}
}

func TestHeldLoggerPassesEverythingAtDebug(t *testing.T) {
	var buf bytes.Buffer
	log, release := newHeldLogger(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	defer release(false)
	log.Debug("step")
	log.Warn("warned")
	if out := buf.String(); !strings.Contains(out, "msg=step") || !strings.Contains(out, "msg=warned") {
		t.Errorf("debug level held records back: %q", out)
	}
}

func TestHeldLoggerBounded(t *testing.T) {
	var buf bytes.Buffer
	log, release := newHeldLogger(slog.NewTextHandler(&buf, nil))
	for range maxHeld + 10 {
		log.Info("line")
	}
	release(true)
	out := buf.String()
	if n := strings.Count(out, "msg=line"); n != maxHeld {
		t.Errorf("%d lines written, want %d", n, maxHeld)
	}
	if !strings.Contains(out, "dropped while starting") || !strings.Contains(out, "count=10") {
		t.Errorf("no note of the dropped lines:\n%s", out[len(out)-200:])
	}
}
