package mountinfo

import (
	"strings"
	"testing"
)

const sampleMountinfo = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
36 22 0:30 / /mnt/my\040data rw,nosuid - fuse.ossfs ossfs:bkt ro,user_id=0,group_id=0
37 22 0:31 / /mnt/plain rw master:2 - tmpfs tmpfs rw
38 37 0:32 / /mnt/plain rw - fuse.ossfs bkt rw
`

func TestFind(t *testing.T) {
	cases := []struct {
		dir, fstype string
		ok          bool
	}{
		{"/", "ext4", true},
		{"/mnt/my data", "fuse.ossfs", true},
		{"/mnt/plain", "fuse.ossfs", true}, // stacked: the last one is in view
		{"/mnt", "", false},
		{"/mnt/my", "", false},
	}
	for _, tc := range cases {
		fstype, ok, err := Find(strings.NewReader(sampleMountinfo), tc.dir)
		if err != nil || ok != tc.ok || fstype != tc.fstype {
			t.Errorf("Find(%q) = %q, %v, %v; want %q, %v", tc.dir, fstype, ok, err, tc.fstype, tc.ok)
		}
	}
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{`/a\040b`: "/a b", `/t\011ab`: "/t\tab", `/back\134slash`: `/back\slash`, `/end\04`: `/end\04`, `/x`: "/x"} {
		if got := unescape(in); got != want {
			t.Errorf("unescape(%q) = %q, want %q", in, got, want)
		}
	}
}
