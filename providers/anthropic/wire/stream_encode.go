package wire

import (
	"encoding/json"

	"github.com/switchboard-gw/switchboard/llm"
)

// StreamEncoder turns a canonical stream (of one choice) into Anthropic's
// event sequence, for an Anthropic-shaped endpoint: message_start, then for
// each run of text, reasoning or a tool call a content block (start, deltas,
// stop), then message_delta with the stop reason and usage, and
// message_stop. Canonical streams send the usage after the finish reason, so
// message_delta is written by Finish, at the end of the stream.
//
// Tool-call deltas must arrive call after call, as every provider streams
// them; a tool call that received no argument delta gets one empty
// input_json_delta before its stop, as the API sends for a tool without
// parameters.
type StreamEncoder struct {
	started bool
	id      string
	model   string

	open     int       // index of the open block, -1 when none
	openKind blockKind // its kind
	signed   bool      // the open thinking block got its signature
	hasArgs  bool      // the open tool_use block got an argument delta
	next     int       // index of the next block
	calls    map[int]int

	finish llm.FinishReason
	raw    string
	usage  *llm.Usage
}

// NewStreamEncoder returns an encoder. id and model are used for
// message_start when the first chunk has none.
func NewStreamEncoder(id, model string) *StreamEncoder {
	return &StreamEncoder{id: id, model: model, open: -1}
}

// Encode appends the events of one chunk to dst.
func (e *StreamEncoder) Encode(c *llm.Chunk, dst []StreamEvent) []StreamEvent {
	if !e.started {
		dst = e.start(c, dst)
	}
	if r := c.Reasoning; r != nil {
		dst = e.reasoning(r, dst)
	}
	if c.Text != "" {
		dst = e.ensureOpen(blockText, &ContentBlock{Type: BlockText}, dst)
		dst = append(dst, StreamEvent{Type: EventContentBlockDelta, Index: e.open, Delta: &EventDelta{Type: DeltaText, Text: c.Text}})
	}
	if c.Refusal != "" {
		dst = e.ensureOpen(blockText, &ContentBlock{Type: BlockText}, dst)
		dst = append(dst, StreamEvent{Type: EventContentBlockDelta, Index: e.open, Delta: &EventDelta{Type: DeltaText, Text: c.Refusal}})
	}
	for i := range c.ToolCalls {
		dst = e.toolCall(&c.ToolCalls[i], dst)
	}
	if c.FinishReason != "" {
		e.finish, e.raw = c.FinishReason, c.RawFinishReason
	}
	if c.Usage != nil {
		u := *c.Usage
		e.usage = &u
	}
	return dst
}

// Finish appends the events that end the message: the open block's stop,
// message_delta (stop reason, cumulative usage) and message_stop.
func (e *StreamEncoder) Finish(dst []StreamEvent) []StreamEvent {
	if !e.started {
		dst = e.start(&llm.Chunk{}, dst)
	}
	dst = e.closeOpen(dst)
	reason := FromCanonicalFinishReason(e.finish, e.raw)
	if reason == "" {
		reason = StopEndTurn
	}
	var u llm.Usage
	if e.usage != nil {
		u = *e.usage
	}
	wu := FromCanonicalUsage(u)
	du := &DeltaUsage{
		InputTokens:              &wu.InputTokens,
		CacheCreationInputTokens: &wu.CacheCreationInputTokens,
		CacheReadInputTokens:     &wu.CacheReadInputTokens,
		OutputTokens:             wu.OutputTokens,
	}
	dst = append(dst, StreamEvent{Type: EventMessageDelta, Delta: &EventDelta{StopReason: &reason}, Usage: du})
	return append(dst, StreamEvent{Type: EventMessageStop})
}

func (e *StreamEncoder) start(c *llm.Chunk, dst []StreamEvent) []StreamEvent {
	e.started = true
	if c.ID != "" {
		e.id = c.ID
	}
	if c.Model != "" {
		e.model = c.Model
	}
	msg := &MessagesResponse{ID: e.id, Type: TypeMessage, Role: "assistant", Model: e.model, Content: []ContentBlock{}}
	if c.Usage != nil {
		msg.Usage = FromCanonicalUsage(*c.Usage)
	}
	return append(dst, StreamEvent{Type: EventMessageStart, Message: msg})
}

func (e *StreamEncoder) reasoning(r *llm.Reasoning, dst []StreamEvent) []StreamEvent {
	if r.Redacted != "" {
		dst = e.closeOpen(dst)
		dst = e.ensureOpen(blockOther, &ContentBlock{Type: BlockRedactedThinking, Data: r.Redacted}, dst)
		return e.closeOpen(dst)
	}
	if r.Text != "" {
		if e.openKind == blockThinking && e.signed {
			dst = e.closeOpen(dst) // a signed block is complete: this is the next one
		}
		dst = e.ensureOpen(blockThinking, &ContentBlock{Type: BlockThinking}, dst)
		dst = append(dst, StreamEvent{Type: EventContentBlockDelta, Index: e.open, Delta: &EventDelta{Type: DeltaThinking, Thinking: r.Text}})
	}
	if r.Signature != "" {
		dst = e.ensureOpen(blockThinking, &ContentBlock{Type: BlockThinking}, dst)
		dst = append(dst, StreamEvent{Type: EventContentBlockDelta, Index: e.open, Delta: &EventDelta{Type: DeltaSignature, Signature: r.Signature}})
		e.signed = true
	}
	return dst
}

func (e *StreamEncoder) toolCall(d *llm.ToolCallDelta, dst []StreamEvent) []StreamEvent {
	idx, seen := e.calls[d.Index]
	if !seen {
		dst = e.closeOpen(dst)
		if e.calls == nil {
			e.calls = make(map[int]int)
		}
		idx = e.next
		e.calls[d.Index] = idx
		dst = e.ensureOpen(blockToolUse, &ContentBlock{Type: BlockToolUse, ID: d.ID, Name: d.Name, Input: json.RawMessage(`{}`)}, dst)
	}
	if d.ArgumentsDelta != "" {
		if idx == e.open {
			e.hasArgs = true
		}
		dst = append(dst, StreamEvent{Type: EventContentBlockDelta, Index: idx, Delta: &EventDelta{Type: DeltaInputJSON, PartialJSON: d.ArgumentsDelta}})
	}
	return dst
}

// ensureOpen opens a block of kind unless one is open, closing a block of
// another kind first.
func (e *StreamEncoder) ensureOpen(kind blockKind, b *ContentBlock, dst []StreamEvent) []StreamEvent {
	if e.open >= 0 && e.openKind == kind && kind != blockToolUse && kind != blockOther {
		return dst
	}
	dst = e.closeOpen(dst)
	e.open, e.openKind, e.signed, e.hasArgs = e.next, kind, false, false
	e.next++
	start := *b
	if kind == blockThinking {
		start.Thinking, start.Signature = "", ""
	}
	return append(dst, StreamEvent{Type: EventContentBlockStart, Index: e.open, ContentBlock: &start})
}

func (e *StreamEncoder) closeOpen(dst []StreamEvent) []StreamEvent {
	if e.open < 0 {
		return dst
	}
	if e.openKind == blockToolUse && !e.hasArgs {
		dst = append(dst, StreamEvent{Type: EventContentBlockDelta, Index: e.open, Delta: &EventDelta{Type: DeltaInputJSON}})
	}
	dst = append(dst, StreamEvent{Type: EventContentBlockStop, Index: e.open})
	e.open, e.openKind = -1, blockUnknown
	return dst
}
