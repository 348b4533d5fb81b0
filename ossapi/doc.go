// Package ossapi is the only package that speaks HTTP to Alibaba Cloud OSS.
// It is a small, read-only client: HeadObject, ListObjectsV2, GetObject
// (Range, If-Match), GetSymlink and CheckAccess, signed with V4 (default) or
// V1 by package signer, with credentials from a creds.Provider asked afresh
// for every attempt.
//
// Contract:
//
//   - Every operation takes a context; cancelling it stops the request and
//     any backoff sleep.
//   - Errors answered by OSS are *ServiceError and match the sentinels of
//     errors.go with errors.Is (ErrNotFound, ErrAccessDenied, ...). A body
//     that is not OSS error XML still gives a *ServiceError with the status.
//     Failures to get an answer at all are *TransportError, which wraps the
//     net error and matches ErrUnreachable, never a *ServiceError.
//   - Retries: exponential backoff with full jitter, bounded by attempts and
//     elapsed time, on 5xx, 429/throttling and transient transport errors.
//     Other 4xx are not retried, except one retry of a credentials error
//     after Invalidate on a provider that implements creds.Refresher.
//     RequestTimeTooSkewed is reported, not retried.
//   - GetObject streams. Its reader resumes a body that fails mid-stream
//     (reset, short body, stall) with a ranged GET pinned by If-Match, so a
//     caller sees one uninterrupted stream or an error, never wrong bytes.
//     A 206 whose Content-Range is not what was asked, or a body longer than
//     announced, is an error.
//   - List keys, prefixes and tokens are requested URL-encoded and decoded
//     strictly ('+' stays '+'). A truncated page without a continuation
//     token is an error rather than an endless loop.
//   - Secrets (access key secret, security token, Authorization) never
//     appear in errors or logs.
//
// A Client is safe for concurrent use; all clients share one tuned
// http.Transport unless Config.Transport is set.
package ossapi
