package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func mountFlagSets() (boolFlags, valueFlags map[string]bool) {
	boolFlags, valueFlags = map[string]bool{}, map[string]bool{}
	for _, f := range mountFlags() {
		if _, ok := f.(*cli.BoolFlag); ok {
			boolFlags[f.Names()[0]] = true
		} else {
			valueFlags[f.Names()[0]] = true
		}
	}
	return boolFlags, valueFlags
}

func TestParseLegacy(t *testing.T) {
	b, v := mountFlagSets()
	cases := []struct {
		args       []string
		foreground bool
		want       []string
	}{
		// What mount.fuse3 runs for an fstab line.
		{[]string{"bkt:/data", "/mnt/oss", "-o", "rw,_netdev,nofail,allow_other,url=https://oss-cn-hangzhou.aliyuncs.com,x-systemd.automount"}, false,
			[]string{"--allow-other", "--endpoint=https://oss-cn-hangzhou.aliyuncs.com", "bkt:/data", "/mnt/oss"}},
		{[]string{"-f", "-ouid=1000,gid=1000", "bkt", "/mnt", "-o", "umask=022", "-o", "sigv4,region=cn-beijing"}, true,
			[]string{"--uid=1000", "--gid=1000", "--umask=022", "--signature-version=4", "--region=cn-beijing", "bkt", "/mnt"}},
		{[]string{"bkt", "/mnt", "-o", "use_path_request_style,passwd_file=/etc/passwd-ossfs,max_stat_cache_size=500,stat_cache_expire=30"}, false,
			[]string{"--path-style", "--passwd-file=/etc/passwd-ossfs", "--cache-entries=500", "--metadata-ttl=30s", "bkt", "/mnt"}},
		{[]string{"bkt", "/mnt", "-o", "ram_role"}, false, []string{"--ecs-ram-role=auto", "bkt", "/mnt"}},
		{[]string{"bkt", "/mnt", "-o", "ram_role=reader"}, false, []string{"--ecs-ram-role=reader", "bkt", "/mnt"}},
		{[]string{"bkt", "/mnt", "-o", "ram_role=http://100.100.100.200/latest/meta-data/ram/security-credentials/reader"}, false,
			[]string{"--ecs-ram-role=reader", "--ecs-metadata-endpoint=http://100.100.100.200", "bkt", "/mnt"}},
		// Our own option names, with '_' or '-'.
		{[]string{"bkt", "/mnt", "-o", "role_arn=acs:ram::1:role/r,sts-endpoint=https://sts.cn-hangzhou.aliyuncs.com,path_style=false"}, false,
			[]string{"--role-arn=acs:ram::1:role/r", "--sts-endpoint=https://sts.cn-hangzhou.aliyuncs.com", "--path-style=false", "bkt", "/mnt"}},
		{[]string{"-d", "bkt", "/mnt"}, true, []string{"--log-level=debug", "bkt", "/mnt"}},
	}
	for _, tc := range cases {
		la, err := parseLegacy(tc.args, b, v)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if la.Foreground != tc.foreground || !reflect.DeepEqual(la.MountArgs, tc.want) {
			t.Errorf("%q:\n got fg=%v %q\nwant fg=%v %q", tc.args, la.Foreground, la.MountArgs, tc.foreground, tc.want)
		}
	}
}

func TestParseLegacyErrors(t *testing.T) {
	b, v := mountFlagSets()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"bkt", "/mnt", "-o", "nosuchopt"}, `unknown -o option "nosuchopt"`},
		{[]string{"bkt", "/mnt", "-o", "ready_fd=3"}, "unknown -o option"},
		{[]string{"bkt", "/mnt", "-o", "url"}, "needs a value"},
		{[]string{"bkt", "/mnt", "-o", "stat_cache_expire=soon"}, "whole seconds"},
		{[]string{"bkt", "/mnt", "-o", "ram_role=http://x/other"}, "must end in"},
		{[]string{"bkt", "/mnt", "-o"}, "-o needs a value"},
		{[]string{"bkt", "/mnt", "--bogus"}, `unknown option "--bogus"`},
		{[]string{"bkt"}, "expected BUCKET"},
		{[]string{"bkt", "/mnt", "-o", "allow_other=maybe"}, "want true or false"},
	}
	for _, tc := range cases {
		_, err := parseLegacy(tc.args, b, v)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want error containing %q", tc.args, err, tc.want)
		}
	}
}

// The translated argv must parse with the mount command into the config
// the 1.x options mean.
func TestLegacyTranslationParses(t *testing.T) {
	b, v := mountFlagSets()
	la, err := parseLegacy([]string{"bkt:/x", "/mnt", "-o", "ro,url=http://127.0.0.1:1,use_path_request_style,uid=7,gid=8,umask=077,stat_cache_expire=12,sigv4,region=cn-x"}, b, v)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseArgs(t, la.MountArgs...)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Endpoint != "http://127.0.0.1:1" || !cfg.PathStyle || cfg.UID != 7 || cfg.GID != 8 ||
		cfg.FileMode != 0o400 || cfg.DirMode != 0o500 || cfg.MetadataTTL.Seconds() != 12 ||
		cfg.Region != "cn-x" || cfg.Prefix != "x/" {
		t.Errorf("translated config wrong: %+v", cfg)
	}
}

func TestIsLegacyForm(t *testing.T) {
	for args, want := range map[string]bool{
		"mount b /m": false, "emulator": false, "demo /m": false, "version": false, "--help": false,
		"b /m": true, "b:/p /m -o ro": true, "": false,
	} {
		if got := isLegacyForm(strings.Fields(args)); got != want {
			t.Errorf("isLegacyForm(%q) = %v", args, got)
		}
	}
}
