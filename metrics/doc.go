// Package metrics is ossfs's optional Prometheus endpoint: one Registry
// with typed recorders for each part of the mount, served on
// --metrics-addr (off by default).
//
// # What is recorded, and by whom
//
//   - OSS calls by API and outcome, and bytes fetched by GetObject:
//     WrapStore decorates the fs.ObjectStore, so no client change is
//     needed (ossfs_oss_requests_total, ossfs_oss_fetched_bytes_total).
//   - HTTP attempts by API and status code, and retries: ossapi reports
//     them through the ObserveAttempt/ObserveRetry methods, which match
//     the request-observer hook ossapi.Config is to carry
//     (ossfs_oss_attempts_total, ossfs_oss_retries_total).
//   - FUSE operation latency, metadata cache hits and misses, prefetch
//     memory in use and its limit: fs calls the fs.Recorder methods
//     (ossfs_fuse_op_duration_seconds, ossfs_metadata_cache_lookups_total,
//     ossfs_prefetch_memory_bytes, ossfs_prefetch_memory_limit_bytes).
//   - Credential renewals and failures: OnRefresh has the signature of
//     creds.RefreshOptions.OnRefresh (ossfs_credential_refreshes_total).
//   - The Go runtime and the process (RSS, CPU, open fds).
//
// # Off means free
//
// Every method of a nil *Registry does nothing and allocates nothing, so
// callers hold a possibly-nil *Registry and never branch on a flag; fs
// skips even reading the clock when it has no recorder.
//
// # No secrets
//
// Labels are API names, HTTP status codes, FUSE op names and fixed result
// words: never keys, object names, credentials or error texts.
package metrics
