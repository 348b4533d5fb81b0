package main

import (
	"log/slog"
	"os"
	"runtime/debug"
)

// memOverhead is what the process needs besides the read-ahead budget:
// the metadata cache, HTTP connections and their buffers, goroutine
// stacks, go-fuse's request buffers and the runtime. The --help text of
// --memory-budget quotes it.
const memOverhead = 64 << 20

// memoryLimit is the Go soft memory limit for a read-ahead budget, or
// ok=false when $GOMEMLIMIT is set (the runtime has applied it already
// and the user's choice wins).
func memoryLimit(budget int64, gomemlimit string) (limit int64, ok bool) {
	if gomemlimit != "" {
		return 0, false
	}
	if budget > (1<<62)-memOverhead {
		budget = (1 << 62) - memOverhead
	}
	return budget + memOverhead, true
}

// setMemoryLimit keeps the heap near budget+overhead under load: without
// a limit the GC lets the heap grow to twice the live data, so a full
// read-ahead budget could double the process's RSS before a collection.
func setMemoryLimit(budget int64, log *slog.Logger) {
	limit, ok := memoryLimit(budget, os.Getenv("GOMEMLIMIT"))
	if !ok {
		log.Debug("memory limit left to GOMEMLIMIT", "GOMEMLIMIT", os.Getenv("GOMEMLIMIT"))
		return
	}
	debug.SetMemoryLimit(limit)
	log.Debug("memory limit set", "bytes", limit, "budget", budget, "overhead", memOverhead)
}
