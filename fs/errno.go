package fs

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/ossfs/ossfs/ossapi"
)

// errNotRestored is the errno of reading an archive object that has not
// been restored: ENODATA ("No data available") says the bytes exist but
// are not readable now, which EACCES would misreport as a permission issue.
const errNotRestored = syscall.ENODATA

// toErrno is the one place that maps an error to the errno the kernel
// gets. The expected outcomes (not found, changed, denied by policy,
// interrupted) are not logged; credentials failures and everything that
// ends as EIO are logged once per episode (see episodes).
//
// Only a bare syscall.Errno, which fs code returns to choose the errno
// itself, passes through. A wrapped one came from the network
// (ECONNREFUSED inside a transport error) and means nothing to the
// reader: it is EIO, with its cause logged.
func (f *filesystem) toErrno(op, key string, err error) syscall.Errno {
	if err == nil {
		return 0
	}
	if errno, ok := err.(syscall.Errno); ok {
		return errno
	}
	switch {
	case errors.Is(err, ossapi.ErrNotFound):
		return syscall.ENOENT
	case errors.Is(err, ossapi.ErrPreconditionFailed):
		return syscall.ESTALE
	case errors.Is(err, ossapi.ErrInvalidCredentials):
		f.episodes.fail(syscall.EACCES, "credentials", op, key, err)
		return syscall.EACCES
	case errors.Is(err, ossapi.ErrAccessDenied):
		return syscall.EACCES
	case errors.Is(err, ossapi.ErrNotRestored):
		return errNotRestored
	case errors.Is(err, context.Canceled):
		return syscall.EINTR
	}
	f.episodes.fail(syscall.EIO, failureCause(err), op, key, err)
	return syscall.EIO
}

// failureCause names the category of an error that ends as EIO, for the
// episode log.
func failureCause(err error) string {
	var se *ossapi.ServiceError
	var ne net.Error
	switch {
	case errors.Is(err, ossapi.ErrCredentialsUnavailable):
		return "credentials"
	case errors.Is(err, ossapi.ErrClockSkew):
		return "clock skew"
	case errors.Is(err, ossapi.ErrThrottled):
		return "throttled"
	case errors.As(err, &se):
		return "service error"
	case errors.Is(err, ossapi.ErrMalformedResponse):
		return "malformed response"
	case errors.Is(err, ossapi.ErrUnreachable), errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.ErrUnexpectedEOF):
		return "network"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return "network" // a body that broke mid-stream: the net error is not wrapped as a transport error
	}
	return "other"
}
