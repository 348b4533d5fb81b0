package main

import (
	"time"

	"github.com/urfave/cli/v2"
)

// Flag names of the mount command. The ossfs 1.x -o form accepts each of
// them too, spelt with '_' or '-' (see legacy.go).
const (
	flagEndpoint         = "endpoint"
	flagRegion           = "region"
	flagSignatureVersion = "signature-version"
	flagPathStyle        = "path-style"
	flagSTSEndpoint      = "sts-endpoint"
	flagRoleARN          = "role-arn"
	flagRoleSessionName  = "role-session-name"
	flagExternalID       = "external-id"
	flagPolicyFile       = "policy-file"
	flagCredDuration     = "credential-duration"
	flagECSRole          = "ecs-ram-role"
	flagECSMetadata      = "ecs-metadata-endpoint"
	flagPasswdFile       = "passwd-file"
	flagUID              = "uid"
	flagGID              = "gid"
	flagFileMode         = "file-mode"
	flagDirMode          = "dir-mode"
	flagUmask            = "umask"
	flagAllowOther       = "allow-other"
	flagMetadataTTL      = "metadata-ttl"
	flagNegativeTTL      = "negative-ttl"
	flagCacheEntries     = "cache-entries"
	flagPrefetchSize     = "prefetch-size"
	flagPrefetchParallel = "prefetch-parallel"
	flagMemoryBudget     = "memory-budget"
	flagLogLevel         = "log-level"
	flagLogFormat        = "log-format"
	flagLogFile          = "log-file"
	flagFuseDebug        = "fuse-debug"
	flagMetricsAddr      = "metrics-addr"
	flagReadyFD          = "ready-fd"
)

// env names the OSSFS_<NAME> variable of a flag.
func env(flag string) []string {
	b := []byte("OSSFS_" + flag)
	for i, c := range b {
		switch {
		case c == '-':
			b[i] = '_'
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		}
	}
	return []string{string(b)}
}

// logFlags are shared by every command that logs.
func logFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagLogLevel, EnvVars: env(flagLogLevel), Value: "info", Category: "Logging",
			Usage: "debug, info, warn or error"},
		&cli.StringFlag{Name: flagLogFormat, EnvVars: env(flagLogFormat), Value: "text", Category: "Logging",
			Usage: "text or json (log lines go to stderr, which journald collects)"},
		&cli.StringFlag{Name: flagLogFile, EnvVars: env(flagLogFile), Category: "Logging",
			Usage: "append log lines to this file instead of stderr (the ossfs 1.x form's background process drops its stderr once mounted) (default: stderr)"},
	}
}

// mountFlags are the options of `ossfs mount`. None of them carries a
// secret: keys come from the environment, a passwd file or a role.
func mountFlags() []cli.Flag {
	const (
		catOSS   = "OSS"
		catCreds = "Credentials"
		catFS    = "Filesystem"
		catCache = "Cache and reads"
	)
	fl := []cli.Flag{
		&cli.StringFlag{Name: flagEndpoint, EnvVars: env(flagEndpoint), Category: catOSS,
			Usage: "OSS endpoint URL, e.g. https://oss-cn-hangzhou.aliyuncs.com (default: derived from --region)"},
		&cli.StringFlag{Name: flagRegion, EnvVars: env(flagRegion), Category: catOSS,
			Usage: "region ID that V4 signatures are scoped to, e.g. cn-hangzhou (default: derived from --endpoint)"},
		&cli.IntFlag{Name: flagSignatureVersion, EnvVars: env(flagSignatureVersion), Value: 4, Category: catOSS,
			Usage: "OSS signature version, 1 or 4"},
		&cli.BoolFlag{Name: flagPathStyle, EnvVars: env(flagPathStyle), Category: catOSS,
			Usage: "path-style requests (http://endpoint/bucket/key) instead of virtual-hosted"},

		&cli.StringFlag{Name: flagSTSEndpoint, EnvVars: env(flagSTSEndpoint), Category: catCreds,
			Usage: "STS endpoint URL for --role-arn and OIDC (default: https://sts.aliyuncs.com, or sts.$ALIBABA_CLOUD_STS_REGION.aliyuncs.com for OIDC)"},
		&cli.StringFlag{Name: flagRoleARN, EnvVars: env(flagRoleARN), Category: catCreds,
			Usage: "RAM role to assume through STS with the base keys (environment or passwd file), e.g. acs:ram::123:role/reader"},
		&cli.StringFlag{Name: flagRoleSessionName, EnvVars: env(flagRoleSessionName), Value: "ossfs", Category: catCreds,
			Usage: "STS role session name (shows in the bucket's access logs); only with --role-arn"},
		&cli.StringFlag{Name: flagExternalID, EnvVars: env(flagExternalID), Category: catCreds,
			Usage: "external ID the role's trust policy requires, if any; only with --role-arn"},
		&cli.StringFlag{Name: flagPolicyFile, EnvVars: env(flagPolicyFile), Category: catCreds,
			Usage: "file holding a JSON policy that narrows the assumed role's permissions; only with --role-arn"},
		&cli.DurationFlag{Name: flagCredDuration, EnvVars: env(flagCredDuration), Value: time.Hour, Category: catCreds,
			Usage: "lifetime asked for STS credentials (15m to the role's maximum); they are renewed before expiry; only with --role-arn"},
		&cli.StringFlag{Name: flagECSRole, EnvVars: env(flagECSRole), Category: catCreds,
			Usage: "use the ECS instance RAM role: its name, or \"auto\" to discover it from the metadata service"},
		&cli.StringFlag{Name: flagECSMetadata, EnvVars: env(flagECSMetadata), Value: "http://100.100.100.200", Category: catCreds,
			Usage: "ECS instance metadata service base URL"},
		&cli.StringFlag{Name: flagPasswdFile, EnvVars: env(flagPasswdFile), Category: catCreds,
			Usage: "ossfs 1.x passwd file (bucket:AccessKeyId:AccessKeySecret lines, mode 0600) (default: the environment, then $HOME/.passwd-ossfs, /etc/passwd-ossfs)"},

		&cli.IntFlag{Name: flagUID, EnvVars: env(flagUID), Value: -1, Category: catFS,
			Usage: "owner of every file and directory (-1: the user running ossfs)"},
		&cli.IntFlag{Name: flagGID, EnvVars: env(flagGID), Value: -1, Category: catFS,
			Usage: "group of every file and directory (-1: the group of the user running ossfs)"},
		&cli.StringFlag{Name: flagFileMode, EnvVars: env(flagFileMode), Value: "0444", Category: catFS,
			Usage: "permission bits of files (octal)"},
		&cli.StringFlag{Name: flagDirMode, EnvVars: env(flagDirMode), Value: "0555", Category: catFS,
			Usage: "permission bits of directories (octal)"},
		&cli.StringFlag{Name: flagUmask, EnvVars: env(flagUmask), Category: catFS,
			Usage: "octal bits removed from --file-mode and --dir-mode, as ossfs 1.x umask (default: none)"},
		&cli.BoolFlag{Name: flagAllowOther, EnvVars: env(flagAllowOther), Category: catFS,
			Usage: "let users other than the mounting one access the mount (non-root needs user_allow_other in /etc/fuse.conf)"},
		&cli.BoolFlag{Name: flagFuseDebug, EnvVars: env(flagFuseDebug), Category: catFS,
			Usage: "log every FUSE request (very verbose)"},

		&cli.DurationFlag{Name: flagMetadataTTL, EnvVars: env(flagMetadataTTL), Value: time.Minute, Category: catCache,
			Usage: "how long file and directory metadata is cached (changes in the bucket show after at most this; 0 disables caching)"},
		&cli.DurationFlag{Name: flagNegativeTTL, EnvVars: env(flagNegativeTTL), Value: 5 * time.Second, Category: catCache,
			Usage: "how long a name that does not exist is remembered as missing (0 disables)"},
		&cli.IntFlag{Name: flagCacheEntries, EnvVars: env(flagCacheEntries), Value: 100000, Category: catCache,
			Usage: "maximum number of metadata cache entries"},
		&cli.StringFlag{Name: flagPrefetchSize, EnvVars: env(flagPrefetchSize), Value: "64MiB", Category: catCache,
			Usage: "largest read-ahead window of a sequential reader (bytes; K/M/G or KiB/MiB/GiB suffixes are powers of 1024)"},
		&cli.IntFlag{Name: flagPrefetchParallel, EnvVars: env(flagPrefetchParallel), Value: 8, Category: catCache,
			Usage: "ranged GETs in flight per sequential reader"},
		&cli.StringFlag{Name: flagMemoryBudget, EnvVars: env(flagMemoryBudget), Value: "512MiB", Category: catCache,
			Usage: "cap on read-ahead buffers across all open files (bytes, suffixes as --prefetch-size); the Go memory limit is set to it plus 64MiB (unless $GOMEMLIMIT is set), so peak RSS ≈ budget + ~64 MiB"},

		&cli.StringFlag{Name: flagMetricsAddr, EnvVars: env(flagMetricsAddr), Category: "Logging",
			Usage: "serve Prometheus metrics on this HOST:PORT at /metrics, e.g. 127.0.0.1:9100 (default: off)"},

		&cli.IntFlag{Name: flagReadyFD, Hidden: true, Value: -1,
			Usage: "internal: file descriptor on which to report readiness to the ossfs 1.x form's parent"},
	}
	return append(fl, logFlags()...)
}
