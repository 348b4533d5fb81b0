// Package creds says where OSS credentials come from and keeps them fresh.
//
// A Provider returns the credentials to sign a request with right now.
// Sources: Static keys, NewEnv (ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/
// _SECURITY_TOKEN, then OSS_ACCESS_KEY_ID/_SECRET/OSS_SESSION_TOKEN, then
// ossfs 1.x's OSSACCESSKEYID/OSSSECRETACCESSKEY/OSSSESSIONTOKEN),
// NewPasswdFile (ossfs 1.x passwd files, refused when others can read
// them), NewAssumeRole (STS AssumeRole, RPC-signed with HMAC-SHA1, from
// any source provider), NewOIDC (AssumeRoleWithOIDC for Kubernetes RRSA,
// re-reading the token file at every fetch) and NewECSRole (the instance
// RAM role from the metadata service, token mode with the official SDK's
// fallback). NewChain tries providers in order and sticks to the first
// that works; DefaultChain documents the default order. Choosing a source
// explicitly means building that provider instead of the chain.
//
// The STS and metadata providers call the service on every Credentials
// call: wrap them in NewRefreshing, the one caching provider all requests
// share. It renews in the background once the remaining lifetime falls
// below a threshold (see RefreshOptions), with one fetch however many
// callers there are, keeps serving the last good credentials while
// renewals fail (with jittered backoff), and only after those expire
// returns an error naming the source and the cause. Without Start a
// renewal is started by the first call past the threshold; after Start a
// goroutine (ended by Stop or its context) also renews an idle provider
// on time, which a long-running mount wants. Clock, timer and jitter are
// injectable.
//
// Secrets live only in memory: no value or error of this package prints
// a secret or a token (every provider formats as its source name, e.g.
// "sts:AssumeRole(acs:ram::123:role/x)"; STS error messages are scrubbed;
// a malformed reply is never quoted).
package creds
