package ossapi

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Sentinels for errors.Is. A *ServiceError matches the sentinel of its
// code (see ServiceError.Is); transport failures match none of them.
var (
	ErrNotFound           = errors.New("not found")                      // NoSuchKey, NoSuchBucket, SymlinkTargetNotExist, 404
	ErrNoSuchBucket       = errors.New("no such bucket")                 // NoSuchBucket (also ErrNotFound)
	ErrAccessDenied       = errors.New("access denied")                  // AccessDenied, 403 without a more precise code
	ErrInvalidCredentials = errors.New("invalid or expired credentials") // InvalidAccessKeyId, SignatureDoesNotMatch, SecurityTokenExpired, InvalidSecurityToken
	ErrClockSkew          = errors.New("request time too skewed")        // RequestTimeTooSkewed
	ErrPreconditionFailed = errors.New("precondition failed")            // 412 PreconditionFailed (the object changed)
	ErrNotRestored        = errors.New("object not restored")            // InvalidObjectState (archive object)
	ErrThrottled          = errors.New("throttled")                      // 429, *QpsLimitExceeded, Throttling
	ErrNotSymlink         = errors.New("not a symlink")                  // NotSymlink
)

// ServiceError is an error answered by OSS: an HTTP status with, when the
// body could be parsed, the service's Code, Message, RequestId and EC.
type ServiceError struct {
	Op         string // API name, e.g. "HeadObject"
	Key        string // object key or list prefix the request was about
	StatusCode int
	Code       string
	Message    string
	RequestID  string
	EC         string
}

func (e *ServiceError) Error() string {
	msg := fmt.Sprintf("oss %s %q: %d %s", e.Op, e.Key, e.StatusCode, e.Code)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

// ErrUnreachable is matched by every *TransportError: no answer could be
// had from the endpoint (refused, reset, timeout, DNS, TLS).
var ErrUnreachable = errors.New("endpoint unreachable")

// ErrCredentialsUnavailable is matched when the credentials provider
// gave none (STS unreachable, a token expired and not renewed): no request
// was sent.
var ErrCredentialsUnavailable = errors.New("credentials unavailable")

// ErrMalformedResponse is matched by successful answers the client could
// not make sense of (bad XML, missing fields, a Content-Range that is not
// what was asked, a body longer than announced).
var ErrMalformedResponse = errors.New("malformed response")

// Is maps the service code, or failing that the HTTP status, to the
// package sentinels.
func (e *ServiceError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Code == "NoSuchKey" || e.Code == "NoSuchBucket" || e.Code == "SymlinkTargetNotExist" ||
			(e.StatusCode == 404 && e.Code != "NotSymlink")
	case ErrNoSuchBucket:
		return e.Code == "NoSuchBucket"
	case ErrInvalidCredentials:
		return isCredentialsCode(e.Code) || e.Code == "SignatureDoesNotMatch"
	case ErrClockSkew:
		return e.Code == "RequestTimeTooSkewed"
	case ErrPreconditionFailed:
		return e.Code == "PreconditionFailed" || e.StatusCode == 412
	case ErrNotRestored:
		return e.Code == "InvalidObjectState"
	case ErrThrottled:
		return e.StatusCode == 429 || strings.Contains(e.Code, "QpsLimitExceeded") || strings.Contains(e.Code, "Throttl")
	case ErrNotSymlink:
		return e.Code == "NotSymlink"
	case ErrAccessDenied:
		if e.Code == "AccessDenied" {
			return true
		}
		// A 403 without a more precise meaning is a denial.
		return e.StatusCode == 403 && !e.Is(ErrInvalidCredentials) && !e.Is(ErrClockSkew) &&
			!e.Is(ErrNotRestored) && !e.Is(ErrThrottled)
	}
	return false
}

// isCredentialsCode reports the codes that mean "these credentials are
// refused; fresh ones may work": worth one retry after Invalidate.
func isCredentialsCode(code string) bool {
	switch code {
	case "InvalidAccessKeyId", "SecurityTokenExpired", "InvalidSecurityToken":
		return true
	}
	return false
}

// TransportError is a request that got no HTTP answer. Err is the
// underlying net/http error (errors.As finds *net.OpError, syscall errors).
type TransportError struct {
	Op  string
	Key string
	Err error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("oss %s %q: %v", e.Op, e.Key, e.Err)
}

// Unwrap exposes the net error, except that a connection closed before the
// answer (net/http's bare "EOF") unwraps to io.ErrUnexpectedEOF: callers
// take io.EOF for the end of data, and a transport EOF is a failure.
func (e *TransportError) Unwrap() error {
	if errors.Is(e.Err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return e.Err
}

// Is makes every transport failure match ErrUnreachable.
func (e *TransportError) Is(target error) bool { return target == ErrUnreachable }

// errorXML is the OSS error body. The tag has no namespace so any xmlns
// the service adds still matches.
type errorXML struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
	EC        string   `xml:"EC"`
}

const maxErrorBody = 64 << 10

// parseError builds the *ServiceError for a non-success response from its
// status, headers and (possibly empty) body. It never fails: a body that is
// not OSS error XML yields a ServiceError saying so, with a quoted snippet.
func parseError(op, key string, status int, h http.Header, body []byte) *ServiceError {
	e := &ServiceError{Op: op, Key: key, StatusCode: status, RequestID: h.Get("X-Oss-Request-Id"), EC: h.Get("X-Oss-Ec")}
	raw := body
	if len(bytes.TrimSpace(raw)) == 0 {
		// HEAD answers carry the error document base64-encoded in a header.
		if b64 := h.Get("X-Oss-Err"); b64 != "" {
			dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
			if err != nil {
				e.Message = "unparseable error response: bad x-oss-err header " + quoteSnippet([]byte(b64))
				return e
			}
			raw = dec
		}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		if status != 304 {
			e.Message = "empty error response (" + http.StatusText(status) + ")"
		}
		return e
	}
	var x errorXML
	if err := xml.Unmarshal(raw, &x); err != nil || x.Code == "" {
		e.Message = "unparseable error response: " + quoteSnippet(raw)
		return e
	}
	e.Code = strings.TrimSpace(x.Code)
	e.Message = strings.TrimSpace(x.Message)
	if x.RequestID != "" {
		e.RequestID = strings.TrimSpace(x.RequestID)
	}
	if x.EC != "" {
		e.EC = strings.TrimSpace(x.EC)
	}
	return e
}

// quoteSnippet quotes at most 120 bytes of b for an error message.
func quoteSnippet(b []byte) string {
	const max = 120
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}
