package main

import (
	"strings"
	"testing"
)

// Options that would be silently ignored, and values out of range, are
// refused before anything is contacted: exit 1 and one line on stderr.
func TestBinaryRefusesIgnoredOrBadOptions(t *testing.T) {
	env := append(cleanEnv(), "OSSFS_ENDPOINT=http://127.0.0.1:1")
	mnt := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--policy-file=/etc/p.json"}, "--policy-file only applies to --role-arn"},
		{[]string{"--external-id=x"}, "--external-id only applies to --role-arn"},
		{[]string{"--credential-duration=30m"}, "--credential-duration only applies to --role-arn"},
		{[]string{"--role-session-name=me"}, "--role-session-name only applies to --role-arn"},
		{[]string{"--ecs-ram-role=auto", "--passwd-file=/etc/passwd-ossfs"}, "drop one of them"},
		{[]string{"--memory-budget=0"}, "must be greater than 0"},
		{[]string{"--prefetch-size=0"}, "must be greater than 0"},
		{[]string{"--prefetch-size=1iB"}, "want a byte count"},
		{[]string{"--memory-budget=1BiB"}, "want a byte count"},
		{[]string{"--uid=4294967295"}, "not a valid id"},
		{[]string{"--role-arn=acs:ram::1:role/r", "--credential-duration=0s"}, "--credential-duration must be greater than 0"},
	}
	for _, tc := range cases {
		args := append(append([]string{"mount"}, tc.args...), "bkt", mnt)
		_, stderr, code := runOssfs(t, env, args...)
		if lines := errorLines(stderr); code != 1 || len(lines) != 1 || !strings.Contains(lines[0], tc.want) ||
			strings.TrimSpace(stderr) != lines[0] {
			t.Errorf("%q: exit %d, stderr:\n%s\nwant exit 1 and one line containing %q", tc.args, code, stderr, tc.want)
		}
	}
}
