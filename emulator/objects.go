package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ossfs/ossfs/internal/pct"
)

// resolve follows one symlink level as OSS does for GET and HEAD.
func resolve(b *bucket, o *object) (*object, *ossError) {
	if o.objType != "Symlink" {
		return o, nil
	}
	t := b.get(o.target)
	if t == nil {
		return nil, errTargetMissing.with("Key", o.key)
	}
	if t.objType == "Symlink" {
		return nil, errTargetType.with("Key", o.key)
	}
	return t, nil
}

// setObjectHeaders writes HEAD/GET headers: content facts from the data
// object, user metadata from the link when there is one.
func setObjectHeaders(h http.Header, link, data *object) {
	lm := data.lastModified
	if link.lastModified.After(lm) {
		lm = link.lastModified
	}
	h.Set("ETag", data.etag)
	h.Set("Last-Modified", lm.Format(http1123))
	h.Set("Content-Type", data.contentType)
	h.Set("Accept-Ranges", "bytes")
	h.Set("x-oss-object-type", link.objType)
	h.Set("x-oss-storage-class", data.storageClass)
	if data.crc64 != "" {
		h.Set("x-oss-hash-crc64ecma", data.crc64)
	}
	if data.contentMD5 != "" {
		h.Set("Content-MD5", data.contentMD5)
	}
	if rh := data.restoreHeader(); rh != "" {
		h.Set("x-oss-restore", rh)
	}
	for k, v := range link.meta {
		h.Set("x-oss-meta-"+k, v)
	}
}

// checkConditions applies RFC 7232 order: If-Match, else
// If-Unmodified-Since (412); then If-None-Match, else If-Modified-Since (304).
// It also names the header that decided.
func checkConditions(r *http.Request, etag string, lm time.Time) (status int, header string) {
	if im := r.Header.Get("If-Match"); im != "" {
		if !etagListMatches(im, etag) {
			return http.StatusPreconditionFailed, "If-Match"
		}
	} else if ius := r.Header.Get("If-Unmodified-Since"); ius != "" {
		if t, err := http.ParseTime(ius); err == nil && lm.After(t) {
			return http.StatusPreconditionFailed, "If-Unmodified-Since"
		}
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if etagListMatches(inm, etag) {
			return http.StatusNotModified, "If-None-Match"
		}
	} else if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !lm.After(t) {
			return http.StatusNotModified, "If-Modified-Since"
		}
	}
	return 0, ""
}

func etagListMatches(list, etag string) bool {
	want := strings.Trim(etag, `"`)
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		if e == "*" || strings.Trim(strings.TrimPrefix(e, "W/"), `"`) == want {
			return true
		}
	}
	return false
}

var responseOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

// getObject serves GET and HEAD. The body is written straight from the
// stored slice; d injects a reset or stall part-way through it.
func (s *Server) getObject(w http.ResponseWriter, r *http.Request, b *bucket, q *ossReq, d draw, f Faults) {
	link := b.get(q.key)
	if link == nil {
		writeError(w, r, errNoSuchKey.with("Key", q.key))
		return
	}
	o, oerr := resolve(b, link)
	if oerr != nil {
		writeError(w, r, oerr)
		return
	}
	lm := o.lastModified
	if link.lastModified.After(lm) {
		lm = link.lastModified
	}
	if r.Method == http.MethodGet && o.isArchive() && !o.restored {
		writeError(w, r, errNotRestored.with("Key", q.key))
		return
	}
	switch status, cond := checkConditions(r, o.etag, lm); status {
	case http.StatusPreconditionFailed:
		writeError(w, r, errPrecondition.with("Condition", cond))
		return
	case http.StatusNotModified:
		h := w.Header()
		h.Set("ETag", o.etag)
		h.Set("Last-Modified", lm.Format(http1123))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h := w.Header()
	setObjectHeaders(h, link, o)
	for param, header := range responseOverrides {
		if v := q.query.Get(param); v != "" {
			h.Set(header, v)
		}
	}
	size := int64(len(o.data))
	data := o.data
	status := http.StatusOK
	if rng := r.Header.Get("Range"); rng != "" {
		br := parseRange(rng, size, strings.EqualFold(r.Header.Get("x-oss-range-behavior"), "standard"))
		switch {
		case br.bad:
			writeError(w, r, errInvalidRange.with("RangeRequested", rng).with("ActualObjectSize", strconv.FormatInt(size, 10)))
			return
		case br.partial:
			data = o.data[br.start : br.end+1]
			status = http.StatusPartialContent
			h.Set("Content-Range", "bytes "+strconv.FormatInt(br.start, 10)+"-"+strconv.FormatInt(br.end, 10)+"/"+strconv.FormatInt(size, 10))
			h.Del("Content-MD5") // describes the whole object only
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if d.reset || d.stall {
		n := int(float64(len(data)) * d.cut)
		w.Write(data[:n])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		if d.reset {
			panic(http.ErrAbortHandler) // net/http closes the connection mid-body
		}
		if !sleepCtx(r, f.StallFor) {
			return
		}
		data = data[n:]
	}
	io.Copy(w, bytes.NewReader(data))
}

// getObjectMeta is HEAD ?objectMeta: the reduced header set.
func (s *Server) getObjectMeta(w http.ResponseWriter, r *http.Request, b *bucket, q *ossReq) {
	o := b.get(q.key)
	if o == nil {
		writeError(w, r, errNoSuchKey.with("Key", q.key))
		return
	}
	h := w.Header()
	h.Set("ETag", o.etag)
	h.Set("Last-Modified", o.lastModified.Format(http1123))
	h.Set("Content-Length", strconv.Itoa(len(o.data)))
	if o.crc64 != "" {
		h.Set("x-oss-hash-crc64ecma", o.crc64)
	}
	w.WriteHeader(http.StatusOK)
}

// maxPutSize is OSS's single PutObject limit.
const maxPutSize = 5 << 30

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, b *bucket, q *ossReq) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPutSize))
	if err != nil {
		writeError(w, r, invalidArg("The request body could not be read.", "body", ""))
		return
	}
	if cm := r.Header.Get("Content-MD5"); cm != "" {
		sum := md5.Sum(data)
		if cm != base64.StdEncoding.EncodeToString(sum[:]) {
			writeError(w, r, errInvalidDigest)
			return
		}
	}
	opts, oerr := headerOptions(r.Header)
	if oerr != nil {
		writeError(w, r, oerr)
		return
	}
	o := s.newObject(q.key, data, opts)
	b.put(o)
	h := w.Header()
	h.Set("ETag", o.etag)
	h.Set("x-oss-hash-crc64ecma", o.crc64)
	h.Set("Content-MD5", o.contentMD5)
	w.WriteHeader(http.StatusOK)
}

// headerOptions maps PutObject/PutSymlink headers to object options.
func headerOptions(hd http.Header) ([]ObjectOption, *ossError) {
	var opts []ObjectOption
	if ct := hd.Get("Content-Type"); ct != "" {
		opts = append(opts, WithContentType(ct))
	}
	meta := map[string]string{}
	for name, vals := range hd {
		if lname := strings.ToLower(name); strings.HasPrefix(lname, "x-oss-meta-") && len(vals) > 0 {
			meta[strings.TrimPrefix(lname, "x-oss-meta-")] = vals[0]
		}
	}
	if len(meta) > 0 {
		opts = append(opts, WithMetadata(meta))
	}
	if sc := hd.Get("x-oss-storage-class"); sc != "" {
		switch strings.ToLower(sc) {
		case "standard", "ia", "archive", "coldarchive", "deepcoldarchive":
			opts = append(opts, WithStorageClass(sc))
		default:
			return nil, invalidArg("Invalid storage class.", "x-oss-storage-class", sc)
		}
	}
	return opts, nil
}

func (s *Server) putSymlink(w http.ResponseWriter, r *http.Request, b *bucket, q *ossReq) {
	raw := r.Header.Get("x-oss-symlink-target")
	if raw == "" {
		writeError(w, r, invalidArg("The symlink target is missing.", "x-oss-symlink-target", ""))
		return
	}
	// Clients may percent-encode the target; a raw one that does not
	// decode is taken as is.
	target, err := url.PathUnescape(raw)
	if err != nil {
		target = raw
	}
	if validKey(target) != nil {
		writeError(w, r, invalidArg("The symlink target is invalid.", "x-oss-symlink-target", raw))
		return
	}
	opts, oerr := headerOptions(r.Header)
	if oerr != nil {
		writeError(w, r, oerr)
		return
	}
	o := s.newObject(q.key, nil, opts)
	o.objType, o.target = "Symlink", target
	b.put(o)
	w.Header().Set("ETag", o.etag)
	w.WriteHeader(http.StatusOK)
}

func (s *Server) getSymlink(w http.ResponseWriter, r *http.Request, b *bucket, q *ossReq) {
	o := b.get(q.key)
	if o == nil {
		writeError(w, r, errNoSuchKey.with("Key", q.key))
		return
	}
	if o.objType != "Symlink" {
		writeError(w, r, errNotSymlink.with("Key", q.key))
		return
	}
	h := w.Header()
	h.Set("x-oss-symlink-target", pct.EncodePath(o.target))
	h.Set("ETag", o.etag)
	h.Set("Last-Modified", o.lastModified.Format(http1123))
	for k, v := range o.meta {
		h.Set("x-oss-meta-"+k, v)
	}
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}
