package creds

import (
	"fmt"
	"os"
)

// Environment variables read by NewEnv: the credentials-go names first,
// then the OSS SDK names, then the ossfs 1.x names.
const (
	EnvAccessKeyID        = "ALIBABA_CLOUD_ACCESS_KEY_ID"
	EnvAccessKeySecret    = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
	EnvSecurityToken      = "ALIBABA_CLOUD_SECURITY_TOKEN"
	EnvOSSAccessKeyID     = "OSS_ACCESS_KEY_ID"
	EnvOSSAccessKeySecret = "OSS_ACCESS_KEY_SECRET"
	EnvOSSSessionToken    = "OSS_SESSION_TOKEN"
	EnvLegacyAccessKeyID  = "OSSACCESSKEYID"
	EnvLegacySecret       = "OSSSECRETACCESSKEY"
	EnvLegacySessionToken = "OSSSESSIONTOKEN"
)

// NewEnv reads keys from the environment once. Three sets, the first
// present one wins: ALIBABA_CLOUD_*, then OSS_ACCESS_KEY_ID/_SECRET/
// OSS_SESSION_TOKEN, then ossfs 1.x's OSSACCESSKEYID/OSSSECRETACCESSKEY/
// OSSSESSIONTOKEN. A set is taken whole (names are not mixed across
// sets): both its id and its secret must be present, else an error names
// the missing one. With no set present the error matches ErrNotConfigured.
func NewEnv() (Provider, error) { return newEnv(os.Getenv) }

// NewEnvFrom is NewEnv with a custom lookup (tests, or a saved environment).
func NewEnvFrom(getenv func(string) string) (Provider, error) { return newEnv(getenv) }

func newEnv(getenv func(string) string) (Provider, error) {
	sets := [][3]string{
		{EnvAccessKeyID, EnvAccessKeySecret, EnvSecurityToken},
		{EnvOSSAccessKeyID, EnvOSSAccessKeySecret, EnvOSSSessionToken},
		{EnvLegacyAccessKeyID, EnvLegacySecret, EnvLegacySessionToken},
	}
	for _, s := range sets {
		id, secret := getenv(s[0]), getenv(s[1])
		switch {
		case id == "" && secret == "":
			continue
		case id == "":
			return nil, fmt.Errorf("env: %s is set but %s is empty", s[1], s[0])
		case secret == "":
			return nil, fmt.Errorf("env: %s is set but %s is empty", s[0], s[1])
		}
		return namedStatic{name: "env:" + s[0], c: Credentials{AccessKeyID: id, AccessKeySecret: secret, SecurityToken: getenv(s[2])}}, nil
	}
	return nil, fmt.Errorf("env: neither %s, %s nor %s is set: %w", EnvAccessKeyID, EnvOSSAccessKeyID, EnvLegacyAccessKeyID, ErrNotConfigured)
}
