package logsink

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options.
const (
	DefaultBufferSize  = 32 << 10
	DefaultFlushDelay  = 100 * time.Millisecond
	DefaultMaxBuffered = 1 << 20
)

// Options configures New. Zero values take the defaults.
type Options struct {
	// BufferSize is how many bytes of records are collected before they
	// are written out without waiting for FlushDelay.
	BufferSize int
	// FlushDelay is the longest a record waits in the buffer.
	FlushDelay time.Duration
	// MaxBuffered bounds the bytes waiting while the output is slow or
	// stuck; past it records are dropped (counted in Stats).
	MaxBuffered int
}

// Stats are the Writer's counters.
type Stats struct {
	// Writes counts the writes made to the output; WriteErrors those that
	// failed (their records are lost).
	Writes, WriteErrors int64
	// Dropped counts the records refused because MaxBuffered bytes were
	// waiting already.
	Dropped int64
}

// Writer buffers records for an output; see the package documentation.
// It is safe for concurrent use.
type Writer struct {
	out  io.Writer
	opts Options

	// mu guards the fields below it; it is never held across a write to
	// out, so that records are taken while a write is under way.
	mu sync.Mutex
	// buf holds the records not yet written; spare is the array of the
	// last written buffer, kept for the next one.
	buf, spare []byte
	// timer writes buf out FlushDelay after its first record; timerArmed
	// tells that it is running for what buf holds.
	timer      *time.Timer
	timerArmed bool
	// flushWanted asks whoever holds writeMu (or gets it next) to write
	// out what buf holds.
	flushWanted bool
	closed      bool

	// writeMu is held while writing to out: one write at a time, in the
	// order the buffers were taken.
	writeMu sync.Mutex

	writes, writeErrors, dropped atomic.Int64
}

// keptBufferFactor: a buffer that grew past this many times BufferSize
// (while the output was stuck) is not kept for reuse.
const keptBufferFactor = 4

// New returns a Writer over out. Call Close when the process shuts down,
// after the last record it wants kept.
func New(out io.Writer, opts Options) *Writer {
	if opts.BufferSize <= 0 {
		opts.BufferSize = DefaultBufferSize
	}
	if opts.FlushDelay <= 0 {
		opts.FlushDelay = DefaultFlushDelay
	}
	if opts.MaxBuffered <= 0 {
		opts.MaxBuffered = DefaultMaxBuffered
	}
	opts.MaxBuffered = max(opts.MaxBuffered, opts.BufferSize)
	w := &Writer{out: out, opts: opts}
	w.buf = w.newBuffer()
	w.timer = time.AfterFunc(time.Hour, w.requestFlush)
	w.timer.Stop()
	return w
}

// Write takes one record (p is copied). It writes to the output only when
// the buffer is full and no other write is under way, and never waits for
// another goroutine's write, unless the Writer is closed: then it writes p
// before returning. It always reports success: a log record that cannot
// be written must not fail what logged it.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.closed {
		w.buf = append(w.buf, p...)
		w.mu.Unlock()
		w.Flush()
		return len(p), nil
	}
	if len(w.buf) > 0 && len(w.buf)+len(p) > w.opts.MaxBuffered {
		w.mu.Unlock()
		w.dropped.Add(1)
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	kick := false
	switch {
	case len(w.buf) >= w.opts.BufferSize:
		// Written by this caller (one write for a buffer's worth of
		// records, cheaper than handing it to another goroutine), unless
		// a write is under way: then its writer takes this buffer next.
		kick = !w.flushWanted
		w.flushWanted = true
	case !w.timerArmed:
		w.timerArmed = true
		w.timer.Reset(w.opts.FlushDelay)
	}
	w.mu.Unlock()
	if kick {
		w.tryFlush()
	}
	return len(p), nil
}

// requestFlush asks for what is buffered to be written now, and writes it
// unless another goroutine is writing to the output (which then writes it
// right after, without this one waiting).
func (w *Writer) requestFlush() {
	w.mu.Lock()
	w.flushWanted = true
	w.mu.Unlock()
	w.tryFlush()
}

// tryFlush writes out what was asked for, if no other goroutine is
// writing. The loop covers a request made while another goroutine held
// writeMu and was about to release it: its TryLock failed, so the holder,
// once it has released writeMu, takes the request.
func (w *Writer) tryFlush() {
	for w.wanted() && w.writeMu.TryLock() {
		w.writeWanted()
		w.writeMu.Unlock()
	}
}

func (w *Writer) wanted() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushWanted
}

// Flush writes out every record written before the call, waiting for a
// write under way, and returns the first error of the writes it made.
func (w *Writer) Flush() error {
	w.mu.Lock()
	w.flushWanted = true
	w.mu.Unlock()
	w.writeMu.Lock()
	err := w.writeWanted()
	w.writeMu.Unlock()
	w.tryFlush()
	return err
}

// writeWanted writes the buffer to the output as long as a flush is
// asked for. It is called with writeMu held.
func (w *Writer) writeWanted() error {
	var first error
	for {
		w.mu.Lock()
		if !w.flushWanted {
			w.mu.Unlock()
			return first
		}
		w.flushWanted = false
		out := w.buf
		if w.spare == nil { // the first flush, or the last buffer grew too large to keep
			w.spare = w.newBuffer()
		}
		w.buf, w.spare = w.spare, nil
		if w.timerArmed {
			// What the timer was armed for is in out; the next record
			// arms it again.
			w.timer.Stop()
			w.timerArmed = false
		}
		w.mu.Unlock()

		if len(out) > 0 {
			w.writes.Add(1)
			if _, err := w.out.Write(out); err != nil {
				w.writeErrors.Add(1)
				if first == nil {
					first = err
				}
			}
		}
		if cap(out) <= keptBufferFactor*w.opts.BufferSize {
			w.mu.Lock()
			w.spare = out[:0]
			w.mu.Unlock()
		}
	}
}

// newBuffer returns an empty buffer with room for a full one and the
// record that fills it.
func (w *Writer) newBuffer() []byte {
	return make([]byte, 0, w.opts.BufferSize+w.opts.BufferSize/4)
}

// Close writes out what is buffered; records written afterwards go to the
// output at once, unbuffered. It returns the first error the output gave
// while flushing.
func (w *Writer) Close() error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	return w.Flush()
}

// Stats returns the counters.
func (w *Writer) Stats() Stats {
	return Stats{Writes: w.writes.Load(), WriteErrors: w.writeErrors.Load(), Dropped: w.dropped.Load()}
}
