package openai

import (
	"encoding/json"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// eventWriter writes OpenAI's server-sent events, one JSON object per
// "data:" line, on a frontdoor.EventWriter (coalesced flushes, the overhead
// probe, one pooled buffer for the whole stream).
type eventWriter struct {
	*frontdoor.EventWriter
}

func newEventWriter(w http.ResponseWriter, probe *overhead.Probe, rec *overhead.Recorder) *eventWriter {
	return &eventWriter{frontdoor.NewEventWriter(w, probe, rec)}
}

// chunkUsage remembers what the usage chunk needs from the stream: the
// stream's id, model and timestamp, the final usage, and the cost.
type chunkUsage struct {
	id, model string
	created   int64
	usage     *llm.Usage
	cost      frontdoor.StreamCost
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
	u.cost.Chunk(c)
	if !hasDelta(c) {
		return nil
	}
	// AvailableBuffer and the Write that follows reuse the pooled buffer's
	// memory: no allocation per chunk once it has grown.
	buf := e.Buf()
	buf.Reset()
	b := append(buf.AvailableBuffer(), dataPrefix...)
	b = wire.AppendCanonicalChunk(b, c)
	b = append(b, '\n', '\n')
	buf.Write(b)
	return e.Write(buf.Bytes())
}

func hasDelta(c *llm.Chunk) bool {
	return c.Role != "" || c.Text != "" || c.Refusal != "" || c.Reasoning != nil ||
		len(c.ToolCalls) > 0 || c.FinishReason != ""
}

// usageChunk is the include_usage chunk with Switchboard's extension: the
// request's cost in a "switchboard" object, which OpenAI's SDKs ignore
// (they keep unknown fields without failing).
type usageChunk struct {
	*wire.ChatChunk
	Switchboard *chunkExtension `json:"switchboard,omitempty"`
}

type chunkExtension struct {
	// CostUSD is the request's cost in US dollars ("0.000123450").
	CostUSD string `json:"cost_usd"`
	// Unpriced and Estimated are llm.Cost's flags.
	Unpriced  bool `json:"unpriced,omitempty"`
	Estimated bool `json:"estimated,omitempty"`
}

// usage writes the include_usage chunk: empty choices, the usage (zeros
// when the provider reported none) and the cost.
func (e *eventWriter) usage(u *chunkUsage) error {
	var total llm.Usage
	if u.usage != nil {
		total = *u.usage
	}
	out := usageChunk{ChatChunk: &wire.ChatChunk{
		ID:      u.id,
		Object:  wire.ObjectChatCompletionChunk,
		Created: u.created,
		Model:   u.model,
		Choices: []wire.ChunkChoice{},
		Usage:   wire.FromCanonicalUsage(total),
	}}
	if c, ok := u.cost.Cost(); ok {
		out.Switchboard = &chunkExtension{CostUSD: c.USD(), Unpriced: c.Unpriced, Estimated: c.Estimated}
	}
	return e.data(&out)
}

// error sends an error event and flushes. The caller then ends the stream
// without [DONE], so the client knows the answer is incomplete.
func (e *eventWriter) error(err error) error {
	_, body := errorResponse(llm.AsError(err))
	if err := e.data(&body); err != nil {
		return err
	}
	return e.Flush()
}

var (
	dataPrefix = []byte("data: ")
	doneEvent  = []byte("data: [DONE]\n\n")
)

// done writes the end of the stream and flushes.
func (e *eventWriter) done() error {
	if err := e.Write(doneEvent); err != nil {
		return err
	}
	return e.Flush()
}

// data writes v as one event with encoding/json, for the rare events (the
// usage chunk, an error) that have no hand-written encoder.
func (e *eventWriter) data(v any) error {
	buf := e.Buf()
	buf.Reset()
	buf.Write(dataPrefix)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // Encode ends the line with '\n'
		return err
	}
	buf.WriteByte('\n')
	return e.Write(buf.Bytes())
}
