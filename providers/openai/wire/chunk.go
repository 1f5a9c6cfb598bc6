package wire

import (
	"github.com/switchboard-gw/switchboard/llm"
)

// ToCanonicalChunks appends the canonical chunks of one upstream
// chat.completion.chunk to dst and returns it: one per choice, plus one more
// carrying Usage when the chunk has usage (with include_usage, the final chunk
// with "choices": []). A chunk with neither (Azure's prompt-filter preamble)
// yields nothing. The appended chunks share no memory with c.
func ToCanonicalChunks(c *ChatChunk, dst []llm.Chunk) []llm.Chunk {
	for i := range c.Choices {
		ch := &c.Choices[i]
		out := llm.Chunk{
			ID:                c.ID,
			Model:             c.Model,
			Created:           c.Created,
			ChoiceIndex:       ch.Index,
			Role:              llm.Role(ch.Delta.Role),
			SystemFingerprint: c.SystemFingerprint,
		}
		if ch.Delta.Content != nil {
			out.Text = *ch.Delta.Content
		}
		if ch.Delta.Refusal != nil {
			out.Refusal = *ch.Delta.Refusal
		}
		if rc := ch.Delta.ReasoningContent; rc != nil && *rc != "" {
			out.Reasoning = &llm.Reasoning{Text: *rc}
		}
		if n := len(ch.Delta.ToolCalls); n > 0 {
			out.ToolCalls = make([]llm.ToolCallDelta, n)
			for j := range ch.Delta.ToolCalls {
				tc := &ch.Delta.ToolCalls[j]
				idx := j // vendors that omit index send one call per position
				if tc.Index != nil {
					idx = *tc.Index
				}
				out.ToolCalls[j] = llm.ToolCallDelta{Index: idx, ID: tc.ID, Name: tc.Function.Name, ArgumentsDelta: tc.Function.Arguments}
			}
		}
		if ch.FinishReason != nil && *ch.FinishReason != "" {
			out.RawFinishReason = *ch.FinishReason
			out.FinishReason = ToCanonicalFinishReason(out.RawFinishReason)
		}
		dst = append(dst, out)
	}
	if c.Usage != nil {
		u := ToCanonicalUsage(c.Usage)
		dst = append(dst, llm.Chunk{ID: c.ID, Model: c.Model, Created: c.Created, SystemFingerprint: c.SystemFingerprint, Usage: &u})
	}
	return dst
}

// FromCanonicalChunk writes one canonical chunk as a chat.completion.chunk.
// A chunk that carries only Usage becomes the include_usage final chunk with
// "choices": []. Tool-call deltas follow OpenAI's shape: the first delta of a
// call has index, id, type, function.name and arguments; later ones only
// index and the arguments fragment.
func FromCanonicalChunk(c *llm.Chunk) *ChatChunk {
	out := &ChatChunk{
		ID:                c.ID,
		Object:            ObjectChatCompletionChunk,
		Created:           c.Created,
		Model:             c.Model,
		SystemFingerprint: c.SystemFingerprint,
	}
	if c.Usage != nil {
		out.Usage = FromCanonicalUsage(*c.Usage)
	}
	hasDelta := c.Role != "" || c.Text != "" || c.Refusal != "" || len(c.ToolCalls) > 0 || c.FinishReason != "" || c.Reasoning != nil
	if !hasDelta && c.Usage != nil {
		out.Choices = []ChunkChoice{}
		return out
	}
	ch := ChunkChoice{Index: c.ChoiceIndex, Delta: Delta{Role: string(c.Role)}}
	// OpenAI's first text chunk has "content": "", its first tool-call chunk null.
	if c.Text != "" || (c.Role != "" && len(c.ToolCalls) == 0) {
		text := c.Text
		ch.Delta.Content = &text
	}
	if c.Refusal != "" {
		refusal := c.Refusal
		ch.Delta.Refusal = &refusal
	}
	if n := len(c.ToolCalls); n > 0 {
		ch.Delta.ToolCalls = make([]ToolCall, n)
		for j := range c.ToolCalls {
			d := &c.ToolCalls[j]
			idx := d.Index
			tc := ToolCall{Index: &idx, Function: FunctionCall{Name: d.Name, Arguments: d.ArgumentsDelta}}
			if d.ID != "" {
				tc.ID, tc.Type = ToolCallIDWithSignature(d.ID, d.Signature), "function"
			}
			ch.Delta.ToolCalls[j] = tc
		}
	}
	if c.FinishReason != "" {
		reason := FromCanonicalFinishReason(c.FinishReason)
		ch.FinishReason = &reason
	}
	out.Choices = []ChunkChoice{ch}
	return out
}
