// Package testbin builds the ossfs binary once per test process, for the
// tests that drive it the way users do (cmd/ossfs, integration and its
// benchmark).
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	once     sync.Once
	dir      string
	path     string
	buildErr error
)

// Path builds ./cmd/ossfs on first use and returns the binary's path; t
// fails when it cannot be built.
func Path(t testing.TB) string {
	t.Helper()
	once.Do(func() { path, buildErr = build() })
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return path
}

// Cleanup removes the built binary; call it from TestMain after m.Run.
func Cleanup() {
	if dir != "" {
		os.RemoveAll(dir)
	}
}

func build() (string, error) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if dir, err = os.MkdirTemp("", "ossfs-bin-"); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "ossfs")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/ossfs")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/ossfs: %v\n%s", err, out)
	}
	return bin, nil
}
