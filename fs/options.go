package fs

import (
	"log/slog"
	"os"
	"time"

	"github.com/ossfs/ossfs/fs/reader"
)

// Defaults for zero Options fields.
const (
	DefaultMetadataTTL  = 60 * time.Second
	DefaultNegativeTTL  = 5 * time.Second
	DefaultCacheEntries = 100_000
	DefaultFileMode     = os.FileMode(0o444)
	DefaultDirMode      = os.FileMode(0o555)
	DefaultMemoryBudget = int64(256 << 20)
	DefaultFSName       = "ossfs"
	// DefaultKernelReadahead: see readahead.go; measured in the issue 7
	// benchmark.
	DefaultKernelReadahead = int64(1 << 20)
)

// Options configures a mount. The zero value is usable: every zero field
// takes the default named beside it.
type Options struct {
	// Prefix is the key prefix shown as the mount root ("data/" mounts
	// the keys under data/); "" mounts the whole bucket.
	Prefix string
	// UID and GID own every entry, unless ossfs 1.x metadata on the object
	// (x-oss-meta-uid, -gid) says otherwise.
	UID, GID uint32
	// FileMode and DirMode are the permission bits of files and
	// directories (default 0444 and 0555; only the 07777 bits are used).
	// x-oss-meta-mode on an object overrides FileMode for it.
	FileMode, DirMode os.FileMode
	// AllowOther lets users other than the mounting one see the mount.
	AllowOther bool
	// MetadataTTL is how long attributes, directory entries and listings
	// are trusted, in the cache and in the kernel (default 60s; negative
	// disables caching).
	MetadataTTL time.Duration
	// NegativeTTL is how long "no such file" is trusted (default 5s;
	// negative disables).
	NegativeTTL time.Duration
	// CacheEntries bounds the metadata cache (default 100,000 paths).
	CacheEntries int
	// Reader tunes the per-handle prefetcher.
	Reader reader.Options
	// MemoryBudget bounds the prefetch buffers of all open files together
	// (default 256 MiB).
	MemoryBudget int64
	// KernelReadahead is the kernel's readahead for the mount (bytes;
	// default 1 MiB, negative keeps the kernel's 128 KiB). Setting it needs
	// root; without, the kernel default stays.
	KernelReadahead int64
	// Now is the clock (default time.Now); tests inject a fake one.
	Now func() time.Time
	// Logger receives one line per skipped key, shadowed file and cold
	// object, and two per failure episode: its start, naming the cause,
	// and its end (default slog.Default()).
	Logger *slog.Logger
	// FSName is the mount source shown in /proc/mounts (default "ossfs").
	FSName string
	// Metrics, when not nil, receives FUSE op latencies, cache hits and
	// misses and the prefetch memory in use.
	Metrics Recorder
	// Debug logs every FUSE request (go-fuse's debug output).
	Debug bool
}

// withDefaults returns o with every zero field set to its default and
// negative durations turned into "off".
func (o Options) withDefaults() Options {
	if o.FileMode == 0 {
		o.FileMode = DefaultFileMode
	}
	if o.DirMode == 0 {
		o.DirMode = DefaultDirMode
	}
	o.FileMode &= 0o7777
	o.DirMode &= 0o7777
	switch {
	case o.MetadataTTL == 0:
		o.MetadataTTL = DefaultMetadataTTL
	case o.MetadataTTL < 0:
		o.MetadataTTL = 0
	}
	switch {
	case o.NegativeTTL == 0:
		o.NegativeTTL = DefaultNegativeTTL
	case o.NegativeTTL < 0:
		o.NegativeTTL = 0
	}
	if o.CacheEntries <= 0 {
		o.CacheEntries = DefaultCacheEntries
	}
	if o.MemoryBudget <= 0 {
		o.MemoryBudget = DefaultMemoryBudget
	}
	switch {
	case o.KernelReadahead == 0:
		o.KernelReadahead = DefaultKernelReadahead
	case o.KernelReadahead < 0:
		o.KernelReadahead = 0
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.FSName == "" {
		o.FSName = DefaultFSName
	}
	return o
}
