package creds

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// SystemPasswdFile is the system-wide ossfs 1.x passwd file, the one file
// allowed to be group-readable (0640).
const SystemPasswdFile = "/etc/passwd-ossfs"

// NewPasswdFile reads keys for bucket from an ossfs 1.x passwd file
// (protocol.md §12): "bucket:AccessKeyId:AccessKeySecret" lines, a
// bucket-less "AccessKeyId:AccessKeySecret" default line, or the
// OSSAccessKeyId=/OSSSecretKey= pair, which wins when present. Like ossfs
// 1.x it refuses a file others can access (and, except /etc/passwd-ossfs,
// one its group can access), lines with spaces, "[section]" lines and
// duplicate buckets. A missing file matches ErrNotConfigured.
// Errors name the file and line, never its content.
func NewPasswdFile(path, bucket string) (Provider, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("passwd file %s: %w (%w)", path, ErrNotConfigured, err)
		}
		return nil, fmt.Errorf("passwd file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat() // the opened file, not the path: no race with a swap
	if err != nil {
		return nil, fmt.Errorf("passwd file: %w", err)
	}
	if err := checkPasswdMode(path, st.Mode()); err != nil {
		return nil, err
	}
	c, err := parsePasswd(path, f, bucket)
	if err != nil {
		return nil, err
	}
	return namedStatic{name: "passwd:" + path, c: c}, nil
}

// checkPasswdMode applies ossfs 1.x's start-up check.
func checkPasswdMode(path string, m fs.FileMode) error {
	if !m.IsRegular() {
		return fmt.Errorf("passwd file %s: not a regular file", path)
	}
	perm := m.Perm()
	want := "0600"
	bad := perm&0o007 != 0 || perm&0o110 != 0
	if path == SystemPasswdFile {
		want = "0640"
		bad = bad || perm&0o020 != 0
	} else {
		bad = bad || perm&0o070 != 0
	}
	if bad {
		return fmt.Errorf("passwd file %s has mode %04o: others may read or change it; refusing it as ossfs does (chmod %s %s)", path, perm, want, path)
	}
	return nil
}

type passwdEntry struct{ id, secret string }

// parsePasswd reads every line (so every format error is reported, as ossfs
// does) and then picks the entry for bucket.
func parsePasswd(path string, f *os.File, bucket string) (Credentials, error) {
	entries := map[string]passwdEntry{} // "" is the default entry
	kv := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		at := func(msg string) error { return fmt.Errorf("passwd file %s line %d: %s", path, n, msg) }
		if strings.ContainsAny(line, " \t") {
			return Credentials{}, at("contains a space or tab")
		}
		if line[0] == '[' {
			return Credentials{}, at(`"[section]" lines are not supported`)
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			kv[k] = v
			continue
		}
		first, last := strings.IndexByte(line, ':'), strings.LastIndexByte(line, ':')
		if first < 0 {
			return Credentials{}, at(`want "bucket:AccessKeyId:AccessKeySecret" or "AccessKeyId:AccessKeySecret"`)
		}
		b, e := "", passwdEntry{id: line[:first], secret: line[last+1:]}
		if first != last {
			b, e.id = line[:first], line[first+1:last]
			if b == "" {
				return Credentials{}, at("empty bucket name")
			}
		}
		if e.id == "" || e.secret == "" {
			return Credentials{}, at("empty AccessKeyId or AccessKeySecret")
		}
		if _, dup := entries[b]; dup {
			if b == "" {
				return Credentials{}, at("second default (bucket-less) entry")
			}
			return Credentials{}, at(fmt.Sprintf("second entry for bucket %q", b))
		}
		entries[b] = e
	}
	if err := sc.Err(); err != nil {
		return Credentials{}, fmt.Errorf("passwd file %s: %w", path, err)
	}
	id, secret := kv["OSSAccessKeyId"], kv["OSSSecretKey"]
	switch {
	case id != "" && secret != "":
		return Credentials{AccessKeyID: id, AccessKeySecret: secret}, nil
	case id != "" || secret != "":
		return Credentials{}, fmt.Errorf("passwd file %s: OSSAccessKeyId and OSSSecretKey must be set together", path)
	}
	if e, ok := entries[bucket]; ok && bucket != "" {
		return Credentials{AccessKeyID: e.id, AccessKeySecret: e.secret}, nil
	}
	if e, ok := entries[""]; ok {
		return Credentials{AccessKeyID: e.id, AccessKeySecret: e.secret}, nil
	}
	return Credentials{}, fmt.Errorf("passwd file %s: no entry for bucket %q and no default entry", path, bucket)
}
