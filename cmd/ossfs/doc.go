// Command ossfs mounts an Alibaba Cloud OSS bucket (or a prefix of it) as a
// read-only directory.
//
//	ossfs mount [OPTIONS] BUCKET[:/PREFIX] MOUNTPOINT   foreground, for systemd and containers
//	ossfs BUCKET[:/PREFIX] MOUNTPOINT [-o OPT,...] [-f] ossfs 1.x form, for fstab (mount.fuse3)
//	ossfs emulator [OPTIONS]                            the OSS+STS emulator on loopback
//	ossfs demo MOUNTPOINT                               emulator + sample bucket, mounted
//	ossfs version
//
// The command is thin: it turns flags, OSSFS_* environment variables and
// ossfs 1.x -o options into the configs of the creds, ossapi and fs
// packages, checks the mountpoint and the bucket before mounting, reports
// readiness (systemd NOTIFY_SOCKET, or the waiting parent of the 1.x form)
// and unmounts cleanly on SIGTERM, SIGINT or SIGHUP.
//
// A signal before the mount serves cancels the credential fetch and bucket
// check and ends the process unmounted: one line "interrupted before
// mounting", exit status 128 + the signal number (130 for SIGINT, 143 for
// SIGTERM, 129 for SIGHUP; the 1.x form passes the signal to its child).
//
// Every other pre-mount failure ends the process with exit status 1 and one line
// on stderr naming the cause; a usage error is one line too, pointing at
// the command's --help. Log lines written before the mount serves are held
// back: written once it serves, dropped if it fails (the error line says
// it all), passed at once with --log-level debug. No option carries a
// secret, and no log line, error or metric prints one.
//
// A FUSE mount already at the mountpoint is probed with statfs, bounded in
// time: a dead daemon (ENOTCONN) is reported as a stale, disconnected mount
// with the command that clears it; a hung one as not answering.
//
// The Go memory limit is set to --memory-budget plus a fixed 64 MiB
// (unless $GOMEMLIMIT is set), so the GC keeps the heap near the budget.
//
// fstab: type fuse.ossfs runs through mount.fuse3 as the 1.x form with the
// default PATH (dist/fstab.example); mount(8)'s own options are dropped by
// mount(8), the generic ones it passes on are accepted and ignored.
package main
