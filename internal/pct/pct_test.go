package pct

import "testing"

func TestEncode(t *testing.T) {
	cases := []struct{ in, strict, path string }{
		{"abc-_.~", "abc-_.~", "abc-_.~"},
		{"a b+c*", "a%20b%2Bc%2A", "a%20b%2Bc%2A"},
		{"dir/a b+c~文.txt", "dir%2Fa%20b%2Bc~%E6%96%87.txt", "dir/a%20b%2Bc~%E6%96%87.txt"},
		{"", "", ""},
		{"%/", "%25%2F", "%25/"},
	}
	for _, c := range cases {
		if got := Encode(c.in); got != c.strict {
			t.Errorf("Encode(%q) = %q, want %q", c.in, got, c.strict)
		}
		if got := EncodePath(c.in); got != c.path {
			t.Errorf("EncodePath(%q) = %q, want %q", c.in, got, c.path)
		}
	}
}
