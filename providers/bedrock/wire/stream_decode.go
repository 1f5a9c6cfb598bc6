package wire

import (
	"encoding/base64"
	"encoding/json"

	"github.com/switchboard-gw/switchboard/llm"
)

// maxBlocks bounds the content block index a stream may use; a larger one
// is a broken upstream, not a long answer.
const maxBlocks = 1 << 16

// StreamDecoder turns the frames of one ConverseStream answer into
// canonical chunks. It keeps what the events only imply: which content
// block is which tool call (a ToolCallDelta's Index is the call's ordinal
// among the answer's toolUse blocks, not the block index), which blocks are
// text or reasoning (they have no start event), and whether messageStop and
// the metadata with the usage have arrived.
//
// Chunks come in this order: the role (messageStart), the deltas, the
// finish reason (messageStop), then the usage (metadata, the last event).
type StreamDecoder struct {
	provider, model, id string
	answerTool          string

	blocks   []blockState // by content block index
	calls    int          // toolUse blocks seen, the answer tool excepted
	answered bool         // the answer tool was called
	started  bool
	stopped  bool
	usage    bool

	ev StreamEvent // decode target, reused
}

type blockKind uint8

const (
	blockUnknown blockKind = iota
	blockText
	blockToolUse
	blockAnswer // the answer tool: its input is text
	blockReasoning
)

type blockState struct {
	kind     blockKind
	ordinal  int
	gotDelta bool
}

// NewStreamDecoder returns a decoder for one stream. provider names the
// provider in errors; model and id are stamped on every chunk (Bedrock
// streams carry neither: the provider passes the requested model and the
// x-amzn-RequestId); answerTool is ConverseRequest.AnswerTool of the
// request (its input streams as text), or "".
func NewStreamDecoder(provider, model, id, answerTool string) *StreamDecoder {
	return &StreamDecoder{provider: provider, model: model, id: id, answerTool: answerTool}
}

// Stopped reports whether messageStop has arrived: the answer is complete,
// and only the metadata may follow.
func (d *StreamDecoder) Stopped() bool { return d.stopped }

// Done reports whether the metadata has arrived after messageStop: nothing
// more is to come.
func (d *StreamDecoder) Done() bool { return d.stopped && d.usage }

// Decode converts one frame and appends the resulting chunks to dst. An
// exception frame returns the classified error; a malformed payload an
// Upstream error. The appended chunks share no memory with the frame.
func (d *StreamDecoder) Decode(f *Frame, dst []llm.Chunk) ([]llm.Chunk, error) {
	switch f.Header(HeaderMessageType) {
	case MessageTypeException:
		return dst, ClassifyException(d.provider, f.Header(HeaderExceptionType), f.Payload)
	case MessageTypeError:
		return dst, &llm.Error{Kind: llm.KindUpstream, Provider: d.provider, Code: safeCode(f.Header(HeaderErrorCode)),
			Message: d.provider + " reported a stream error: " + RedactSecrets(snippet([]byte(f.Header(HeaderErrorMessage)), maxMessageLen))}
	}
	d.ev = StreamEvent{}
	if err := json.Unmarshal(f.Payload, &d.ev); err != nil {
		return dst, &llm.Error{Kind: llm.KindUpstream, Provider: d.provider, Message: "malformed stream event from " + d.provider, Err: err}
	}
	ev := &d.ev
	switch f.Header(HeaderEventType) {
	case EventMessageStart:
		d.started = true
		return append(dst, d.chunk(llm.Chunk{Role: llm.RoleAssistant})), nil
	case EventContentBlockStart:
		return d.blockStart(ev, dst)
	case EventContentBlockDelta:
		if ev.Delta == nil {
			return dst, d.malformed("contentBlockDelta without a delta")
		}
		return d.blockDelta(ev.ContentBlockIndex, ev.Delta, dst)
	case EventContentBlockStop:
		return d.blockStop(ev.ContentBlockIndex, dst)
	case EventMessageStop:
		d.stopped = true
		c := d.chunk(llm.Chunk{RawFinishReason: ev.StopReason, FinishReason: ToCanonicalFinishReason(ev.StopReason)})
		if d.answered && c.FinishReason == llm.FinishToolCalls && d.calls == 0 {
			c.FinishReason = llm.FinishStop
		}
		return append(dst, c), nil
	case EventMetadata:
		if ev.Usage == nil {
			return dst, nil
		}
		d.usage = true
		u := ToCanonicalUsage(ev.Usage)
		c := d.chunk(llm.Chunk{})
		c.Usage = &u
		return append(dst, c), nil
	}
	// Event types added after this was written.
	return dst, nil
}

func (d *StreamDecoder) malformed(what string) error {
	return &llm.Error{Kind: llm.KindUpstream, Provider: d.provider, Message: "malformed stream from " + d.provider + ": " + what}
}

// chunk stamps the answer's id and model on c.
func (d *StreamDecoder) chunk(c llm.Chunk) llm.Chunk {
	c.ID, c.Model = d.id, d.model
	return c
}

func (d *StreamDecoder) block(index int) (*blockState, error) {
	if index < 0 || index >= maxBlocks {
		return nil, d.malformed("content block index out of range")
	}
	for len(d.blocks) <= index {
		d.blocks = append(d.blocks, blockState{})
	}
	return &d.blocks[index], nil
}

func (d *StreamDecoder) blockStart(ev *StreamEvent, dst []llm.Chunk) ([]llm.Chunk, error) {
	st, err := d.block(ev.ContentBlockIndex)
	if err != nil {
		return dst, err
	}
	*st = blockState{}
	if ev.Start == nil || ev.Start.ToolUse == nil {
		return dst, nil // a start of a kind added later; its deltas say what it is
	}
	tu := ev.Start.ToolUse
	if d.answerTool != "" && tu.Name == d.answerTool {
		st.kind = blockAnswer
		d.answered = true
		return dst, nil
	}
	st.kind, st.ordinal = blockToolUse, d.calls
	d.calls++
	return append(dst, d.chunk(llm.Chunk{ToolCalls: []llm.ToolCallDelta{{Index: st.ordinal, ID: tu.ToolUseID, Name: tu.Name}}})), nil
}

func (d *StreamDecoder) blockDelta(index int, delta *BlockDelta, dst []llm.Chunk) ([]llm.Chunk, error) {
	st, err := d.block(index)
	if err != nil {
		return dst, err
	}
	switch {
	case delta.ToolUse != nil:
		if st.kind != blockToolUse && st.kind != blockAnswer {
			return dst, d.malformed("tool input for a block that is not a tool use")
		}
		if delta.ToolUse.Input == "" {
			return dst, nil
		}
		st.gotDelta = true
		if st.kind == blockAnswer {
			return append(dst, d.chunk(llm.Chunk{Text: delta.ToolUse.Input})), nil
		}
		return append(dst, d.chunk(llm.Chunk{ToolCalls: []llm.ToolCallDelta{{Index: st.ordinal, ArgumentsDelta: delta.ToolUse.Input}}})), nil
	case delta.ReasoningContent != nil:
		st.kind = blockReasoning
		r := delta.ReasoningContent
		rs := llm.Reasoning{Text: r.Text, Signature: r.Signature}
		if len(r.RedactedContent) > 0 {
			rs.Redacted = base64.StdEncoding.EncodeToString(r.RedactedContent)
		}
		if rs == (llm.Reasoning{}) {
			return dst, nil
		}
		return append(dst, d.chunk(llm.Chunk{Reasoning: &rs})), nil
	case delta.Text != nil:
		st.kind = blockText
		if *delta.Text == "" {
			return dst, nil
		}
		return append(dst, d.chunk(llm.Chunk{Text: *delta.Text})), nil
	}
	// citation and other delta types carry nothing canonical.
	return dst, nil
}

// blockStop gives a tool call whose input never streamed the empty object
// as its arguments, as the unary decoder reads it, so that every client
// assembles "{}" rather than "".
func (d *StreamDecoder) blockStop(index int, dst []llm.Chunk) ([]llm.Chunk, error) {
	st, err := d.block(index)
	if err != nil {
		return dst, err
	}
	if st.gotDelta {
		return dst, nil
	}
	switch st.kind {
	case blockToolUse:
		dst = append(dst, d.chunk(llm.Chunk{ToolCalls: []llm.ToolCallDelta{{Index: st.ordinal, ArgumentsDelta: "{}"}}}))
	case blockAnswer:
		dst = append(dst, d.chunk(llm.Chunk{Text: "{}"}))
	}
	st.gotDelta = true
	return dst, nil
}
