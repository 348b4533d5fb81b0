// Package reader is the read path of one open file: it turns the kernel's
// READs (ReadAt) into ranged GETs of one pinned object version, prefetching
// in parallel when the reads are sequential and fetching little when they
// are not, within a memory budget shared by the whole mount.
//
// # Why a window that grows
//
// OSS answers a GET after tens of milliseconds and then streams at a
// per-connection rate, so a single stream of small requests is latency
// bound and a single large request is bandwidth bound. A stream that has
// shown itself sequential therefore gets a window of bytes ahead of the
// reader, split into Parallel ranged GETs in flight at once. The window
// starts small (InitialWindow) and doubles each time a part's worth has
// actually been consumed, up to MaxWindow: a file opened only to read its
// header costs one small GET, and a long scan reaches full speed after a
// few MiB. A READ that lands outside the stream ends it (its in-flight
// parts that nobody waits on are cancelled): a random read fetches what
// it asks for, or MinRequest when it asks for less, buffered so that its
// neighbours hit. The next READ adjacent to it starts a new stream. Near
// counts as adjacent: the kernel's async readahead sends several READs at
// once and they arrive out of order.
//
// # Why memory is reserved, never waited for
//
// Every buffer is reserved from the Budget before its GET starts, and a
// reservation either fits or fails at once. When it fails, prefetch
// stops growing and the READ is served by a GET straight into the
// caller's buffer. So the limit is hard however many files are open, no
// reader ever blocks on memory another reader holds, and even a budget of
// zero makes progress, only slower. Per handle, the stream holds at most
// a window plus one part, and consumed or random chunks kept for
// seek-backs are bounded by retainBytes (LRU). Buffers are mapped outside
// the Go heap in power-of-two classes and unmapped when freed (a few are
// kept for reuse, so a steady scan rarely maps), so the process's memory
// follows the budget instead of the garbage collector's pacing.
//
// # Why one version
//
// The handle pins the ETag it opened and every GET carries If-Match. If
// the object changes, a GET fails with an error wrapping
// ossapi.ErrPreconditionFailed, and the reader stays failed from then on
// (the fs layer maps it to ESTALE): bytes already buffered are of the old
// version and are consistent, but continuing would let a later READ see
// neither or a mix, so the handle must be reopened. Any other GET error
// fails that READ only; the chunk is dropped and a later READ retries.
//
// # Cancellation
//
// The kernel interrupts a READ when the reading process gets a signal,
// Go's own SIGURG preemption included, so an interrupted READ is routine
// and usually retried at once. Buffered GETs are therefore tied to the
// handle (cancelled by Close or when a seek makes them useless), not to
// the READ that started them: an interrupted READ stops waiting and
// returns an error wrapping ctx.Err() at once, and the retried READ finds
// its bytes on the way. A direct GET into the caller's buffer is the
// READ's own and is cancelled with it.
//
// # Zero copy
//
// ReadSlices answers a READ with slices of the chunks' own buffers instead
// of copying them into the caller's: the fs layer hands them to go-fuse,
// which writes them to the kernel with one writev and then releases them.
// A chunk referenced by an unreleased result is not freed, whatever
// happens to the reader meanwhile (eviction, Close).
//
// # Concurrency
//
// There is no lock shared between readers: the Budget is an atomic
// counter and each Reader has its own mutex, held only for bookkeeping,
// never across a GET, a wait or a copy. Many READs of one handle, and of
// many handles, proceed in parallel; a chunk is freed only when it is
// dropped, its GET has ended and no READ is copying from it.
package reader
