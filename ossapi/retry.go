package ossapi

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// retryable reports whether another attempt may succeed: server errors,
// throttling, and transport failures that look transient. Other 4xx (and
// clock skew, which a retry cannot fix) are final.
func retryable(err error) bool {
	var se *ServiceError
	if errors.As(err, &se) {
		return se.StatusCode >= 500 || se.StatusCode == 429 || se.StatusCode == 408 || se.Is(ErrThrottled)
	}
	var te *TransportError
	if errors.As(err, &te) {
		return transientNetError(te.Err)
	}
	return false
}

// transientNetError recognises resets, refusals, timeouts and early EOFs.
// Certificate, DNS-name and protocol errors are not transient.
func transientNetError(err error) bool {
	switch {
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTimeout || dns.IsTemporary
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	s := err.Error()
	for _, m := range []string{"connection reset", "connection refused", "server closed idle connection",
		"use of closed network connection", "transport connection broken", "broken pipe"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}
