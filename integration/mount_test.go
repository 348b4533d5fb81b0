package integration

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ossfs/ossfs/emulator"
	"github.com/ossfs/ossfs/fs"
)

// Issue 4: the mount used the way people use it, with what each command
// costs in requests.

// basicTree is a small bucket with a nested directory, a marker, an empty
// file and an implicit directory.
var basicTree = map[string]string{
	"docs/a.txt":       "hello, world\n",
	"docs/sub/b.txt":   "bee\n",
	"docs/sub/c.txt":   "sea\n",
	"docs/empty":       "",
	"marked/":          "",
	"marked/x":         "x",
	"top.txt":          "top\n",
	"deep/1/2/3/4.txt": "four\n",
}

func TestLsLongCostsListPagesOnly(t *testing.T) {
	const n = 2500
	objs := map[string]string{}
	for i := range n {
		objs[fmt.Sprintf("big/f%05d", i)] = "x"
	}
	srv, m := setup(t, objs, fs.Options{})
	// Resolve "big" itself first; its lookup is the stat case below.
	mustSh(t, "stat", m.path("big"))
	srv.ResetCounts()

	out := mustSh(t, "ls", "-l", m.path("big"))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != n+1 { // "total" + one line per entry
		t.Fatalf("ls -l printed %d lines, want %d", len(lines), n+1)
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "-r--r--r--") || !strings.Contains(l, " 1 ") {
			t.Fatalf("ls -l line %q: want a read-only 1-byte file", l)
		}
	}
	wantCounts(t, srv, "ls -l of 2500 entries", map[string]int64{"ListObjectsV2": (n + 999) / 1000})
}

func TestStatCosts(t *testing.T) {
	srv, m := setup(t, basicTree, fs.Options{})
	srv.ResetCounts()

	// Each uncached component costs at most one HEAD and one LIST.
	for _, p := range []string{"docs", "docs/a.txt", "docs/sub", "docs/sub/b.txt"} {
		out := mustSh(t, "stat", "-c", "%F %s %a", m.path(p))
		c := srv.Counts()
		if c["HeadObject"] > 1 || c["ListObjectsV2"] > 1 || len(c) > 2 {
			t.Errorf("stat %s (uncached): %v, want at most 1 HEAD + 1 LIST", p, c)
		}
		srv.ResetCounts()
		mustSh(t, "stat", m.path(p))
		wantCounts(t, srv, "second stat of "+p, nil)
		srv.ResetCounts()
		t.Logf("stat %s: %s", p, strings.TrimSpace(out))
	}
	if got := strings.TrimSpace(mustSh(t, "stat", "-c", "%F %s %a", m.path("docs/a.txt"))); got != "regular file 13 444" {
		t.Errorf("stat docs/a.txt = %q, want regular file 13 444", got)
	}
	if got := strings.TrimSpace(mustSh(t, "stat", "-c", "%F %a", m.path("deep/1/2"))); got != "directory 555" {
		t.Errorf("stat of an implicit directory = %q", got)
	}
	r := sh(t, time.Minute, "stat", m.path("docs/nope"))
	if r.err == nil || !strings.Contains(r.stderr, "No such file or directory") {
		t.Errorf("stat of a missing file: %v %q", r.err, r.stderr)
	}
}

func TestCatCosts(t *testing.T) {
	srv, m := setup(t, basicTree, fs.Options{})
	mustSh(t, "ls", "-l", m.path("docs"))
	srv.ResetCounts()

	if got := mustSh(t, "cat", m.path("docs/a.txt")); got != basicTree["docs/a.txt"] {
		t.Fatalf("cat = %q", got)
	}
	wantCounts(t, srv, "cat of a just-listed small file", map[string]int64{"GetObject": 1})

	srv.ResetCounts()
	if got := mustSh(t, "cat", m.path("docs/a.txt")); got != basicTree["docs/a.txt"] {
		t.Fatalf("second cat = %q", got)
	}
	wantCounts(t, srv, "warm re-read of an unchanged file", nil)

	if got := mustSh(t, "cat", m.path("docs/empty")); got != "" {
		t.Fatalf("cat of an empty object = %q", got)
	}
	if got := mustSh(t, "head", "-c", "5", m.path("docs/a.txt")); got != "hello" {
		t.Fatalf("head -c 5 = %q", got)
	}
}

func TestSha256sumOfLargeFiles(t *testing.T) {
	requireFUSE(t)
	srv := startEmulator(t, emulator.Options{})
	sizes := map[string]int64{"data/odd.bin": 5<<20 + 12345, "data/exact.bin": 8 << 20, "data/tiny.bin": 1}
	want := map[string]string{}
	for k, size := range sizes {
		if _, err := srv.PutObjectGenerated(testBucket, k, size, size); err != nil {
			t.Fatal(err)
		}
		want[k] = sha256Hex(emulator.GeneratedData(size, size))
	}
	m := mount(t, newClient(t, srv, nil, nil, nil), fs.Options{})
	var args []string
	for k := range sizes {
		args = append(args, m.path(k))
	}
	out := mustSh(t, "sha256sum", args...)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		sum, path, _ := strings.Cut(line, "  ")
		key := strings.TrimPrefix(path, m.dir+"/")
		if want[key] != sum {
			t.Errorf("sha256sum %s = %s, want %s", key, sum, want[key])
		}
	}
}

func TestFindAndCpR(t *testing.T) {
	_, m := setup(t, basicTree, fs.Options{})

	r := sh(t, time.Minute, "sh", "-c", `cd "$1" && find . -mindepth 1 -printf '%y %p\n' | sort`, "sh", m.dir)
	if r.err != nil {
		t.Fatal(r.err, r.stderr)
	}
	want := []string{
		"d ./deep", "d ./deep/1", "d ./deep/1/2", "d ./deep/1/2/3", "f ./deep/1/2/3/4.txt",
		"d ./docs", "f ./docs/a.txt", "f ./docs/empty", "d ./docs/sub", "f ./docs/sub/b.txt", "f ./docs/sub/c.txt",
		"d ./marked", "f ./marked/x", "f ./top.txt",
	}
	sort.Strings(want)
	if got := strings.Split(strings.TrimSpace(r.stdout), "\n"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("find:\n got %q\nwant %q", got, want)
	}

	dst := filepath.Join(t.TempDir(), "copy")
	mustSh(t, "cp", "-r", m.path("docs"), dst)
	for k, v := range basicTree {
		rel, ok := strings.CutPrefix(k, "docs/")
		if !ok {
			continue
		}
		got, err := os.ReadFile(filepath.Join(dst, rel))
		if err != nil || string(got) != v {
			t.Errorf("cp -r: %s = %q, %v; want %q", rel, got, err, v)
		}
	}
}

func TestGetfattr(t *testing.T) {
	requireTool(t, "getfattr", "attr")
	requireFUSE(t)
	srv := startEmulator(t, emulator.Options{})
	info, err := srv.PutObject(testBucket, "m/file.txt", []byte("meta"),
		emulator.WithMetadata(map[string]string{"color": "blue"}), emulator.WithContentType("text/plain"))
	if err != nil {
		t.Fatal(err)
	}
	m := mount(t, newClient(t, srv, nil, nil, nil), fs.Options{})

	get := func(name string) string {
		return strings.TrimSpace(mustSh(t, "getfattr", "--only-values", "-n", name, m.path("m/file.txt")))
	}
	if got, want := get("user.oss.etag"), strings.Trim(info.ETag, `"`); got != want {
		t.Errorf("user.oss.etag = %q, want %q", got, want)
	}
	if got := get("user.oss.meta.color"); got != "blue" {
		t.Errorf("user.oss.meta.color = %q", got)
	}
	if got := get("user.oss.content_type"); got != "text/plain" {
		t.Errorf("user.oss.content_type = %q", got)
	}
	if got := get("user.oss.storage_class"); got != "Standard" {
		t.Errorf("user.oss.storage_class = %q", got)
	}
	dump := mustSh(t, "getfattr", "-d", "-m", "-", m.path("m/file.txt"))
	if !strings.Contains(dump, `user.oss.meta.color="blue"`) {
		t.Errorf("getfattr -d after a HEAD:\n%s", dump)
	}
	r := sh(t, time.Minute, "getfattr", "-n", "user.nope", m.path("m/file.txt"))
	if r.err == nil || !strings.Contains(r.stderr, "No such attribute") {
		t.Errorf("getfattr of a missing name: %v %q", r.err, r.stderr)
	}
}

func TestReadlink(t *testing.T) {
	requireFUSE(t)
	srv := startEmulator(t, emulator.Options{})
	put(t, srv, basicTree)
	for link, target := range map[string]string{"docs/link": "docs/a.txt", "docs/sub/up": "top.txt"} {
		if err := srv.PutSymlink(testBucket, link, target); err != nil {
			t.Fatal(err)
		}
	}
	m := mount(t, newClient(t, srv, nil, nil, nil), fs.Options{})

	if got := strings.TrimSpace(mustSh(t, "readlink", m.path("docs/link"))); got != "a.txt" {
		t.Errorf("readlink docs/link = %q, want a.txt", got)
	}
	if got := strings.TrimSpace(mustSh(t, "readlink", m.path("docs/sub/up"))); got != "../../top.txt" {
		t.Errorf("readlink docs/sub/up = %q, want ../../top.txt", got)
	}
	if got := mustSh(t, "cat", m.path("docs/sub/up")); got != "top\n" {
		t.Errorf("cat through the symlink = %q", got)
	}
	if got := strings.TrimSpace(mustSh(t, "stat", "-c", "%F", m.path("docs/link"))); got != "symbolic link" {
		t.Errorf("stat of a symlink: %q", got)
	}
}

func TestWritesFailReadOnly(t *testing.T) {
	srv, m := setup(t, basicTree, fs.Options{})
	mustSh(t, "ls", "-lR", m.dir)
	srv.ResetCounts()

	p := m.path
	cmds := [][]string{
		{"touch", p("new.txt")},
		{"touch", p("docs/a.txt")},
		{"sh", "-c", `echo x > "$1"`, "sh", p("docs/a.txt")},
		{"sh", "-c", `echo x >> "$1"`, "sh", p("docs/a.txt")},
		{"sh", "-c", `echo x > "$1"`, "sh", p("docs/fresh.txt")},
		{"mkdir", p("newdir")},
		{"rm", "-f", p("docs/a.txt")},
		{"rm", "-rf", p("docs/sub")},
		{"rmdir", p("marked")},
		{"mv", p("top.txt"), p("moved.txt")},
		{"ln", "-s", "a.txt", p("docs/l")},
		{"ln", p("docs/a.txt"), p("docs/hard")},
		{"chmod", "777", p("docs/a.txt")},
		{"truncate", "-s", "0", p("docs/a.txt")},
	}
	for _, c := range cmds {
		r := sh(t, time.Minute, c[0], c[1:]...)
		if r.err == nil {
			t.Errorf("%q succeeded on a read-only mount", c)
			continue
		}
		if !strings.Contains(r.stderr, "Read-only file system") {
			t.Errorf("%q: stderr %q, want \"Read-only file system\"", c, r.stderr)
		}
	}
	// Nothing changed, and nothing but reads reached the service.
	if got := mustSh(t, "cat", p("docs/a.txt")); got != basicTree["docs/a.txt"] {
		t.Errorf("docs/a.txt is now %q", got)
	}
	for api := range srv.Counts() {
		if !strings.HasPrefix(api, "Get") && !strings.HasPrefix(api, "Head") && !strings.HasPrefix(api, "List") {
			t.Errorf("a write attempt sent %s", api)
		}
	}
	if !bytes.Contains([]byte(mustSh(t, "cat", "/proc/mounts")), []byte(m.dir+" fuse.ossfs ro,")) {
		t.Errorf("mount of %s is not listed ro in /proc/mounts", m.dir)
	}
}
