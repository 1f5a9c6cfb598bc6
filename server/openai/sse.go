package openai

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// eventWriter writes server-sent events, one JSON object per "data:" line,
// and flushes each so tokens reach the client as they are generated. It
// reuses one buffer and one encoder for the whole stream.
type eventWriter struct {
	w       http.ResponseWriter
	flusher *http.ResponseController
	buf     *bytes.Buffer
	enc     *json.Encoder
}

func newEventWriter(w http.ResponseWriter) *eventWriter {
	buf := getBuffer()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return &eventWriter{w: w, flusher: http.NewResponseController(w), buf: buf, enc: enc}
}

func (e *eventWriter) release() { putBuffer(e.buf) }

// chunkUsage remembers what the usage chunk needs from the stream: the
// stream's id, model and timestamp, and the final usage.
type chunkUsage struct {
	id, model string
	created   int64
	usage     *llm.Usage
}

// chunk sends c as a chat.completion.chunk. Usage is taken off the chunk and
// kept for the final usage chunk, so that without include_usage no chunk
// carries usage and with it only the last does, as OpenAI does. A chunk that
// carried nothing but usage is not sent.
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
	return e.data(wire.FromCanonicalChunk(c))
}

func hasDelta(c *llm.Chunk) bool {
	return c.Role != "" || c.Text != "" || c.Refusal != "" || c.Reasoning != nil ||
		len(c.ToolCalls) > 0 || c.FinishReason != ""
}

// usage sends the include_usage chunk: empty choices and the usage (zeros
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

// error sends an error event. The caller then ends the stream without
// [DONE], so the client knows the answer is incomplete.
func (e *eventWriter) error(err error) error {
	_, body := errorResponse(llm.AsError(err))
	return e.data(&body)
}

var doneEvent = []byte("data: [DONE]\n\n")

func (e *eventWriter) done() error {
	if _, err := e.w.Write(doneEvent); err != nil {
		return err
	}
	return e.flusher.Flush()
}

func (e *eventWriter) data(v any) error {
	e.buf.Reset()
	e.buf.WriteString("data: ")
	if err := e.enc.Encode(v); err != nil { // Encode ends the line with '\n'
		return err
	}
	e.buf.WriteByte('\n')
	if _, err := e.w.Write(e.buf.Bytes()); err != nil {
		return err
	}
	return e.flusher.Flush()
}
