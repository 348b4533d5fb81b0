package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ossfs/ossfs/internal/testbin"
)

// The systemd unit passes `systemd-analyze verify` (with ExecStart pointed
// at an executable that exists here).
func TestSystemdUnitVerifies(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		if os.Getenv("OSSFS_REQUIRE_FUSE") == "1" {
			t.Fatal("systemd-analyze is required in CI")
		}
		t.Skip("systemd-analyze not installed")
	}
	unit, err := os.ReadFile("../../dist/systemd/ossfs@.service")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(unit), "ExecStart=/usr/local/bin/ossfs mount ") || !strings.Contains(string(unit), "Type=notify") {
		t.Fatal("unit does not run `ossfs mount` as Type=notify")
	}
	dir := t.TempDir()
	text := strings.ReplaceAll(string(unit), "/usr/local/bin/ossfs", testbin.Path(t))
	path := filepath.Join(dir, "ossfs@verify.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("systemd-analyze", "verify", path).CombinedOutput()
	if err != nil || strings.Contains(string(out), "ossfs@verify.service") {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// Every option the README names exists, and every mount option is in the
// README's option table.
func TestREADMEOptionsMatchFlags(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{"help": true}
	for _, f := range append(mountFlags(), emulatorFlags()...) {
		known[f.Names()[0]] = true
	}
	flagRE := regexp.MustCompile(`(?:^|[\s\x60(])--([a-z][a-z0-9-]+)`)
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.Contains(line, "systemctl") { // --now is systemctl's
			continue
		}
		for _, flag := range flagRE.FindAllStringSubmatch(line, -1) {
			if !known[flag[1]] {
				t.Errorf("README names --%s, which ossfs does not have", flag[1])
			}
		}
	}
	for _, f := range mountFlags() {
		name := f.Names()[0]
		if name == flagReadyFD {
			continue
		}
		if !strings.Contains(string(readme), "| `--"+name) {
			t.Errorf("README option table lacks --%s", name)
		}
	}
}

// Every line of dist/fstab.example, commented-out ones included, is a
// valid ossfs 1.x command line once mount(8) has dropped its own options.
func TestFstabExampleParses(t *testing.T) {
	text, err := os.ReadFile("../../dist/fstab.example")
	if err != nil {
		t.Fatal(err)
	}
	b, v := mountFlagSets()
	n := 0
	for _, line := range strings.Split(string(text), "\n") {
		fields := strings.Fields(strings.TrimPrefix(line, "#"))
		if len(fields) != 6 || fields[2] != "fuse.ossfs" {
			continue
		}
		n++
		la, err := parseLegacy([]string{fields[0], fields[1], "-o", fields[3]}, b, v)
		if err != nil {
			t.Errorf("%s: %v", line, err)
			continue
		}
		if _, err := parseArgs(t, la.MountArgs...); err != nil && !strings.Contains(err.Error(), "no endpoint") {
			t.Errorf("%s: translated to %q: %v", line, la.MountArgs, err)
		}
	}
	if n < 2 {
		t.Errorf("found %d fstab lines in the example, want 2", n)
	}
}
