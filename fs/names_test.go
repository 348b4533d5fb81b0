package fs

import (
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"a", true},
		{"héllo wörld+%", true},
		{strings.Repeat("x", 255), true},
		{strings.Repeat("x", 256), false},
		{"", false},
		{".", false},
		{"..", false},
		{"...", true},
		{"a/b", false},
		{"a\x00b", false},
	} {
		if got := validName(tc.name); got != tc.want {
			t.Errorf("validName(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestKeys(t *testing.T) {
	if got := childKey("", "a"); got != "a" {
		t.Errorf("childKey root = %q", got)
	}
	if got := childKey("a/b", "c"); got != "a/b/c" {
		t.Errorf("childKey = %q", got)
	}
	for key, want := range map[string]string{"a": "", "a/b": "a", "a/b/c": "a/b"} {
		if got := parentKey(key); got != want {
			t.Errorf("parentKey(%q) = %q, want %q", key, got, want)
		}
	}
	for in, want := range map[string]string{"": "", "/": "", "data/": "data", "/a/b/": "a/b"} {
		got, ok := cleanPrefix(in)
		if !ok || got != want {
			t.Errorf("cleanPrefix(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"a//b", "a/../b", "./a"} {
		if _, ok := cleanPrefix(bad); ok {
			t.Errorf("cleanPrefix(%q) accepted", bad)
		}
	}
}

func TestRelativeTarget(t *testing.T) {
	for _, tc := range []struct{ dir, target, want string }{
		{"", "file", "file"},
		{"", "a/b", "a/b"},
		{"a", "a/file", "file"},
		{"a/b", "a/c", "../c"},
		{"a/b", "x/y/z", "../../x/y/z"},
		{"a", "a", "../a"},
		{"a", "/abs", "/abs"},
		{"a", "../up", "../up"},
	} {
		if got := relativeTarget(tc.dir, tc.target); got != tc.want {
			t.Errorf("relativeTarget(%q, %q) = %q, want %q", tc.dir, tc.target, got, tc.want)
		}
	}
}
