package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/fs"
	"github.com/ossfs/ossfs/fs/reader"
	"github.com/ossfs/ossfs/metrics"
	"github.com/ossfs/ossfs/ossapi"
)

// checkTimeout bounds the pre-mount bucket check, retries included.
const checkTimeout = 45 * time.Second

func mountAction(c *cli.Context) error {
	ready := newReadyReporter(c.Int(flagReadyFD))
	if ready != nil {
		// The 1.x form's child outlives its parent's stderr: a write to a
		// closed pipe must fail, not kill the mount.
		signal.Ignore(syscall.SIGPIPE)
	}
	err := func() error {
		cfg, err := parseMountConfig(c)
		if err != nil {
			return err
		}
		w := c.App.ErrWriter
		if path := c.String(flagLogFile); path != "" {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
			if err != nil {
				return fmt.Errorf("--%s: %w", flagLogFile, err)
			}
			defer f.Close()
			w = f
		}
		log, err := newLogger(w, c.String(flagLogLevel), c.String(flagLogFormat))
		if err != nil {
			return err
		}
		return runMount(cfg, nil, log, ready)
	}()
	if err != nil && !errors.Is(err, errSecondSignal) && ready != nil {
		ready.Fail(err)
		code := 1
		var ec cli.ExitCoder
		if errors.As(err, &ec) {
			code = ec.ExitCode()
		}
		return cli.Exit("", code) // the parent prints the cause
	}
	return err
}

// runMount checks, mounts and serves until unmounted or signalled. base,
// when not nil, replaces the default credential chain as the source of
// keys (the demo passes its emulator user's keys this way).
func runMount(cfg *mountConfig, base creds.Provider, log *slog.Logger, ready *readyReporter) error {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	// Until fs.Mount, the first signal cancels whatever is under way
	// (credentials, the bucket check) and ends the process unmounted.
	pre := watchPreMount(sigs)
	defer pre.stop()

	// A failure before the mount serves is told in one line by the caller;
	// the log lines leading to it are held back and dropped (see holdlog.go).
	log, releaseLog := newHeldLogger(log.Handler())
	defer releaseLog(false)
	setMemoryLimit(cfg.MemoryBudget, log)

	if err := checkMountpoint(cfg.Mountpoint); err != nil {
		return err
	}
	if err := checkUnprivilegedFUSE(cfg.AllowOther); err != nil {
		return err
	}
	var reg *metrics.Registry
	var onRefresh func(ok bool, err error)
	var observer ossapi.RequestObserver
	if cfg.MetricsAddr != "" {
		reg = metrics.New()
		onRefresh, observer = reg.OnRefresh, reg
	}
	provider, err := buildProvider(cfg, base, log, onRefresh)
	if err != nil {
		return err
	}
	client, err := ossapi.New(ossapi.Config{
		Endpoint:         endpointFor(cfg),
		Region:           cfg.Region,
		Bucket:           cfg.Bucket,
		PathStyle:        cfg.PathStyle,
		SignatureVersion: cfg.SignatureVersion,
		Credentials:      provider,
		UserAgent:        "ossfs/" + versionString(),
		Logger:           log,
		Observer:         observer,
	})
	if err != nil {
		return fmt.Errorf("oss client: %w", err)
	}
	ctx, cancel := context.WithTimeout(pre.ctx, checkTimeout)
	err = client.CheckAccess(ctx)
	cancel()
	if err := pre.interrupted(); err != nil {
		return err
	}
	if err != nil {
		return explainAccessError(cfg, client.Endpoint(), err)
	}
	// After the check: a default chain has chosen its source by now.
	defer startRenewal(provider)()
	var store fs.ObjectStore = client
	var recorder fs.Recorder // stays a nil interface when metrics are off: no cost per operation
	if reg != nil {
		bound, closeMetrics, err := reg.Listen(cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("--%s: %w", flagMetricsAddr, err)
		}
		defer closeMetrics()
		log.Info("metrics served", "url", "http://"+bound.String()+"/metrics")
		store, recorder = metrics.WrapStore(client, reg), reg
	}
	// From here on signals go to serveUntilSignal; one that came before
	// ends the process before mounting.
	if err := pre.stop(); err != nil {
		return err
	}
	srv, err := fs.Mount(cfg.Mountpoint, store, fs.Options{
		Prefix:       cfg.Prefix,
		UID:          cfg.UID,
		GID:          cfg.GID,
		FileMode:     os.FileMode(cfg.FileMode),
		DirMode:      os.FileMode(cfg.DirMode),
		AllowOther:   cfg.AllowOther,
		MetadataTTL:  offIfZero(cfg.MetadataTTL),
		NegativeTTL:  offIfZero(cfg.NegativeTTL),
		CacheEntries: cfg.CacheEntries,
		Reader:       reader.Options{MaxWindow: cfg.PrefetchSize, Parallel: cfg.PrefetchParallel},
		MemoryBudget: cfg.MemoryBudget,
		Logger:       log,
		FSName:       cfg.Bucket,
		Debug:        cfg.FuseDebug,
		Metrics:      recorder,
	})
	if err != nil {
		return fmt.Errorf("mount %s: %w", cfg.Mountpoint, err)
	}
	releaseLog(true)
	log.Info("mounted", "bucket", cfg.Bucket, "prefix", cfg.Prefix, "mountpoint", cfg.Mountpoint,
		"endpoint", client.Endpoint(), "credentials", fmt.Sprint(provider))
	if err := ready.Ready(); err != nil {
		// The 1.x form's parent died (or was killed) while we mounted:
		// nobody expects this mount, so do not leave it behind.
		if uerr := srv.Unmount(); uerr != nil {
			_ = lazyUnmount(cfg.Mountpoint)
		}
		return fmt.Errorf("%w; unmounted", err)
	}
	if err := sdNotify("READY=1"); err != nil {
		log.Warn("systemd readiness not sent", "err", err)
	}
	return serveUntilSignal(srv, cfg.Mountpoint, sigs, unmountGrace, lazyUnmount, log)
}

// offIfZero maps our "0 disables" to fs's "negative disables" (fs takes
// zero as "default").
func offIfZero(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// endpointFor returns --endpoint, or the public endpoint of --region.
func endpointFor(cfg *mountConfig) string {
	if cfg.Endpoint != "" {
		return cfg.Endpoint
	}
	return "https://oss-" + cfg.Region + ".aliyuncs.com"
}

// explainAccessError turns a failed bucket check into one line that names
// the cause first, the service's details (code, request id) after.
func explainAccessError(cfg *mountConfig, endpoint string, err error) error {
	var cause string
	var stsErr *creds.STSError
	switch {
	case errors.As(err, &stsErr):
		cause = "credentials: STS " + stsErr.Action + " failed with " + stsErr.Code + " (" + stsHint(stsErr.Code) + ")"
	case errors.Is(err, ossapi.ErrCredentialsUnavailable) && !errors.Is(err, creds.ErrNotConfigured):
		cause = "credentials: the credential source failed (see details)"
	case errors.Is(err, creds.ErrNotConfigured):
		cause = "no credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or use --passwd-file, --ecs-ram-role or OIDC"
	case errors.Is(err, ossapi.ErrNoSuchBucket):
		cause = fmt.Sprintf("no such bucket: %q does not exist at %s (check the name and the region/endpoint)", cfg.Bucket, endpoint)
	case errors.Is(err, ossapi.ErrClockSkew):
		cause = "clock skew: this machine's clock is too far from OSS's (more than 15 minutes); fix the time (NTP/chrony)"
	case errors.Is(err, ossapi.ErrInvalidCredentials):
		cause = "invalid key: OSS refused the access key (unknown key id, wrong secret, or an expired/invalid security token)"
	case errors.Is(err, ossapi.ErrAccessDenied):
		cause = fmt.Sprintf("access denied: the credentials may not list bucket %q (check the RAM policy: oss:ListObjects and oss:GetObject)", cfg.Bucket)
	case errors.Is(err, ossapi.ErrUnreachable):
		cause = fmt.Sprintf("endpoint unreachable: no answer from %s (check --endpoint, DNS, firewall, proxy)", endpoint)
	default:
		return fmt.Errorf("bucket %q: %w", cfg.Bucket, err)
	}
	return fmt.Errorf("%s; details: %w", cause, err)
}

// stsHint says what an STS error code usually means for the person mounting.
func stsHint(code string) string {
	switch {
	case code == "SignatureDoesNotMatch", strings.HasPrefix(code, "InvalidAccessKeyId"):
		return "the access key id or secret that signs AssumeRole is wrong"
	case code == "EntityNotExist.Role", code == "InvalidParameter.RoleArn":
		return "check --role-arn: the role does not exist"
	case code == "NoPermission":
		return "the keys may not assume this role: check its trust policy and --external-id"
	case strings.HasPrefix(code, "InvalidParameter"):
		return "a parameter was refused: check --credential-duration, --role-session-name and --policy-file"
	case strings.HasPrefix(code, "AuthenticationFail.OIDCToken"):
		return "the OIDC token was refused: check ALIBABA_CLOUD_OIDC_TOKEN_FILE and the provider ARN"
	default:
		return "see details"
	}
}
