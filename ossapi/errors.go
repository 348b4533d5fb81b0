package ossapi

import (
	"errors"
	"fmt"
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
