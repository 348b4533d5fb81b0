package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// mountConfig is everything `ossfs mount` was told, validated.
type mountConfig struct {
	Bucket, Prefix string
	Mountpoint     string // absolute, cleaned

	Endpoint, Region string
	SignatureVersion int
	PathStyle        bool

	STSEndpoint, RoleARN, RoleSessionName, ExternalID, PolicyFile string
	CredDuration                                                  time.Duration
	ECSRole, ECSMetadata, PasswdFile                              string

	UID, GID          uint32
	FileMode, DirMode uint32
	AllowOther        bool
	FuseDebug         bool

	MetadataTTL, NegativeTTL time.Duration
	CacheEntries             int
	PrefetchSize             int64
	PrefetchParallel         int
	MemoryBudget             int64

	MetricsAddr string // "" = no metrics endpoint

	ReadyFD int // -1 unless started by the ossfs 1.x form's parent
}

// parseMountConfig reads the mount command's flags and its two arguments.
func parseMountConfig(c *cli.Context) (*mountConfig, error) {
	if c.NArg() != 2 {
		return nil, fmt.Errorf("expected BUCKET[:/PREFIX] MOUNTPOINT, got %d argument(s) (options go before the arguments)", c.NArg())
	}
	cfg := &mountConfig{
		Endpoint:         strings.TrimSpace(c.String(flagEndpoint)),
		Region:           strings.TrimSpace(c.String(flagRegion)),
		SignatureVersion: c.Int(flagSignatureVersion),
		PathStyle:        c.Bool(flagPathStyle),
		STSEndpoint:      c.String(flagSTSEndpoint),
		RoleARN:          c.String(flagRoleARN),
		RoleSessionName:  c.String(flagRoleSessionName),
		ExternalID:       c.String(flagExternalID),
		PolicyFile:       c.String(flagPolicyFile),
		CredDuration:     c.Duration(flagCredDuration),
		ECSRole:          c.String(flagECSRole),
		ECSMetadata:      c.String(flagECSMetadata),
		PasswdFile:       c.String(flagPasswdFile),
		AllowOther:       c.Bool(flagAllowOther),
		FuseDebug:        c.Bool(flagFuseDebug),
		MetadataTTL:      c.Duration(flagMetadataTTL),
		NegativeTTL:      c.Duration(flagNegativeTTL),
		CacheEntries:     c.Int(flagCacheEntries),
		PrefetchParallel: c.Int(flagPrefetchParallel),
		MetricsAddr:      strings.TrimSpace(c.String(flagMetricsAddr)),
		ReadyFD:          c.Int(flagReadyFD),
	}
	var err error
	if cfg.Bucket, cfg.Prefix, err = parseBucketArg(c.Args().Get(0)); err != nil {
		return nil, err
	}
	if cfg.Mountpoint, err = filepath.Abs(c.Args().Get(1)); err != nil {
		return nil, fmt.Errorf("mountpoint %q: %w", c.Args().Get(1), err)
	}
	if cfg.Endpoint == "" && cfg.Region == "" {
		return nil, errors.New("no endpoint: set --endpoint (OSSFS_ENDPOINT) or --region (OSSFS_REGION)")
	}
	if cfg.SignatureVersion != 1 && cfg.SignatureVersion != 4 {
		return nil, fmt.Errorf("--%s must be 1 or 4, not %d", flagSignatureVersion, cfg.SignatureVersion)
	}
	if cfg.RoleARN != "" && cfg.ECSRole != "" {
		return nil, fmt.Errorf("--%s and --%s exclude each other", flagRoleARN, flagECSRole)
	}
	if err := checkCredentialOptions(c, cfg); err != nil {
		return nil, err
	}
	if cfg.UID, err = idOrSelf(c.Int(flagUID), os.Getuid(), flagUID); err != nil {
		return nil, err
	}
	if cfg.GID, err = idOrSelf(c.Int(flagGID), os.Getgid(), flagGID); err != nil {
		return nil, err
	}
	if cfg.FileMode, err = parseMode(c.String(flagFileMode), flagFileMode); err != nil {
		return nil, err
	}
	if cfg.DirMode, err = parseMode(c.String(flagDirMode), flagDirMode); err != nil {
		return nil, err
	}
	if u := c.String(flagUmask); u != "" {
		umask, err := parseMode(u, flagUmask)
		if err != nil {
			return nil, err
		}
		cfg.FileMode &^= umask
		cfg.DirMode &^= umask
	}
	if cfg.MetadataTTL < 0 || cfg.NegativeTTL < 0 || cfg.CredDuration < 0 {
		return nil, errors.New("durations must not be negative")
	}
	if cfg.CacheEntries < 1 {
		return nil, fmt.Errorf("--%s must be at least 1", flagCacheEntries)
	}
	if cfg.PrefetchParallel < 1 {
		return nil, fmt.Errorf("--%s must be at least 1", flagPrefetchParallel)
	}
	if cfg.PrefetchSize, err = parseSize(c.String(flagPrefetchSize)); err != nil {
		return nil, fmt.Errorf("--%s: %w", flagPrefetchSize, err)
	}
	if cfg.MemoryBudget, err = parseSize(c.String(flagMemoryBudget)); err != nil {
		return nil, fmt.Errorf("--%s: %w", flagMemoryBudget, err)
	}
	if cfg.PrefetchSize == 0 || cfg.MemoryBudget == 0 {
		return nil, fmt.Errorf("--%s and --%s must be greater than 0", flagPrefetchSize, flagMemoryBudget)
	}
	if cfg.CredDuration <= 0 {
		return nil, fmt.Errorf("--%s must be greater than 0", flagCredDuration)
	}
	return cfg, nil
}

// checkCredentialOptions refuses options that would be silently ignored:
// the STS ones only mean something with --role-arn, and an explicit ECS
// role and passwd file name two different identities.
func checkCredentialOptions(c *cli.Context, cfg *mountConfig) error {
	if cfg.RoleARN == "" {
		for _, f := range []string{flagPolicyFile, flagExternalID, flagCredDuration, flagRoleSessionName} {
			if c.IsSet(f) {
				return fmt.Errorf("--%s only applies to --%s (STS AssumeRole); set --%s or drop --%s", f, flagRoleARN, flagRoleARN, f)
			}
		}
	}
	if cfg.ECSRole != "" && cfg.PasswdFile != "" {
		return fmt.Errorf("--%s and --%s name two different credential sources; drop one of them (--%s to use the instance role, --%s to use the file's keys)",
			flagECSRole, flagPasswdFile, flagPasswdFile, flagECSRole)
	}
	return nil
}

// parseBucketArg splits BUCKET[:/PREFIX]. The prefix comes back without
// leading slash and, when not empty, with one trailing slash.
func parseBucketArg(s string) (bucket, prefix string, err error) {
	bucket, path, hasPath := strings.Cut(s, ":")
	if !validBucket(bucket) {
		return "", "", fmt.Errorf("bucket %q: not a valid bucket name (3-63 characters: a-z, 0-9 and '-', not starting or ending with '-')", bucket)
	}
	if !hasPath {
		return bucket, "", nil
	}
	if !strings.HasPrefix(path, "/") {
		return "", "", fmt.Errorf("%q: the prefix must start with '/', as in %s:/data", s, bucket)
	}
	prefix = strings.Trim(path, "/")
	if prefix == "" {
		return bucket, "", nil
	}
	for _, part := range strings.Split(prefix, "/") {
		if part == "" || part == "." || part == ".." {
			return "", "", fmt.Errorf("%q: the prefix has an empty, '.' or '..' component", s)
		}
	}
	return bucket, prefix + "/", nil
}

// validBucket applies the OSS bucket naming rule.
func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 || b[0] == '-' || b[len(b)-1] == '-' {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func idOrSelf(v, self int, flag string) (uint32, error) {
	switch {
	case v == -1:
		return uint32(self), nil
	case v < 0 || int64(v) >= int64(^uint32(0)): // (uid_t)-1 means "no change" to the kernel
		return 0, fmt.Errorf("--%s %d: not a valid id", flag, v)
	}
	return uint32(v), nil
}

func parseMode(s, flag string) (uint32, error) {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o777 {
		return 0, fmt.Errorf("--%s %q: want octal permission bits such as 0444", flag, s)
	}
	return uint32(m), nil
}

// parseSize reads a byte count such as 1048576, 64M, 64MiB or 1G; every
// suffix is a power of 1024.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	num := strings.TrimRightFunc(t, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.ToUpper(strings.TrimSpace(t[len(num):]))
	var mult int64
	switch unit {
	case "", "B":
		mult = 1
	case "K", "KB", "KIB":
		mult = 1 << 10
	case "M", "MB", "MIB":
		mult = 1 << 20
	case "G", "GB", "GIB":
		mult = 1 << 30
	default:
		return 0, fmt.Errorf("%q: want a byte count such as 64MiB", s)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q: want a byte count such as 64MiB", s)
	}
	return n * mult, nil
}
