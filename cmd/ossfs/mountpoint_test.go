package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sampleMountinfo = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
36 22 0:30 / /mnt/my\040data rw,nosuid - fuse.ossfs ossfs:bkt ro,user_id=0,group_id=0
37 22 0:31 / /mnt/plain rw master:2 - tmpfs tmpfs rw
`

func TestFindMount(t *testing.T) {
	cases := []struct {
		dir, fstype string
		ok          bool
	}{
		{"/", "ext4", true},
		{"/mnt/my data", "fuse.ossfs", true},
		{"/mnt/plain", "tmpfs", true},
		{"/mnt", "", false},
		{"/mnt/my", "", false},
	}
	for _, tc := range cases {
		fstype, ok, err := findMount(strings.NewReader(sampleMountinfo), tc.dir)
		if err != nil || ok != tc.ok || fstype != tc.fstype {
			t.Errorf("findMount(%q) = %q, %v, %v; want %q, %v", tc.dir, fstype, ok, err, tc.fstype, tc.ok)
		}
	}
}

func TestUnescapeMountinfo(t *testing.T) {
	for in, want := range map[string]string{`/a\040b`: "/a b", `/t\011ab`: "/t\tab", `/back\134slash`: `/back\slash`, `/end\04`: `/end\04`, `/x`: "/x"} {
		if got := unescapeMountinfo(in); got != want {
			t.Errorf("unescapeMountinfo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckMountpoint(t *testing.T) {
	dir := t.TempDir()
	if err := checkMountpoint(dir); err != nil {
		t.Errorf("empty temp dir refused: %v", err)
	}
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		filepath.Join(dir, "missing"): "does not exist",
		file:                          "is not a directory",
		"/proc":                       "is already a mount (proc)",
	} {
		err := checkMountpoint(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkMountpoint(%s) = %v, want error containing %q", path, err, want)
		}
	}
}
