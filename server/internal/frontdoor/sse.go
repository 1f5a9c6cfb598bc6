package frontdoor

import (
	"bytes"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// EventWriter writes a server-sent event stream. Events are written as they
// come and flushed as soon as the stream has no further chunk ready (see
// FlushDue), so tokens reach the client as they are generated and chunks
// that arrived together leave in one write. It lends one pooled buffer for
// the whole stream (Buf) to format events in. After each flush it tells the
// request's overhead probe, which records the chunks' own time.
type EventWriter struct {
	w        http.ResponseWriter
	flusher  *http.ResponseController
	buf      *bytes.Buffer
	probe    *overhead.Probe
	overhead *overhead.Recorder
	// dirty is set when something was written since the last flush;
	// unflushed counts the events written since then, and flushes the
	// flushes so far.
	dirty              bool
	unflushed, flushes int
}

// MaxCoalescedEvents bounds how many events that arrived together are
// written before a flush: fewer system calls, and still at most a few
// microseconds' wait for the first of them.
const MaxCoalescedEvents = 16

// NewEventWriter returns a writer on w; probe and rec may be nil. The
// caller must Release it.
func NewEventWriter(w http.ResponseWriter, probe *overhead.Probe, rec *overhead.Recorder) *EventWriter {
	return &EventWriter{w: w, flusher: http.NewResponseController(w), buf: GetBuffer(), probe: probe, overhead: rec}
}

// Release returns the buffer to the pool.
func (e *EventWriter) Release() { PutBuffer(e.buf) }

// Buf is the writer's scratch buffer, reset by the caller before use.
func (e *EventWriter) Buf() *bytes.Buffer { return e.buf }

// Write writes one event, to be flushed later.
func (e *EventWriter) Write(b []byte) error {
	e.dirty = true
	e.unflushed++
	e.probe.ChunkWritten()
	_, err := e.w.Write(b)
	return err
}

// Flush sends what was written, if anything, and notes it as delivered.
func (e *EventWriter) Flush() error {
	if !e.dirty {
		return nil
	}
	e.dirty, e.unflushed = false, 0
	e.flushes++
	if err := e.flusher.Flush(); err != nil {
		return err
	}
	e.probe.ChunkDone(e.overhead)
	return nil
}

// FlushDue reports whether what was written should leave now, before the
// next chunk of stream is read: always for the first flush (time to first
// token), after MaxCoalescedEvents unflushed events, and whenever the next
// chunk is not already there, so that no chunk waits for one that has not
// arrived.
func (e *EventWriter) FlushDue(stream llm.Stream) bool {
	return e.flushes == 0 || e.unflushed >= MaxCoalescedEvents || !llm.IsBuffered(stream)
}
