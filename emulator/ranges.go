package emulator

import (
	"strconv"
	"strings"
)

// byteRange is the outcome of a Range header against an object size.
type byteRange struct {
	start, end int64 // inclusive; meaningful when partial
	partial    bool  // answer 206 with Content-Range
	bad        bool  // answer 416 InvalidRange
}

// parseRange applies OSS rules (protocol §8.4): only the first range
// counts; an invalid or unsatisfiable range yields the whole object with 200
// unless standard (x-oss-range-behavior: standard) is set, which clips an
// end beyond the size and refuses a start at or beyond it with 416.
func parseRange(h string, size int64, standard bool) byteRange {
	whole := byteRange{}
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if h == "" || !ok {
		return whole
	}
	spec, _, _ = strings.Cut(spec, ",")
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return whole
	}
	num := func(s string) (int64, bool) {
		if s == "" || strings.TrimLeft(s, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	switch {
	case first == "": // suffix: the last n bytes
		n, ok := num(last)
		if !ok || n == 0 {
			return whole
		}
		if n > size {
			if !standard || size == 0 {
				if standard {
					return byteRange{bad: true}
				}
				return whole
			}
			n = size
		}
		return byteRange{start: size - n, end: size - 1, partial: true}
	default:
		a, ok := num(first)
		if !ok {
			return whole
		}
		b := size - 1
		if last != "" {
			if b, ok = num(last); !ok || b < a {
				return whole
			}
		}
		if a >= size {
			if standard {
				return byteRange{bad: true}
			}
			return whole
		}
		if b >= size {
			if !standard && last != "" {
				return whole
			}
			b = size - 1
		}
		return byteRange{start: a, end: b, partial: true}
	}
}
