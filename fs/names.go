package fs

import "strings"

// maxNameLen is the longest file name Linux accepts (NAME_MAX).
const maxNameLen = 255

// validName reports whether one path component of a key can be a file name:
// not empty, not "." or "..", at most 255 bytes, no '/' and no NUL.
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && len(name) <= maxNameLen &&
		!strings.ContainsAny(name, "/\x00")
}

// dirPrefix is the LIST prefix of the directory whose key is dir: "" for the
// bucket root, else dir + "/".
func dirPrefix(dir string) string {
	if dir == "" {
		return ""
	}
	return dir + "/"
}

// childKey is the key of entry name inside directory dir.
func childKey(dir, name string) string {
	return dirPrefix(dir) + name
}

// parentKey is the directory key that holds key ("" for top-level keys).
func parentKey(key string) string {
	i := strings.LastIndexByte(key, '/')
	if i < 0 {
		return ""
	}
	return key[:i]
}

// cleanPrefix turns a user-given mount prefix ("/data/", "data") into the
// root directory key ("data"); "" mounts the whole bucket. ok is false when
// the prefix has a component that cannot be a directory name.
func cleanPrefix(p string) (key string, ok bool) {
	p = strings.Trim(p, "/")
	if p == "" {
		return "", true
	}
	for _, c := range strings.Split(p, "/") {
		if !validName(c) {
			return "", false
		}
	}
	return p, true
}
