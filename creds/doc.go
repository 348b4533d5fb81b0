// Package creds says where OSS credentials come from and keeps them fresh.
//
// A Provider returns the credentials to sign a request with right now.
// Sources: static keys, environment variables, an ossfs 1.x passwd file,
// STS AssumeRole, the ECS instance RAM role, OIDC (Kubernetes RRSA) and a
// chain of these. Temporary credentials are wrapped in one caching provider
// that renews them in the background before they expire, so a read never
// waits on STS while valid credentials are at hand.
//
// Secrets live only in memory: no value or error of this package prints a
// secret or a token.
package creds
