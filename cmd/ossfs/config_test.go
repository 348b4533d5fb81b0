package main

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

// parseArgs runs the mount command's flag parsing on args (flags then
// BUCKET MOUNTPOINT) and returns the config parseMountConfig builds.
func parseArgs(t *testing.T, args ...string) (*mountConfig, error) {
	t.Helper()
	var cfg *mountConfig
	var perr error
	app := &cli.App{
		Name: "ossfs", Writer: io.Discard, ErrWriter: io.Discard,
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{{Name: "mount", Flags: mountFlags(), Action: func(c *cli.Context) error {
			cfg, perr = parseMountConfig(c)
			return nil
		}}},
	}
	if err := app.Run(append([]string{"ossfs", "mount"}, args...)); err != nil {
		return nil, err
	}
	return cfg, perr
}

func TestParseMountConfigDefaults(t *testing.T) {
	cfg, err := parseArgs(t, "--region=cn-beijing", "my-bucket", "/mnt/x")
	if err != nil {
		t.Fatal(err)
	}
	want := mountConfig{
		Bucket: "my-bucket", Mountpoint: "/mnt/x", Region: "cn-beijing", SignatureVersion: 4,
		RoleSessionName: "ossfs", CredDuration: time.Hour,
		ECSMetadata: "http://100.100.100.200", UID: uint32(os.Getuid()), GID: uint32(os.Getgid()),
		FileMode: 0o444, DirMode: 0o555, MetadataTTL: time.Minute, NegativeTTL: 5 * time.Second,
		CacheEntries: 100000, PrefetchSize: 64 << 20, PrefetchParallel: 8, MemoryBudget: 512 << 20, ReadyFD: -1,
	}
	if *cfg != want {
		t.Errorf("config\n got %+v\nwant %+v", *cfg, want)
	}
}

func TestParseMountConfigFlagsAndEnv(t *testing.T) {
	t.Setenv("OSSFS_ENDPOINT", "http://127.0.0.1:9000")
	t.Setenv("OSSFS_PATH_STYLE", "true")
	t.Setenv("OSSFS_ROLE_ARN", "acs:ram::1:role/r")
	cfg, err := parseArgs(t, "--uid=1000", "--gid=2000", "--umask=027", "--metadata-ttl=10s",
		"--prefetch-size=8M", "--memory-budget=1GiB", "--signature-version=1", "--allow-other",
		"bkt:/a/b/", "rel/dir")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Endpoint != "http://127.0.0.1:9000" || !cfg.PathStyle || cfg.RoleARN != "acs:ram::1:role/r" {
		t.Errorf("environment not applied: %+v", cfg)
	}
	if cfg.Bucket != "bkt" || cfg.Prefix != "a/b/" || !strings.HasSuffix(cfg.Mountpoint, "/rel/dir") || !strings.HasPrefix(cfg.Mountpoint, "/") {
		t.Errorf("arguments: bucket %q prefix %q mountpoint %q", cfg.Bucket, cfg.Prefix, cfg.Mountpoint)
	}
	if cfg.UID != 1000 || cfg.GID != 2000 || cfg.FileMode != 0o440 || cfg.DirMode != 0o550 {
		t.Errorf("ownership/modes: uid %d gid %d file %o dir %o", cfg.UID, cfg.GID, cfg.FileMode, cfg.DirMode)
	}
	if cfg.MetadataTTL != 10*time.Second || cfg.PrefetchSize != 8<<20 || cfg.MemoryBudget != 1<<30 ||
		cfg.SignatureVersion != 1 || !cfg.AllowOther {
		t.Errorf("flags not applied: %+v", cfg)
	}
}

func TestParseMountConfigErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--region=r", "bkt"}, "expected BUCKET[:/PREFIX] MOUNTPOINT"},
		{[]string{"bkt", "/mnt"}, "no endpoint"},
		{[]string{"--region=r", "Bad_Bucket", "/mnt"}, "not a valid bucket name"},
		{[]string{"--region=r", "bkt:prefix", "/mnt"}, "must start with '/'"},
		{[]string{"--region=r", "bkt:/a/../b", "/mnt"}, "'..'"},
		{[]string{"--region=r", "--signature-version=2", "bkt", "/mnt"}, "must be 1 or 4"},
		{[]string{"--region=r", "--file-mode=999", "bkt", "/mnt"}, "octal"},
		{[]string{"--region=r", "--uid=-5", "bkt", "/mnt"}, "not a valid id"},
		{[]string{"--region=r", "--prefetch-size=lots", "bkt", "/mnt"}, "byte count"},
		{[]string{"--region=r", "--cache-entries=0", "bkt", "/mnt"}, "at least 1"},
		{[]string{"--region=r", "--role-arn=x", "--ecs-ram-role=auto", "bkt", "/mnt"}, "exclude each other"},
		{[]string{"--region=r", "--memory-budget=0", "bkt", "/mnt"}, "greater than 0"},
		{[]string{"--region=r", "--prefetch-size=0MiB", "bkt", "/mnt"}, "greater than 0"},
		{[]string{"--region=r", "--role-arn=x", "--credential-duration=0s", "bkt", "/mnt"}, "greater than 0"},
		{[]string{"--region=r", "--uid=4294967295", "bkt", "/mnt"}, "not a valid id"},
		{[]string{"--region=r", "--gid=4294967295", "bkt", "/mnt"}, "not a valid id"},
		{[]string{"--region=r", "--policy-file=/p.json", "bkt", "/mnt"}, "--policy-file only applies to --role-arn"},
		{[]string{"--region=r", "--external-id=e", "bkt", "/mnt"}, "--external-id only applies to --role-arn"},
		{[]string{"--region=r", "--credential-duration=1h", "bkt", "/mnt"}, "--credential-duration only applies to --role-arn"},
		{[]string{"--region=r", "--role-session-name=ossfs", "bkt", "/mnt"}, "--role-session-name only applies to --role-arn"},
		{[]string{"--region=r", "--ecs-ram-role=auto", "--passwd-file=/p", "bkt", "/mnt"}, "drop one of them"},
	}
	for _, tc := range cases {
		_, err := parseArgs(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}

func TestParseBucketArg(t *testing.T) {
	cases := []struct{ in, bucket, prefix string }{
		{"abc", "abc", ""},
		{"abc:/", "abc", ""},
		{"abc:/data", "abc", "data/"},
		{"abc:/data/2024/", "abc", "data/2024/"},
	}
	for _, tc := range cases {
		b, p, err := parseBucketArg(tc.in)
		if err != nil || b != tc.bucket || p != tc.prefix {
			t.Errorf("parseBucketArg(%q) = %q, %q, %v; want %q, %q", tc.in, b, p, err, tc.bucket, tc.prefix)
		}
	}
	for _, bad := range []string{"", "ab", "-abc", "abc-", "ABC", "a.b.c", "abc:/a//b", "abc:/./x"} {
		if _, _, err := parseBucketArg(bad); err == nil {
			t.Errorf("parseBucketArg(%q) accepted", bad)
		}
	}
}

func TestParseSize(t *testing.T) {
	cases := map[string]int64{"0": 0, "4096": 4096, "7B": 7, "2kb": 2 << 10, "1K": 1 << 10, "64M": 64 << 20, "64MiB": 64 << 20,
		"64MB": 64 << 20, "2G": 2 << 30, "1gib": 1 << 30, " 8 KiB ": 8 << 10}
	for in, want := range cases {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "M", "-1", "1T", "1iB", "1BiB", "1KK", "1MiBB", "1.5M", "99999999999999999999", "9999999999G"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}
