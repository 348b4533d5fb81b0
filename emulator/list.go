package emulator

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/ossfs/ossfs/internal/pct"
)

const (
	defaultMaxKeys = 100
	maxMaxKeys     = 1000
	maxMarker      = 1023 // start-after and marker must be under 1024 bytes
	isoMillis      = "2006-01-02T15:04:05.000Z"
)

type listOwner struct {
	ID          string
	DisplayName string
}

type listContents struct {
	Key          string
	LastModified string
	ETag         string
	Type         string
	Size         int64
	StorageClass string
	Owner        *listOwner `xml:",omitempty"`
	RestoreInfo  string     `xml:",omitempty"`
}

type listPrefix struct {
	Prefix string
}

type listResult struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	Name                  string
	Prefix                string
	Marker                *string `xml:",omitempty"`
	StartAfter            *string `xml:",omitempty"`
	ContinuationToken     *string `xml:",omitempty"`
	MaxKeys               int
	Delimiter             *string `xml:",omitempty"`
	EncodingType          *string `xml:",omitempty"`
	IsTruncated           bool
	NextMarker            *string `xml:",omitempty"`
	NextContinuationToken *string `xml:",omitempty"`
	KeyCount              *int    `xml:",omitempty"`
	Contents              []listContents
	CommonPrefixes        []listPrefix
}

// listPage is one page computed from the sorted key space.
type listPage struct {
	contents  []*object
	prefixes  []string
	truncated bool
	last      string // last key or common prefix returned
}

// listKeys returns up to max entries (objects plus common prefixes, which
// count against max) after marker. A common prefix equal to marker is
// skipped whole, which is how a page that ended on a common prefix resumes.
func listKeys(keys []string, objs map[string]*object, prefix, delim, marker string, max int) listPage {
	var p listPage
	i := sort.SearchStrings(keys, prefix)
	if j := sort.Search(len(keys), func(j int) bool { return keys[j] > marker }); j > i {
		i = j
	}
	for i < len(keys) {
		k := keys[i]
		if !strings.HasPrefix(k, prefix) {
			break
		}
		entry, isPrefix := k, false
		if delim != "" {
			if n := strings.Index(k[len(prefix):], delim); n >= 0 {
				entry, isPrefix = k[:len(prefix)+n+len(delim)], true
			}
		}
		if isPrefix && entry == marker {
			i = skipPrefix(keys, i, entry)
			continue
		}
		if len(p.contents)+len(p.prefixes) == max {
			p.truncated = true
			break
		}
		if isPrefix {
			p.prefixes = append(p.prefixes, entry)
			i = skipPrefix(keys, i, entry)
		} else {
			p.contents = append(p.contents, objs[k])
			i++
		}
		p.last = entry
	}
	return p
}

// skipPrefix returns the index of the first key at or after i without cp.
func skipPrefix(keys []string, i int, cp string) int {
	return i + sort.Search(len(keys)-i, func(j int) bool { return !strings.HasPrefix(keys[i+j], cp) })
}

func (s *Server) listObjects(w http.ResponseWriter, r *http.Request, b *bucket, q *ossReq) {
	v2 := q.api == "ListObjectsV2"
	qv := q.query
	prefix, delim := qv.Get("prefix"), qv.Get("delimiter")
	max := defaultMaxKeys
	if mk, ok := qv["max-keys"]; ok {
		n, err := strconv.Atoi(mk[0])
		// OSS documents max-keys as "greater than 0, at most 1000"; a 0
		// would also give a truncated page with nothing to resume from.
		if err != nil || n < 1 || n > maxMaxKeys {
			writeError(w, r, invalidArg("Argument max-keys must be an integer between 1 and 1000.", "max-keys", mk[0]))
			return
		}
		max = n
	}
	enc := qv.Get("encoding-type")
	if enc != "" && enc != "url" {
		writeError(w, r, invalidArg("Invalid Encoding Method specified in Request", "encoding-type", enc))
		return
	}
	e := func(s string) string {
		if enc == "url" {
			return pct.Encode(s)
		}
		return s
	}
	opt := func(name string) *string {
		if _, ok := qv[name]; !ok {
			return nil
		}
		s := e(qv.Get(name))
		return &s
	}
	for _, name := range []string{"start-after", "marker"} {
		if v := qv.Get(name); len(v) > maxMarker {
			writeError(w, r, invalidArg("Argument "+name+" must be shorter than 1024 bytes.", name, v))
			return
		}
	}
	var marker string
	res := listResult{Name: b.name, Prefix: e(prefix), MaxKeys: max, Delimiter: opt("delimiter"), EncodingType: opt("encoding-type")}
	if v2 {
		marker = qv.Get("start-after")
		res.StartAfter = opt("start-after")
		if tok, ok := qv["continuation-token"]; ok {
			m, err := base64.RawURLEncoding.DecodeString(tok[0])
			if err != nil {
				writeError(w, r, invalidArg("The continuation token provided is incorrect", "continuation-token", tok[0]))
				return
			}
			marker = string(m) // the token wins over start-after
			res.ContinuationToken = opt("continuation-token")
		}
	} else {
		marker = qv.Get("marker")
		m := e(marker)
		res.Marker = &m
	}
	if delim == "" {
		res.Delimiter = nil
	}
	var p listPage
	b.view(func(keys []string, objs map[string]*object) {
		p = listKeys(keys, objs, prefix, delim, marker, max)
	})
	res.IsTruncated = p.truncated
	if p.truncated {
		if v2 {
			tok := e(base64.RawURLEncoding.EncodeToString([]byte(p.last)))
			res.NextContinuationToken = &tok
		} else {
			nm := e(p.last)
			res.NextMarker = &nm
		}
	}
	owner := v2 && qv.Get("fetch-owner") == "true" || !v2
	for _, o := range p.contents {
		c := listContents{
			Key:          e(o.key),
			LastModified: o.lastModified.UTC().Format(isoMillis),
			ETag:         o.etag,
			Type:         o.objType,
			Size:         int64(len(o.data)),
			StorageClass: o.storageClass,
		}
		if owner {
			c.Owner = &listOwner{ID: accountID, DisplayName: accountID}
		}
		if rh := o.restoreHeader(); rh != "" {
			c.RestoreInfo = rh
		}
		res.Contents = append(res.Contents, c)
	}
	for _, cp := range p.prefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, listPrefix{Prefix: e(cp)})
	}
	if v2 {
		kc := len(p.contents) + len(p.prefixes)
		res.KeyCount = &kc
	}
	writeXML(w, res)
}

func writeXML(w http.ResponseWriter, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, "emulator: xml: "+err.Error(), http.StatusInternalServerError)
		return
	}
	body := append([]byte(xml.Header), out...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

type bucketInfoXML struct {
	XMLName xml.Name `xml:"BucketInfo"`
	Bucket  struct {
		AccessMonitor      string
		CreationDate       string
		ExtranetEndpoint   string
		IntranetEndpoint   string
		Location           string
		StorageClass       string
		DataRedundancyType string
		Name               string
		ResourceGroupId    string
		Versioning         string `xml:",omitempty"`
		Owner              listOwner
		ACL                string `xml:"AccessControlList>Grant"`
	}
}

func (s *Server) getBucketInfo(w http.ResponseWriter, r *http.Request, b *bucket, q *ossReq) {
	var x bucketInfoXML
	x.Bucket.AccessMonitor = "Disabled"
	x.Bucket.CreationDate = b.created.UTC().Format(isoMillis)
	x.Bucket.ExtranetEndpoint = "oss-" + s.region + ".aliyuncs.com"
	x.Bucket.IntranetEndpoint = "oss-" + s.region + "-internal.aliyuncs.com"
	x.Bucket.Location = "oss-" + s.region
	x.Bucket.StorageClass = "Standard"
	x.Bucket.DataRedundancyType = "LRS"
	x.Bucket.Name = b.name
	x.Bucket.ResourceGroupId = "rg-default"
	x.Bucket.Owner = listOwner{ID: accountID, DisplayName: accountID}
	x.Bucket.ACL = "private"
	writeXML(w, x)
}
