package integration

import (
	"errors"
	"os"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/ossfs/ossfs/fs"
)

// Issue 6, scenario 5: hostile keys. Every key that can be a path is
// listed and readable with its own bytes; every one that cannot is skipped
// and logged once; nothing crashes.

// hostileKeys returns the valid and the invalid keys of the corpus.
func hostileKeys() (valid, invalid []string) {
	long255 := strings.Repeat("a", 255)
	multi255 := strings.Repeat("日", 85) // 255 bytes
	long256 := strings.Repeat("c", 256)
	k1023 := "k1023"
	for len(k1023) < 1023 {
		k1023 += "/" + strings.Repeat("b", min(200, 1023-len(k1023)-1))
	}
	valid = []string{
		"unicode/caf\u00e9-nfc", "unicode/cafe\u0301-nfd", "unicode/日本語.txt", "unicode/Ελληνικά",
		"unicode/\ufb01 ligature", "unicode/a\u200bzero-width", "unicode/\ufeffbom",
		"emoji/😀.txt", "emoji/👨\u200d👩\u200d👧\u200d👦 family",
		"spaces/ leading", "spaces/trailing ", "spaces/in the middle", "spaces/  ", "spaces/ ",
		"ctrl/new\nline", "ctrl/tab\there", "ctrl/cr\r\n", "ctrl/esc\x1b[31mred", "ctrl/del\x7f",
		"punct/100%", "punct/%41%2F", "punct/%00", "punct/a+b", "punct/+", "punct/#hash",
		"punct/what?", "punct/?x=1&y=2", "punct/back\\slash", "punct/semi;colon", "punct/quote\"s'",
		"punct/<angle>", "punct/*star", "punct/~tilde", "punct/-dash", "punct/$HOME", "punct/`cmd`",
		"punct/...", "punct/.hidden", "punct/..x", "punct/x..",
		"xml/&lt;&amp;", "xml/]]>", "xml/<![CDATA[x",
		"long/" + long255, "long/" + multi255, k1023,
		"case/README", "case/readme", "case/ReadMe", "case/\u00c4", "case/\u00e4",
		"marker-with-data/", "marker-with-data/child",
		"shadow/a", "shadow/a/inner", // the file "a" is hidden by the directory
	}
	invalid = []string{
		"bad/a//b", "bad/x/.", "bad/x/..", "bad/./y", "bad/../y", "bad/trail//",
		"long/" + long256, "bad/" + long256 + "/child",
	}
	return valid, invalid
}

// expectedTree is what the mount must show for keys: directories and the
// files with their content (the key itself).
func expectedTree(keys []string) (dirs map[string]bool, files map[string]string) {
	dirs, files = map[string]bool{}, map[string]string{}
	for _, k := range keys {
		comps := strings.Split(k, "/")
		ok := true
		for i, c := range comps[:len(comps)-1] {
			if c == "" || c == "." || c == ".." || len(c) > 255 {
				ok = false
				break
			}
			dirs[strings.Join(comps[:i+1], "/")] = true
		}
		last := comps[len(comps)-1]
		if ok && last != "" && last != "." && last != ".." && len(last) <= 255 {
			files[k] = k
		}
	}
	for k := range files {
		if dirs[k] {
			delete(files, k) // a directory shadows the file
		}
	}
	return dirs, files
}

func TestHostileKeys(t *testing.T) {
	valid, invalid := hostileKeys()
	if n := len(valid) + len(invalid); n < 40 {
		t.Fatalf("corpus has %d keys, want at least 40", n)
	}
	objs := map[string]string{}
	for _, k := range append(append([]string{}, valid...), invalid...) {
		objs[k] = k
	}
	// No caching: every pass lists and looks up again, so "logged once"
	// is the logger's doing, not the cache's.
	_, m := setup(t, objs, fs.Options{MetadataTTL: -1, NegativeTTL: -1})
	wantDirs, wantFiles := expectedTree(append(append([]string{}, valid...), invalid...))

	for pass := range 2 {
		// find -print0 copes with every byte but '/' and NUL in names.
		out := mustSh(t, "find", m.dir, "-mindepth", "1", "-printf", "%y %P\\0")
		gotDirs, gotFiles := map[string]bool{}, map[string]bool{}
		for _, e := range strings.Split(strings.TrimSuffix(out, "\x00"), "\x00") {
			typ, p, _ := strings.Cut(e, " ")
			switch typ {
			case "d":
				gotDirs[p] = true
			case "f":
				gotFiles[p] = true
			default:
				t.Errorf("pass %d: unexpected entry type %q for %q", pass, typ, p)
			}
		}
		for d := range wantDirs {
			if !gotDirs[d] {
				t.Errorf("pass %d: directory %q not listed", pass, d)
			}
		}
		for d := range gotDirs {
			if !wantDirs[d] {
				t.Errorf("pass %d: unexpected directory %q", pass, d)
			}
		}
		for f := range wantFiles {
			if !gotFiles[f] {
				t.Errorf("pass %d: file %q not listed", pass, f)
			}
		}
		for f := range gotFiles {
			if _, ok := wantFiles[f]; !ok {
				t.Errorf("pass %d: unexpected file %q", pass, f)
			}
		}
		for f, content := range wantFiles {
			got, err := os.ReadFile(m.path(f))
			if err != nil || string(got) != content {
				t.Errorf("pass %d: read %q = %q, %v; want its key", pass, f, got, err)
			}
		}
	}

	// Invalid keys cannot be reached by path either.
	for _, p := range []string{"bad/x/.", "long/" + strings.Repeat("c", 256)} {
		if _, err := os.ReadFile(m.path(p)); err == nil {
			t.Errorf("read of invalid %q succeeded", p)
		}
	}
	if _, err := os.ReadFile(m.path("shadow/a")); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("read of the shadowed file: %v, want EISDIR", err)
	}

	// Each invalid key logged exactly once over both passes; the logged
	// key is the key itself, or the unusable prefix that holds it.
	skips := m.log.records("skipping key")
	for _, bad := range invalid {
		n := 0
		for _, r := range skips {
			k := r.Attrs["key"]
			if k == bad || strings.HasSuffix(k, "/") && strings.HasPrefix(bad, k) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("invalid key %q logged %d times, want once", bad, n)
		}
	}
	var logged []string
	for _, r := range skips {
		logged = append(logged, r.Attrs["key"])
	}
	sort.Strings(logged)
	t.Logf("skipped keys logged: %q", logged)
	if n := len(m.log.records("hidden by a directory")); n != 1 {
		t.Errorf("shadowed file logged %d times, want once\n%s", n, m.log)
	}
	if _, err := os.Stat(m.dir); err != nil {
		t.Fatalf("mount gone after the corpus: %v", err)
	}
}
