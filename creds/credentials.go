package creds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Credentials is one set of keys, possibly temporary. Its String, GoString,
// Format, LogValue and MarshalJSON methods never print the secret or the
// token, so a Credentials value can go through %v, %+v and %#v, a slog
// attribute (text or JSON handler), encoding/json or a panic safely.
type Credentials struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string    // empty for long-lived keys
	Expiration      time.Time // zero for keys that do not expire
}

// Provider hands out the credentials to sign a request with right now.
// Implementations must be safe for concurrent use.
type Provider interface {
	Credentials(ctx context.Context) (Credentials, error)
}

// Refresher is implemented by providers that can be told the credentials
// they last returned were refused (an expired token, a revoked key): the
// next call must fetch fresh ones. ossapi calls it before its single retry
// of a request that failed with a credentials error.
type Refresher interface {
	Invalidate()
}

// ProviderFunc adapts a function to Provider.
type ProviderFunc func(ctx context.Context) (Credentials, error)

// Credentials calls f.
func (f ProviderFunc) Credentials(ctx context.Context) (Credentials, error) { return f(ctx) }

// Expired reports whether c has an expiration that is not after now.
func (c Credentials) Expired(now time.Time) bool {
	return !c.Expiration.IsZero() && !now.Before(c.Expiration)
}

// String shows the key id and expiry, never the secret or the token.
func (c Credentials) String() string {
	s := "Credentials{AccessKeyID:" + c.AccessKeyID + " AccessKeySecret:" + redact(c.AccessKeySecret) +
		" SecurityToken:" + redact(c.SecurityToken)
	if !c.Expiration.IsZero() {
		s += " Expiration:" + c.Expiration.UTC().Format(time.RFC3339)
	}
	return s + "}"
}

// GoString makes %#v as safe as %v.
func (c Credentials) GoString() string { return c.String() }

// Format makes every verb (%v, %+v, %s, %q, %x ...) print the redacted form.
func (c Credentials) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", c.String())
	default:
		fmt.Fprint(f, c.String())
	}
}

// LogValue keeps slog handlers (the JSON one walks exported fields) on the
// redacted form.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON encodes the redacted form: Credentials are never meant to be
// serialized, and a debug dump must not carry the keys.
func (c Credentials) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

func redact(s string) string {
	if s == "" {
		return `""`
	}
	return "<redacted>"
}

// Static returns a Provider that always returns c.
func Static(c Credentials) Provider { return staticProvider{c} }

type staticProvider struct{ c Credentials }

func (p staticProvider) Credentials(context.Context) (Credentials, error) { return p.c, nil }

// String names the source, never the keys.
func (p staticProvider) String() string { return "static" }

// ErrNotConfigured is matched (errors.Is) by the error of a source that is
// simply absent: no environment variables, no passwd file, OIDC variables
// unset. A chain moves on to its next source only on this error; any other
// error (a file others can read, a refused STS call) is reported.
var ErrNotConfigured = errors.New("credentials source not configured")

// GoString names the source, never the keys.
func (p staticProvider) GoString() string { return p.String() }

// Format keeps every verb on the source name (the struct holds keys).
func (p staticProvider) Format(f fmt.State, verb rune) { formatName(f, verb, p.String()) }

// formatName prints name for any verb: the provider types hold secrets in
// unexported fields, which %#v and %+v would otherwise print raw.
func formatName(f fmt.State, verb rune, name string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", name)
		return
	}
	fmt.Fprint(f, name)
}

// namedStatic is fixed keys from a named source (env, passwd file).
type namedStatic struct {
	name string
	c    Credentials
}

func (p namedStatic) Credentials(context.Context) (Credentials, error) { return p.c, nil }

// String names the source, never the keys.
func (p namedStatic) String() string { return p.name }

// GoString names the source, never the keys.
func (p namedStatic) GoString() string { return p.name }

// Format prints the source name for every verb.
func (p namedStatic) Format(f fmt.State, verb rune) { formatName(f, verb, p.name) }
