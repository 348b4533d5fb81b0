package creds

import (
	"context"
	"fmt"
	"testing"
)

// Chosen is nil until a provider returned credentials, then that provider
// (the command starts its background renewal).
func TestChainChosen(t *testing.T) {
	notConf := errProvider{"a", fmt.Errorf("a missing: %w", ErrNotConfigured)}
	b := NewRefreshing(Static(Credentials{AccessKeyID: "B"}), RefreshOptions{})
	c := NewChain(notConf, b, Static(Credentials{AccessKeyID: "C"}))
	if got := c.Chosen(); got != nil {
		t.Fatalf("Chosen before any call = %v, want nil", got)
	}
	if _, err := c.Credentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Chosen().(*Refreshing); !ok || got != b {
		t.Fatalf("Chosen = %v, want the second provider", c.Chosen())
	}
	if _, err := NewChain(notConf).Credentials(context.Background()); err == nil {
		t.Fatal("chain of unconfigured sources succeeded")
	}
}
