// Package signer computes OSS request signatures, V1 (HMAC-SHA1,
// "OSS ak:sig") and V4 (OSS4-HMAC-SHA256), as the official SDKs and the
// service do.
//
// The same functions serve both sides: the client signs with SignV1 and
// SignV4, and the emulator rebuilds the string to sign from what a request
// carried and compares. The pieces (string to sign, canonical request,
// signature) are exported separately so a verifier can echo the string to
// sign in a SignatureDoesNotMatch answer, as OSS does.
//
// In both versions the bucket is part of the signed resource whatever the
// URL style, and the key is the raw object key, not its escaped URL form.
package signer
