// Package logsink is a buffered destination for the process log: a Writer
// that collects the records a slog handler writes and passes them to the
// real output (stderr) in large writes, so that a gateway serving hundreds
// of requests a second does not make one write system call per access
// record.
//
// A record is appended to an in-memory buffer under a mutex and written
// out when the buffer reaches Options.BufferSize, or at most
// Options.FlushDelay after the first record not yet written (one timer per
// flush, never one per record), or at once when it is at Warn level or
// above (NewHandler wraps the slog handler to ask for that), or by Flush
// and Close. Records are never split: each Write is one record (slog
// handlers write a whole record in one call) and goes out whole, in order.
//
// No request waits for another's write: the goroutine whose record fills
// the buffer writes it out (one write for some eighty access records),
// unless a write is under way, in which case that write's goroutine takes
// the buffer next; the flush delay's write runs on the timer's goroutine.
// Write errors are counted (Stats) and the records they carried are lost,
// never returned to the logger. While the output is stuck (a full pipe)
// only the goroutine inside the stuck write waits; the buffer grows up to
// Options.MaxBuffered, past which records are dropped and counted.
//
// The trade-off: a crash (SIGKILL, a fatal runtime error) loses the info
// records of at most the last FlushDelay; warnings and errors have been
// written already. The serve command closes the Writer after the server
// has drained, so a clean shutdown loses nothing.
package logsink
