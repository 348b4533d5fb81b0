// Package integration holds the tests that really mount: an in-process
// emulator (OSS + STS) behind an ossapi client, fs.Mount into a temporary
// directory, and the shell tools people use on a mount (ls, stat, cat,
// find, cp -r, sha256sum, getfattr, readlink, touch, mkdir, rm). They
// assert what users see and what it costs, counted by the emulator.
//
// The package has no non-test code. Tests that need FUSE skip without
// root or /dev/fuse, and fail instead when OSSFS_REQUIRE_FUSE=1 (CI).
// getfattr comes from the attr package (apt-get install -y attr).
//
// Short form (CI, a few minutes under -race):
//
//	OSSFS_REQUIRE_FUSE=1 go test -race ./integration
//
// Long form (the full sizes: 1 GiB object, 60 s renewal soak,
// 2 min load):
//
//	OSSFS_LONG=1 OSSFS_REQUIRE_FUSE=1 go test -v -timeout 30m ./integration
//
// Figures (throughput, renewals, peak RSS) are printed with t.Logf as
// "FIGURE scenario N" lines: add -v and -run 'Faults|Renewal|Load'.
//
// Bugs reported to another package's owner are marked, not hidden: a
// test that only documents one skips with "KNOWN BUG, reported", and a
// symptom inside a larger test is logged that way; OSSFS_KNOWN_BUGS=1
// turns both into failures.
//
// Files: harness_test.go (emulator, client, mount, commands, counters,
// log capture), tcpproxy_test.go (a TCP outage), binary_test.go (build and
// drive the ossfs binary), one file per scenario; bench*_test.go belong to
// the benchmarks.
package integration
