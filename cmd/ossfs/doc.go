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
// and unmounts cleanly on SIGTERM/SIGINT.
//
// Every pre-mount failure ends the process with exit status 1 and one line
// on stderr naming the cause; no option carries a secret.
package main
