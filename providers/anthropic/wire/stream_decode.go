package wire

import (
	"bytes"
	"encoding/json"

	"github.com/switchboard-gw/switchboard/llm"
)

// maxBlocks bounds the content block index a stream may use; a larger one
// is a broken upstream, not a long answer.
const maxBlocks = 1 << 16

// StreamDecoder turns the events of one streamed message into canonical
// chunks. It keeps what the events only imply: which content block is which
// tool call (a ToolCallDelta's Index is the call's ordinal among the
// message's tool_use blocks, not the content block index), the usage so far
// (message_start's, completed by message_delta's cumulative counts), and
// whether message_stop has arrived.
type StreamDecoder struct {
	provider   string
	answerTool string

	id, model string
	blocks    []blockState // by content block index
	calls     int          // tool_use blocks seen, the answer tool excepted
	answered  bool         // the answer tool was called
	usage     Usage
	started   bool
	done      bool

	ev StreamEvent // decode target, reused
}

type blockKind uint8

const (
	blockUnknown blockKind = iota
	blockText
	blockToolUse
	blockAnswer // the answer tool: its input is text
	blockThinking
	blockOther // server tools and future block types, ignored
)

type blockState struct {
	kind    blockKind
	ordinal int
	// startInput is a tool_use start's input when it was not {} (the API
	// sends {} and streams the input; a proxy may send it whole instead).
	startInput string
	gotDelta   bool
}

// NewStreamDecoder returns a decoder for one stream. provider names the
// provider in errors; answerTool is MessagesRequest.AnswerTool of the
// request (its input streams as text), or "".
func NewStreamDecoder(provider, answerTool string) *StreamDecoder {
	return &StreamDecoder{provider: provider, answerTool: answerTool}
}

// Done reports whether message_stop has arrived: the stream is complete.
func (d *StreamDecoder) Done() bool { return d.done }

// Started reports whether message_start has arrived.
func (d *StreamDecoder) Started() bool { return d.started }

// Usage returns the canonical usage reported so far.
func (d *StreamDecoder) Usage() llm.Usage { return ToCanonicalUsage(&d.usage) }

// Decode converts the data of one event (its JSON payload) and appends the
// resulting chunks to dst. An error event returns the classified error;
// malformed data an Upstream error. The appended chunks share no memory
// with data.
func (d *StreamDecoder) Decode(data []byte, dst []llm.Chunk) ([]llm.Chunk, error) {
	d.ev = StreamEvent{}
	if err := json.Unmarshal(data, &d.ev); err != nil {
		return dst, &llm.Error{Kind: llm.KindUpstream, Provider: d.provider, Message: "malformed stream event from " + d.provider, Err: err}
	}
	ev := &d.ev
	switch ev.Type {
	case EventMessageStart:
		if ev.Message == nil {
			return dst, d.malformed("message_start without a message")
		}
		d.started = true
		d.id, d.model = ev.Message.ID, ev.Message.Model
		d.usage = ev.Message.Usage
		return append(dst, d.chunk(llm.Chunk{Role: llm.RoleAssistant})), nil
	case EventContentBlockStart:
		if ev.ContentBlock == nil {
			return dst, d.malformed("content_block_start without a content_block")
		}
		return d.blockStart(ev.Index, ev.ContentBlock, dst)
	case EventContentBlockDelta:
		if ev.Delta == nil {
			return dst, d.malformed("content_block_delta without a delta")
		}
		return d.blockDelta(ev.Index, ev.Delta, dst)
	case EventContentBlockStop:
		return d.blockStop(ev.Index, dst)
	case EventMessageDelta:
		return d.messageDelta(ev, dst), nil
	case EventMessageStop:
		d.done = true
		return dst, nil
	case EventError:
		return dst, ClassifyError(d.provider, 0, nil, data)
	}
	// ping, and event types added after this was written.
	return dst, nil
}

func (d *StreamDecoder) malformed(what string) error {
	return &llm.Error{Kind: llm.KindUpstream, Provider: d.provider, Message: "malformed stream from " + d.provider + ": " + what}
}

// chunk stamps the message's id and model on c.
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

func (d *StreamDecoder) blockStart(index int, b *ContentBlock, dst []llm.Chunk) ([]llm.Chunk, error) {
	st, err := d.block(index)
	if err != nil {
		return dst, err
	}
	*st = blockState{}
	switch b.Type {
	case BlockText:
		st.kind = blockText
		if b.Text != "" {
			dst = append(dst, d.chunk(llm.Chunk{Text: b.Text}))
		}
	case BlockToolUse:
		if input := bytes.TrimSpace(b.Input); len(input) > 0 && string(input) != "{}" && string(input) != "null" {
			st.startInput = string(input)
		}
		if d.answerTool != "" && b.Name == d.answerTool {
			st.kind = blockAnswer
			d.answered = true
			return dst, nil
		}
		st.kind, st.ordinal = blockToolUse, d.calls
		d.calls++
		dst = append(dst, d.chunk(llm.Chunk{ToolCalls: []llm.ToolCallDelta{{Index: st.ordinal, ID: b.ID, Name: b.Name}}}))
	case BlockThinking:
		st.kind = blockThinking
		if b.Thinking != "" || b.Signature != "" {
			dst = append(dst, d.chunk(llm.Chunk{Reasoning: &llm.Reasoning{Text: b.Thinking, Signature: b.Signature}}))
		}
	case BlockRedactedThinking:
		st.kind = blockOther
		dst = append(dst, d.chunk(llm.Chunk{Reasoning: &llm.Reasoning{Redacted: b.Data}}))
	default:
		st.kind = blockOther
	}
	return dst, nil
}

func (d *StreamDecoder) blockDelta(index int, delta *EventDelta, dst []llm.Chunk) ([]llm.Chunk, error) {
	st, err := d.block(index)
	if err != nil {
		return dst, err
	}
	switch delta.Type {
	case DeltaText:
		if delta.Text != "" {
			dst = append(dst, d.chunk(llm.Chunk{Text: delta.Text}))
		}
	case DeltaInputJSON:
		// A tool without parameters streams one empty partial_json: no delta
		// is emitted, and the accumulated arguments are then "{}".
		if delta.PartialJSON == "" {
			return dst, nil
		}
		st.gotDelta = true
		switch st.kind {
		case blockToolUse:
			dst = append(dst, d.chunk(llm.Chunk{ToolCalls: []llm.ToolCallDelta{{Index: st.ordinal, ArgumentsDelta: delta.PartialJSON}}}))
		case blockAnswer:
			dst = append(dst, d.chunk(llm.Chunk{Text: delta.PartialJSON}))
		}
	case DeltaThinking:
		if delta.Thinking != "" {
			dst = append(dst, d.chunk(llm.Chunk{Reasoning: &llm.Reasoning{Text: delta.Thinking}}))
		}
	case DeltaSignature:
		if delta.Signature != "" {
			dst = append(dst, d.chunk(llm.Chunk{Reasoning: &llm.Reasoning{Signature: delta.Signature}}))
		}
	}
	// citations_delta and future delta types carry nothing canonical.
	return dst, nil
}

// blockStop emits a tool_use start's whole input when no delta streamed it.
func (d *StreamDecoder) blockStop(index int, dst []llm.Chunk) ([]llm.Chunk, error) {
	st, err := d.block(index)
	if err != nil {
		return dst, err
	}
	if st.gotDelta {
		return dst, nil
	}
	if st.startInput == "" {
		// A call with no input (a tool without parameters streams one empty
		// partial_json, or none) has the empty object as its arguments, as
		// the unary decoder reads it: say so in the stream, so that every
		// client assembles "{}" rather than "".
		switch st.kind {
		case blockToolUse:
			dst = append(dst, d.chunk(llm.Chunk{ToolCalls: []llm.ToolCallDelta{{Index: st.ordinal, ArgumentsDelta: "{}"}}}))
		case blockAnswer:
			dst = append(dst, d.chunk(llm.Chunk{Text: "{}"}))
		}
		return dst, nil
	}
	switch st.kind {
	case blockToolUse:
		dst = append(dst, d.chunk(llm.Chunk{ToolCalls: []llm.ToolCallDelta{{Index: st.ordinal, ArgumentsDelta: st.startInput}}}))
	case blockAnswer:
		dst = append(dst, d.chunk(llm.Chunk{Text: st.startInput}))
	}
	return dst, nil
}

// messageDelta folds the cumulative usage in and emits the finish reason
// with the usage so far (the final usage: only message_stop follows).
func (d *StreamDecoder) messageDelta(ev *StreamEvent, dst []llm.Chunk) []llm.Chunk {
	if u := ev.Usage; u != nil {
		if u.InputTokens != nil {
			d.usage.InputTokens = *u.InputTokens
		}
		if u.CacheCreationInputTokens != nil {
			d.usage.CacheCreationInputTokens = *u.CacheCreationInputTokens
		}
		if u.CacheReadInputTokens != nil {
			d.usage.CacheReadInputTokens = *u.CacheReadInputTokens
		}
		d.usage.OutputTokens = u.OutputTokens
	}
	c := d.chunk(llm.Chunk{})
	if ev.Delta != nil && ev.Delta.StopReason != nil {
		c.RawFinishReason = *ev.Delta.StopReason
		c.FinishReason = ToCanonicalFinishReason(c.RawFinishReason)
		if d.answered && c.FinishReason == llm.FinishToolCalls && d.calls == 0 {
			c.FinishReason = llm.FinishStop
		}
	}
	u := ToCanonicalUsage(&d.usage)
	c.Usage = &u
	return append(dst, c)
}
