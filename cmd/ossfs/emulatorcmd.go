package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ossfs/ossfs/emulator"
)

// emulatorRoleARN is the role `ossfs emulator` and `ossfs demo` let their
// RAM user assume; its policy allows reading every bucket.
const emulatorRoleARN = "acs:ram::1000000000000000:role/ossfs-emulator-reader"

const readAllPolicy = `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:Get*","oss:List*"],"Resource":["acs:oss:*:*:*"]}]}`

func emulatorFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "addr", Value: "127.0.0.1:0",
			Usage: "listen address of the OSS endpoint (STS and the metadata service take free ports on the same host)"},
		&cli.StringFlag{Name: "region", Value: "cn-hangzhou", Usage: "region the V4 signatures are scoped to"},
		&cli.StringSliceFlag{Name: "bucket",
			Usage: "create bucket NAME, filled from the files under SEED_DIR when given (NAME[=SEED_DIR], repeatable)"},
		&cli.DurationFlag{Name: "sts-token-ttl",
			Usage: "shortest STS credential lifetime granted (lowers the 15m floor; mount with --credential-duration equal to it to watch renewals) (default: 15m)"},
		&cli.DurationFlag{Name: "latency", Usage: "delay before each OSS response's first byte"},
		&cli.Int64Flag{Name: "bandwidth", Usage: "cap on each connection's bytes per second (0: unlimited)"},
		&cli.Float64Flag{Name: "error-rate", Usage: "fraction of OSS requests answered with a retryable 500, 503 or 429"},
		&cli.Float64Flag{Name: "reset-rate", Usage: "fraction of GetObject bodies cut mid-stream"},
		&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of the fault choices, for reproducible runs"},
	}
}

func emulatorAction(c *cli.Context) error {
	if c.NArg() != 0 {
		return fmt.Errorf("emulator takes no arguments, got %q", c.Args().Slice())
	}
	for _, name := range []string{"error-rate", "reset-rate"} {
		if r := c.Float64(name); r < 0 || r > 1 {
			return fmt.Errorf("--%s %v: want a fraction between 0 and 1", name, r)
		}
	}
	if c.Duration("latency") < 0 || c.Int64("bandwidth") < 0 || c.Duration("sts-token-ttl") < 0 {
		return fmt.Errorf("--latency, --bandwidth and --sts-token-ttl must not be negative")
	}
	srv, err := emulator.Start(emulator.Options{
		Addr:           c.String("addr"),
		Region:         c.String("region"),
		MinSTSDuration: c.Duration("sts-token-ttl"),
	})
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer srv.Close()
	for _, spec := range c.StringSlice("bucket") {
		if err := addBucket(srv, spec); err != nil {
			return err
		}
	}
	srv.SetFaults(emulator.Faults{
		Latency:              c.Duration("latency"),
		BandwidthBytesPerSec: c.Int64("bandwidth"),
		ErrorRate:            c.Float64("error-rate"),
		ResetRate:            c.Float64("reset-rate"),
		Seed:                 c.Int64("seed"),
	})
	ak, sk := os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"), os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
	if ak != "" && sk != "" {
		srv.AddUser(ak, sk)
	} else {
		ak, sk = srv.NewUser()
	}
	if err := srv.AddRole(emulatorRoleARN, emulator.Role{Policy: readAllPolicy, MaxSessionDuration: 12 * time.Hour}); err != nil {
		return err
	}

	printEnv(c.App.Writer, [][2]string{
		{"OSSFS_ENDPOINT", srv.Endpoint()},
		{"OSSFS_REGION", srv.Region()},
		{"OSSFS_STS_ENDPOINT", srv.STSEndpoint()},
		{"ALIBABA_CLOUD_ACCESS_KEY_ID", ak},
		{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", sk},
		{"OSSFS_EMULATOR_ROLE_ARN", emulatorRoleARN},
	})

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	<-sigs
	return nil
}

// addBucket creates NAME and seeds it from SEED_DIR for "NAME[=SEED_DIR]".
func addBucket(srv *emulator.Server, spec string) error {
	name, dir, seeded := strings.Cut(spec, "=")
	if err := srv.CreateBucket(name); err != nil {
		return fmt.Errorf("--bucket %q: %w", spec, err)
	}
	if seeded {
		if err := srv.SeedDir(name, dir); err != nil {
			return fmt.Errorf("--bucket %q: seed: %w", spec, err)
		}
	}
	return nil
}

// printEnv writes KEY=VALUE lines that a POSIX shell can source, quoting
// values only when they need it.
func printEnv(w io.Writer, kvs [][2]string) {
	for _, kv := range kvs {
		fmt.Fprintf(w, "%s=%s\n", kv[0], shellQuote(kv[1]))
	}
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
