package fs

import (
	"context"
	"errors"
	"syscall"

	"github.com/ossfs/ossfs/ossapi"
)

// errNotRestored is the errno of reading an archive object that has not
// been restored: ENODATA ("No data available") says the bytes exist but
// are not readable now, which EACCES would misreport as a permission issue.
const errNotRestored = syscall.ENODATA

// toErrno is the one place that maps an error to the errno the kernel
// gets. Causes of EIO are logged once each; the expected outcomes (not
// found, changed, denied, interrupted) are not logged at all.
func (f *filesystem) toErrno(op, key string, err error) syscall.Errno {
	var errno syscall.Errno
	switch {
	case err == nil:
		return 0
	case errors.As(err, &errno):
		return errno
	case errors.Is(err, ossapi.ErrNotFound):
		return syscall.ENOENT
	case errors.Is(err, ossapi.ErrPreconditionFailed):
		return syscall.ESTALE
	case errors.Is(err, ossapi.ErrAccessDenied), errors.Is(err, ossapi.ErrInvalidCredentials):
		return syscall.EACCES
	case errors.Is(err, ossapi.ErrNotRestored):
		return errNotRestored
	case errors.Is(err, context.Canceled):
		return syscall.EINTR
	}
	f.once.warn("eio:"+op+":"+err.Error(), "ossfs: I/O error", "op", op, "key", key, "err", err)
	return syscall.EIO
}
