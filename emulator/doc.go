// Package emulator is an in-process Alibaba Cloud OSS + STS + ECS metadata
// server for tests, benchmarks and `ossfs demo`, used like
// net/http/httptest: Start listens on loopback, Close stops it.
//
//	srv, err := emulator.Start(emulator.Options{})
//	defer srv.Close()
//	srv.CreateBucket("my-bucket")
//	srv.PutObject("my-bucket", "dir/a.txt", []byte("hello"))
//	ak, secret := srv.NewUser()
//	// point a client at srv.Endpoint() (path-style) with ak/secret
//
// Three listeners: Endpoint (OSS), STSEndpoint (RPC AssumeRole,
// AssumeRoleWithOIDC) and MetadataEndpoint (ECS IMDS). With Options.TLS all
// three speak https with a self-signed certificate (CACertPEM).
//
// # Faithful
//
//   - Routing by a raw handler: path-style /<bucket>/<key> and
//     virtual-hosted (first Host label naming an existing bucket). Keys are
//     unescaped from the raw path, so %2F, +, // and dot segments survive.
//   - V1 and V4 header signatures and both presigned-URL forms, verified with
//     ossapi/signer over exactly what was sent (Content-MD5 on GET,
//     Content-Type on list...). InvalidAccessKeyId, SignatureDoesNotMatch
//     (StringToSign echoed), RequestTimeTooSkewed (15 min, Options.Now),
//     InvalidSecurityToken, SecurityTokenExpired, anonymous AccessDenied,
//     STS policies (role ∩ inline, Allow/Deny, * and ? wildcards) answered
//     "Access denied by authorizer's policy.".
//   - HeadObject/GetObject headers (quoted upper-hex ETag, CRC-64, storage
//     class, x-oss-meta-*), OSS's lenient Range rules and
//     x-oss-range-behavior: standard, conditional headers, archive objects,
//     symlinks followed, ListObjects/ListObjectsV2 with delimiter, paging,
//     encoding-type=url (strict, never a bare '+'), GetBucketInfo, error XML
//     with x-oss-request-id/x-oss-ec/Date and x-oss-err on HEAD.
//   - STS RPC signature via creds/rpcsign over query and form merged,
//     Timestamp window, nonce reuse, trust, ExternalId, DurationSeconds,
//     RoleSessionName and policy grammar checks, JSON per §10.3/§10.4.
//
// # Simplified, and choices on UNCONFIRMED points (protocol.md §14)
//
//   - V1 sub-resources: the v2 SDK list plus every x-oss-* name. The V1
//     skew check uses x-oss-date when present, else Date.
//   - V4 without x-oss-date (old SDK) is accepted with the Date string in
//     the string to sign. A wrong V4 region gives SignatureDoesNotMatch.
//   - Expired presigned URLs: 403 AccessDenied "Request has expired.".
//   - Throttling is 429 TotalQpsLimitExceeded; NotSymlink is 400.
//   - HEAD/GET of a symlink report x-oss-object-type: Symlink; GetSymlink
//     emits the target strictly percent-encoded ('/' kept); PutSymlink
//     decodes a percent-encoded target.
//   - start-after and marker are under 1024 bytes. max-keys is 1..1000
//     (OSS documents "greater than 0"); common prefixes count against it; a
//     continuation token wins over start-after. Continuation tokens are
//     base64url of the last returned entry.
//   - Conditional headers follow RFC 7232 order; only the first of several
//     ranges is served.
//   - STS statuses: 400 for parameter/signature errors, 403 NoPermission,
//     404 InvalidAccessKeyId.NotFound and EntityNotExist.Role; nonces are
//     remembered for 30 min. AssumedRoleUser.Arn is <role arn>/<session>.
//   - AssumeRoleWithOIDC checks the token's shape (JWT with JSON header and
//     claims), that it has an issuer and an unexpired exp, and that the
//     provider ARN was registered; not its signature.
//   - Policies support Effect/Action/Resource only (Condition is refused as
//     a grammar error). Role.Policy empty = full access.
//   - IMDS: a missing (when required) or invalid token gives 401.
//   - No versioning, ACLs, multipart, appendable objects or ListBuckets.
//   - PutObjectGenerated objects have a non-MD5 ETag ("...-1") and no
//     CRC-64, so a 1 GiB object needs no hashing pass.
//
// # Faults
//
// SetFaults injects first-byte latency, a per-connection bandwidth cap,
// retryable 500/503/429 errors, GetObject bodies cut mid-stream (the
// connection is closed) or stalled, refused connections and an STS outage.
// Decisions come from math/rand seeded with Faults.Seed, four draws per OSS
// request, so a sequential test is reproducible.
//
// # Observability
//
// Count/Counts/ResetCounts count requests per API ("GetObject",
// "AssumeRole", ...), BytesSent counts GetObject body bytes, Requests
// returns the request log (with the token's subject for
// AssumeRoleWithOIDC). A request is logged before the last bytes of its
// body go out, so a client that has read a whole answer sees it counted.
//
// # Tests
//
// go test -race ./emulator runs everything, including the oracles: the
// official OSS SDK (V1 and V4) and credentials-go's RAM-role provider over
// TLS (credgo_test.go). fuzz_test.go holds fuzz targets for the range,
// policy, wildcard and JWT parsers and for whole raw requests through the
// OSS and STS handlers (go test -fuzz=FuzzServeOSS ./emulator).
//
// GET bodies are written straight from the stored slice (never copied);
// objects are immutable once stored, so reads take no lock while streaming.
package emulator
