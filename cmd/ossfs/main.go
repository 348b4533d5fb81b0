package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3"); when it
// is not, the module version from the build info is shown.
var version = ""

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit status. Errors are
// printed as one line, "ossfs: <cause>", never a stack trace.
func run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	var err error
	if isLegacyForm(args[1:]) {
		err = runLegacy(app, args)
	} else {
		err = app.Run(args)
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, errSecondSignal) {
		return 130
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := ec.Error(); msg != "" {
			fmt.Fprintln(stderr, "ossfs: "+oneLine(msg))
		}
		return ec.ExitCode()
	}
	fmt.Fprintln(stderr, "ossfs: "+oneLine(err.Error()))
	return 1
}

// usageError replaces urfave/cli's "Incorrect Usage" message and the help
// text after it with one line that points at the command's --help.
func usageError(c *cli.Context, err error, isSubcommand bool) error {
	help := "ossfs --help"
	if isSubcommand && c.Command != nil && c.Command.Name != "" {
		help = "ossfs " + c.Command.Name + " --help"
	}
	return fmt.Errorf("%s; see '%s'", flagErrorText(err.Error()), help)
}

// flagErrorText rewrites the standard flag package's wording, which names
// flags with one dash, into the two-dash form our help shows.
func flagErrorText(msg string) string {
	msg = oneLine(msg)
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown option --" + strings.TrimPrefix(name, "-")
	}
	for _, lead := range []string{"flag needs an argument: -", " for flag -"} {
		if i := strings.Index(msg, lead); i >= 0 && !strings.HasPrefix(msg[i+len(lead):], "-") {
			return msg[:i+len(lead)] + "-" + msg[i+len(lead):]
		}
	}
	return msg
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:      "ossfs",
		Usage:     "mount an Alibaba Cloud OSS bucket read-only",
		UsageText: "ossfs mount [OPTIONS] BUCKET[:/PREFIX] MOUNTPOINT\nossfs BUCKET[:/PREFIX] MOUNTPOINT [-o OPT[,OPT...]] [-f]   (ossfs 1.x form, for fstab)\nossfs emulator [OPTIONS]\nossfs demo MOUNTPOINT\nossfs version",
		Writer:    stdout,
		ErrWriter: stderr,
		// Errors are printed once, by run.
		ExitErrHandler:  func(*cli.Context, error) {},
		OnUsageError:    usageError,
		HideVersion:     true,
		HideHelpCommand: true,
		Commands: []*cli.Command{
			{
				Name:         "mount",
				OnUsageError: usageError,
				Usage:        "mount a bucket and serve it in the foreground until unmounted or signalled",
				ArgsUsage:    "BUCKET[:/PREFIX] MOUNTPOINT",
				Description: "Credentials, first found: --role-arn (STS AssumeRole, signed with the keys below), --ecs-ram-role,\n" +
					"--passwd-file, the environment (ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET[/ALIBABA_CLOUD_SECURITY_TOKEN],\n" +
					"OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET[/OSS_SESSION_TOKEN]), OIDC (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN,\n" +
					"ALIBABA_CLOUD_OIDC_TOKEN_FILE), $OSS_CREDENTIAL_FILE, $HOME/.passwd-ossfs, /etc/passwd-ossfs, the ECS instance role.\n" +
					"Options go before the arguments; each is also read from the OSSFS_<NAME> environment variable shown.",
				Flags:  mountFlags(),
				Action: mountAction,
			},
			{
				Name:         "emulator",
				OnUsageError: usageError,
				Usage:        "run the OSS+STS emulator on loopback and print its settings as KEY=VALUE lines",
				Description:  "ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, when set, become the emulator user's keys and are printed.",
				Flags:        emulatorFlags(),
				Action:       emulatorAction,
			},
			{
				Name:         "demo",
				OnUsageError: usageError,
				Usage:        "mount a sample bucket served by an in-process emulator, through STS AssumeRole",
				ArgsUsage:    "MOUNTPOINT",
				Flags:        logFlags(),
				Action:       demoAction,
			},
			{
				Name:  "version",
				Usage: "print the version",
				Action: func(c *cli.Context) error {
					fmt.Fprintln(c.App.Writer, "ossfs "+versionString())
					return nil
				},
			},
		},
	}
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// isLegacyForm reports an ossfs 1.x command line: its first word is not
// one of our commands or a help/version flag.
func isLegacyForm(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "mount", "emulator", "demo", "version", "help", "-h", "--help", "--version", "-v", "-V":
		return false
	}
	return true
}

// runLegacy translates the 1.x form into `ossfs mount` and runs it: in
// the foreground with -f, else in a background child whose readiness it
// waits for.
func runLegacy(app *cli.App, args []string) error {
	boolFlags, valueFlags := map[string]bool{}, map[string]bool{}
	for _, f := range mountFlags() {
		name := f.Names()[0]
		if _, ok := f.(*cli.BoolFlag); ok {
			boolFlags[name] = true
		} else {
			valueFlags[name] = true
		}
	}
	la, err := parseLegacy(args[1:], boolFlags, valueFlags)
	if err != nil {
		return err
	}
	if la.Foreground {
		return app.Run(append([]string{args[0], "mount"}, la.MountArgs...))
	}
	return spawnDaemon(la.MountArgs)
}
