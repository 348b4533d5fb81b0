package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ossfs/ossfs/creds"
	"github.com/ossfs/ossfs/emulator"
)

// demoTTL is the STS lifetime the demo asks for: the refreshing provider
// renews at half of it, so a renewal shows in the log within a minute.
const demoTTL = 60 * time.Second

const demoBucket = "ossfs-demo"

// demoBigSize is the size of the generated binary file (≥ 64 MiB so that
// the read-ahead window can be watched growing).
const demoBigSize = 64 << 20

func demoAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("expected MOUNTPOINT, got %d argument(s)", c.NArg())
	}
	log, err := newLogger(c.App.ErrWriter, c.String(flagLogLevel), c.String(flagLogFormat))
	if err != nil {
		return err
	}
	mnt, err := filepath.Abs(c.Args().First())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		return fmt.Errorf("create mountpoint: %w", err)
	}
	srv, err := emulator.Start(emulator.Options{MinSTSDuration: demoTTL})
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer srv.Close()
	if err := fillDemoBucket(srv); err != nil {
		return fmt.Errorf("fill demo bucket: %w", err)
	}
	ak, sk := srv.NewUser()
	if err := srv.AddRole(emulatorRoleARN, emulator.Role{Policy: readAllPolicy, MaxSessionDuration: time.Hour}); err != nil {
		return err
	}

	// The same path as `ossfs mount --path-style --role-arn ARN`, with the
	// emulator user's keys in place of the environment.
	cfg := &mountConfig{
		Bucket: demoBucket, Mountpoint: mnt,
		Endpoint: srv.Endpoint(), Region: srv.Region(), SignatureVersion: 4, PathStyle: true,
		STSEndpoint: srv.STSEndpoint(), RoleARN: emulatorRoleARN, RoleSessionName: "ossfs-demo", CredDuration: demoTTL,
		UID: uint32(os.Getuid()), GID: uint32(os.Getgid()), FileMode: 0o444, DirMode: 0o555,
		MetadataTTL: time.Minute, NegativeTTL: 5 * time.Second, CacheEntries: 100000,
		PrefetchSize: 64 << 20, PrefetchParallel: 8, MemoryBudget: 512 << 20, ReadyFD: -1,
	}
	base := creds.Static(creds.Credentials{AccessKeyID: ak, AccessKeySecret: sk})
	ready := &demoReady{print: func() { printDemoHelp(c, mnt) }}
	return runMount(cfg, base, log, ready.reporter())
}

// fillDemoBucket creates the sample bucket: nested directories (with and
// without marker objects), text files, a big binary file and a symlink.
func fillDemoBucket(srv *emulator.Server) error {
	if err := srv.CreateBucket(demoBucket); err != nil {
		return err
	}
	texts := map[string]string{
		"README.txt":                     "This bucket is served by ossfs's built-in emulator.\nEverything here is read-only.\n",
		"docs/":                          "", // a directory marker object
		"docs/guide/intro.md":            "# Intro\n\nossfs maps keys to files and common prefixes to directories.\n",
		"docs/guide/advanced/caching.md": "# Caching\n\nListings fill the metadata cache; ls -l costs one list request.\n",
		"data/numbers.csv":               demoCSV(),
		// No marker objects under logs/: an implicit directory.
		"logs/2024/01/app.log": "2024-01-01T00:00:00Z info started\n2024-01-01T00:00:01Z info ready\n",
	}
	for key, body := range texts {
		if _, err := srv.PutObject(demoBucket, key, []byte(body)); err != nil {
			return fmt.Errorf("put %s: %w", key, err)
		}
	}
	if _, err := srv.PutObjectGenerated(demoBucket, "data/big.bin", demoBigSize, 42); err != nil {
		return fmt.Errorf("put data/big.bin: %w", err)
	}
	return srv.PutSymlink(demoBucket, "latest.csv", "data/numbers.csv")
}

func demoCSV() string {
	var b strings.Builder
	b.WriteString("n,square\n")
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&b, "%d,%d\n", i, i*i)
	}
	return b.String()
}

func printDemoHelp(c *cli.Context, mnt string) {
	fmt.Fprintf(c.App.Writer, `
ossfs demo: bucket %q is mounted read-only at %s
Credentials come from STS AssumeRole with a %v lifetime; watch the log for "credentials fetched".

Try, in another shell:
  ls -la %[2]s %[2]s/docs/guide
  find %[2]s
  cat %[2]s/README.txt
  readlink %[2]s/latest.csv; head -3 %[2]s/latest.csv
  sha256sum %[2]s/data/big.bin
  touch %[2]s/new-file   # fails: read-only file system

Press Ctrl-C to unmount and exit.
`, demoBucket, mnt, demoTTL)
}

// demoReady prints the help once the mount serves, through the readiness
// hook runMount already has.
type demoReady struct{ print func() }

func (d *demoReady) reporter() *readyReporter { return &readyReporter{onReady: d.print} }
