package main

import (
	"bytes"
	"strings"
	"testing"
)

// A usage error is one line that points at the command's --help, never
// the help text itself.
func TestUsageErrorsAreOneLine(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"mount", "--no-such-flag", "bkt", "/mnt"}, "ossfs: unknown option --no-such-flag; see 'ossfs mount --help'"},
		{[]string{"mount", "--uid=abc", "bkt", "/mnt"}, "ossfs: invalid value \"abc\" for flag --uid: parse error; see 'ossfs mount --help'"},
		{[]string{"mount", "--uid"}, "ossfs: flag needs an argument: --uid; see 'ossfs mount --help'"},
		{[]string{"emulator", "--nope"}, "ossfs: unknown option --nope; see 'ossfs emulator --help'"},
		{[]string{"demo", "--nope"}, "ossfs: unknown option --nope; see 'ossfs demo --help'"},
	}
	for _, tc := range cases {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"ossfs"}, tc.args...), &stdout, &stderr)
		if code != 1 || strings.TrimSpace(stderr.String()) != tc.want || stdout.Len() != 0 {
			t.Errorf("%q: exit %d\nstderr: %q\nstdout: %q\nwant stderr %q", tc.args, code, stderr.String(), stdout.String(), tc.want)
		}
	}
}
