package creds

import (
	"fmt"
	"os"
)

// Environment variables read by NewEnv: the credentials-go names first,
// then the OSS SDK names.
const (
	EnvAccessKeyID        = "ALIBABA_CLOUD_ACCESS_KEY_ID"
	EnvAccessKeySecret    = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
	EnvSecurityToken      = "ALIBABA_CLOUD_SECURITY_TOKEN"
	EnvOSSAccessKeyID     = "OSS_ACCESS_KEY_ID"
	EnvOSSAccessKeySecret = "OSS_ACCESS_KEY_SECRET"
	EnvOSSSessionToken    = "OSS_SESSION_TOKEN"
)

// NewEnv reads keys from the environment once. The ALIBABA_CLOUD_* set
// wins over the OSS_* set; within a set both the id and the secret must
// be present. With neither set the error matches ErrNotConfigured.
func NewEnv() (Provider, error) { return newEnv(os.Getenv) }

// NewEnvFrom is NewEnv with a custom lookup (tests, or a saved environment).
func NewEnvFrom(getenv func(string) string) (Provider, error) { return newEnv(getenv) }

func newEnv(getenv func(string) string) (Provider, error) {
	sets := [][3]string{
		{EnvAccessKeyID, EnvAccessKeySecret, EnvSecurityToken},
		{EnvOSSAccessKeyID, EnvOSSAccessKeySecret, EnvOSSSessionToken},
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
	return nil, fmt.Errorf("env: neither %s nor %s is set: %w", EnvAccessKeyID, EnvOSSAccessKeyID, ErrNotConfigured)
}
