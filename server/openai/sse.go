package openai

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// eventWriter writes server-sent events, one JSON object per "data:" line.
// Chunks are written as they come and flushed as soon as the stream has no
// further chunk ready (see streamChat), so tokens reach the client as they
// are generated, and chunks that arrived together leave in one write. It
// reuses one buffer for the whole stream. After each flush it tells the
// request's overhead probe, which records the chunks' own time.
type eventWriter struct {
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

// maxCoalescedChunks bounds how many chunks that arrived together are
// written before a flush: fewer system calls, and still at most a few
// microseconds' wait for the first of them.
const maxCoalescedChunks = 16

func newEventWriter(w http.ResponseWriter, probe *overhead.Probe, rec *overhead.Recorder) *eventWriter {
	return &eventWriter{w: w, flusher: http.NewResponseController(w), buf: getBuffer(), probe: probe, overhead: rec}
}

func (e *eventWriter) release() { putBuffer(e.buf) }

// flush sends what was written, if anything, and notes it as delivered.
func (e *eventWriter) flush() error {
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

// write writes one event, to be flushed later.
func (e *eventWriter) write(b []byte) error {
	e.dirty = true
	e.unflushed++
	e.probe.ChunkWritten()
	_, err := e.w.Write(b)
	return err
}

// chunkUsage remembers what the usage chunk needs from the stream: the
// stream's id, model and timestamp, and the final usage.
type chunkUsage struct {
	id, model string
	created   int64
	usage     *llm.Usage
}

// chunk writes c as a chat.completion.chunk, without flushing. Usage is
// taken off the chunk and kept for the final usage chunk, so that without
// include_usage no chunk carries usage and with it only the last does, as
// OpenAI does. A chunk that carried nothing but usage is not sent.
func (e *eventWriter) chunk(c *llm.Chunk, u *chunkUsage) error {
	if c.ID != "" {
		u.id = c.ID
	}
	if c.Model != "" {
		u.model = c.Model
	}
	if c.Created != 0 {
		u.created = c.Created
	}
	if c.Usage != nil {
		u.usage = c.Usage
		c.Usage = nil
	}
	if !hasDelta(c) {
		return nil
	}
	// AvailableBuffer and the Write that follows reuse the pooled buffer's
	// memory: no allocation per chunk once it has grown.
	e.buf.Reset()
	b := append(e.buf.AvailableBuffer(), dataPrefix...)
	b = wire.AppendCanonicalChunk(b, c)
	b = append(b, '\n', '\n')
	e.buf.Write(b)
	return e.write(e.buf.Bytes())
}

func hasDelta(c *llm.Chunk) bool {
	return c.Role != "" || c.Text != "" || c.Refusal != "" || c.Reasoning != nil ||
		len(c.ToolCalls) > 0 || c.FinishReason != ""
}

// usage writes the include_usage chunk: empty choices and the usage (zeros
// when the provider reported none).
func (e *eventWriter) usage(u *chunkUsage) error {
	var total llm.Usage
	if u.usage != nil {
		total = *u.usage
	}
	return e.data(&wire.ChatChunk{
		ID:      u.id,
		Object:  wire.ObjectChatCompletionChunk,
		Created: u.created,
		Model:   u.model,
		Choices: []wire.ChunkChoice{},
		Usage:   wire.FromCanonicalUsage(total),
	})
}

// error sends an error event and flushes. The caller then ends the stream
// without [DONE], so the client knows the answer is incomplete.
func (e *eventWriter) error(err error) error {
	_, body := errorResponse(llm.AsError(err))
	if err := e.data(&body); err != nil {
		return err
	}
	return e.flush()
}

var (
	dataPrefix = []byte("data: ")
	doneEvent  = []byte("data: [DONE]\n\n")
)

// done writes the end of the stream and flushes.
func (e *eventWriter) done() error {
	if err := e.write(doneEvent); err != nil {
		return err
	}
	return e.flush()
}

// data writes v as one event with encoding/json, for the rare events (the
// usage chunk, an error) that have no hand-written encoder.
func (e *eventWriter) data(v any) error {
	e.buf.Reset()
	e.buf.Write(dataPrefix)
	enc := json.NewEncoder(e.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // Encode ends the line with '\n'
		return err
	}
	e.buf.WriteByte('\n')
	return e.write(e.buf.Bytes())
}
