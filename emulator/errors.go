package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strconv"
)

// ossError is one OSS error answer (protocol §9).
type ossError struct {
	status int
	code   string
	msg    string
	ec     string
	extra  []xmlField // operation-specific elements after HostId
}

type xmlField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

func field(name, value string) xmlField {
	return xmlField{XMLName: xml.Name{Local: name}, Value: value}
}

func (e *ossError) with(name, value string) *ossError {
	cp := *e
	cp.extra = append(append([]xmlField(nil), e.extra...), field(name, value))
	return &cp
}

var (
	errNoSuchKey      = &ossError{404, "NoSuchKey", "The specified key does not exist.", "0026-00000001", nil}
	errNoSuchBucket   = &ossError{404, "NoSuchBucket", "The specified bucket does not exist.", "0015-00000101", nil}
	errAccessDenied   = &ossError{403, "AccessDenied", "You have no right to access this object because of bucket acl.", "0003-00000001", nil}
	errPolicyDenied   = &ossError{403, "AccessDenied", "Access denied by authorizer's policy.", "0003-00000301", nil}
	errAnonymous      = &ossError{403, "AccessDenied", "AccessDenied", "0003-00000201", nil}
	errInvalidAK      = &ossError{403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.", "0002-00000002", nil}
	errSigMismatch    = &ossError{403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", "0002-00000040", nil}
	errTokenExpired   = &ossError{403, "SecurityTokenExpired", "The security token you provided has expired.", "0002-00000007", nil}
	errTokenInvalid   = &ossError{403, "InvalidSecurityToken", "The security token you provided is invalid.", "0002-00000006", nil}
	errSkewed         = &ossError{403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", "0002-00000504", nil}
	errURLExpired     = &ossError{403, "AccessDenied", "Request has expired.", "0002-00000069", nil}
	errBadAuth        = &ossError{400, "InvalidArgument", "Authorization header is invalid.", "0002-00000209", nil}
	errNotRestored    = &ossError{403, "InvalidObjectState", "The operation is not valid for the object's state.", "0016-00000404", nil}
	errPrecondition   = &ossError{412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", "0017-00001001", nil}
	errInvalidRange   = &ossError{416, "InvalidRange", "The requested range cannot be satisfied", "0017-00000801", nil}
	errTargetMissing  = &ossError{404, "SymlinkTargetNotExist", "The symlink target object does not exist", "0026-00000012", nil}
	errTargetType     = &ossError{400, "InvalidTargetType", "The symbolic's target file type is invalid", "0026-00000011", nil}
	errNotSymlink     = &ossError{400, "NotSymlink", "The specified object is not a symlink.", "0026-00000002", nil}
	errInvalidArg     = &ossError{400, "InvalidArgument", "", "0017-00000101", nil}
	errInvalidDigest  = &ossError{400, "InvalidDigest", "The Content-MD5 you specified was invalid.", "0017-00000201", nil}
	errInvalidBucket  = &ossError{400, "InvalidBucketName", "The specified bucket is not valid.", "0015-00000001", nil}
	errInvalidKey     = &ossError{400, "InvalidObjectName", "The name of the object is invalid.", "0016-00000001", nil}
	errNotImplemented = &ossError{501, "NotImplemented", "The emulator does not implement this operation.", "0000-00000000", nil}
	errMethod         = &ossError{405, "MethodNotAllowed", "The specified method is not allowed against this resource.", "0000-00000001", nil}
	errInternal       = &ossError{500, "InternalError", "We encountered an internal error. Please try again.", "0000-00000500", nil}
	errUnavailable    = &ossError{503, "ServiceUnavailable", "Please reduce your request rate.", "0000-00000503", nil}
	errThrottled      = &ossError{429, "TotalQpsLimitExceeded", "Please reduce your request rate.", "0004-00000302", nil}
)

func invalidArg(msg, name, value string) *ossError {
	e := *errInvalidArg
	e.msg = msg
	return e.with("ArgumentName", name).with("ArgumentValue", value)
}

type errorXML struct {
	XMLName      xml.Name `xml:"Error"`
	Code         string
	Message      string
	RequestId    string
	HostId       string
	Extra        []xmlField
	EC           string
	RecommendDoc string
}

// writeError answers with the §9.1 XML; HEAD carries it base64 in x-oss-err.
func writeError(w http.ResponseWriter, r *http.Request, e *ossError) {
	body := errorBody(w.Header().Get("x-oss-request-id"), r.Host, e)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("x-oss-ec", e.ec)
	if r.Method == http.MethodHead {
		h.Set("x-oss-err", base64.StdEncoding.EncodeToString(body))
		h.Set("Content-Length", "0")
		w.WriteHeader(e.status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	w.Write(body)
}

func errorBody(reqID, host string, e *ossError) []byte {
	x := errorXML{
		Code: e.code, Message: e.msg, RequestId: reqID, HostId: host,
		Extra: e.extra, EC: e.ec,
		RecommendDoc: "https://api.aliyun.com/troubleshoot?q=" + e.ec,
	}
	out, err := xml.MarshalIndent(x, "", "  ")
	if err != nil { // cannot happen for these plain strings
		out = []byte("<Error><Code>" + e.code + "</Code></Error>")
	}
	// Element text only, so quotes need no escaping; keep them readable
	// as OSS does ("authorizer's policy").
	out = bytes.ReplaceAll(bytes.ReplaceAll(out, []byte("&#39;"), []byte("'")), []byte("&#34;"), []byte(`"`))
	return append([]byte(xml.Header), append(out, '\n')...)
}
