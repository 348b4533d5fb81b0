package ossapi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/ossapi"
)

// A connection closed as soon as it is accepted makes net/http report a
// bare "EOF". That is a failure, never the end of the data: the error must
// not match io.EOF (callers stop reading at io.EOF and would take a short
// read for the whole file).
func TestTransportEOFIsNotEndOfData(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	c := newClient(t, h, func(cfg *ossapi.Config) { cfg.Transport = &http.Transport{DisableKeepAlives: true} })
	_, _, err := c.GetObject(context.Background(), ossapi.GetRequest{Key: "k", Length: 10})
	if err == nil {
		t.Fatal("GET of a closed connection succeeded")
	}
	if errors.Is(err, io.EOF) {
		t.Errorf("%v matches io.EOF", err)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) || !errors.Is(err, ossapi.ErrUnreachable) {
		t.Errorf("%v: want io.ErrUnexpectedEOF and ErrUnreachable", err)
	}
	if !strings.Contains(err.Error(), "EOF") {
		t.Errorf("%v: the cause is not named", err)
	}
	// The other net errors stay reachable for errors.As.
	te := &ossapi.TransportError{Op: "GetObject", Key: "k", Err: &net.OpError{Op: "dial", Err: errors.New("refused")}}
	var oe *net.OpError
	if !errors.As(te, &oe) {
		t.Errorf("%v hides its *net.OpError", te)
	}
}

// A provider that has no credentials fails the request before it is sent,
// with an error that says so (ErrCredentialsUnavailable) and keeps the
// provider's cause; the client logs nothing above Debug.
func TestCredentialsUnavailable(t *testing.T) {
	var logs bytes.Buffer
	var hits counter
	c := newClient(t, hits.wrap(func(w http.ResponseWriter, r *http.Request) {}), func(cfg *ossapi.Config) {
		cfg.Credentials = creds.ProviderFunc(func(context.Context) (creds.Credentials, error) {
			return creds.Credentials{}, errors.New("sts unreachable")
		})
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	_, err := c.HeadObject(context.Background(), "k")
	if !errors.Is(err, ossapi.ErrCredentialsUnavailable) || !strings.Contains(err.Error(), "sts unreachable") {
		t.Errorf("HeadObject without credentials: %v", err)
	}
	if hits.n.Load() != 0 {
		t.Errorf("%d requests sent without credentials", hits.n.Load())
	}
	if logs.Len() != 0 {
		t.Errorf("client logged above Debug:\n%s", logs.String())
	}
}

// Failed requests are logged at Debug only, however they fail: the caller
// gets the error and decides what to warn about.
func TestFailuresLoggedAtDebugOnly(t *testing.T) {
	var logs bytes.Buffer
	c := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}), func(cfg *ossapi.Config) {
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	if _, err := c.HeadObject(context.Background(), "k"); err == nil {
		t.Fatal("503 succeeded")
	}
	if !strings.Contains(logs.String(), "level=DEBUG") || strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("want Debug lines only:\n%s", logs.String())
	}
}
