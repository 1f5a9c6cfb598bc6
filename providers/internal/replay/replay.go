package replay

import (
	"io"

	"github.com/switchboard-gw/switchboard/llm"
)

// Stream yields a response's chunks, then io.EOF.
type Stream struct {
	chunks []llm.Chunk
	next   int
}

// New returns r as a stream: per choice a role chunk, one chunk per
// reasoning part, then one chunk with the text, the tool calls and the
// finish reason; last, a chunk with the usage.
func New(r *llm.Response) *Stream {
	base := llm.Chunk{ID: r.ID, Model: r.Model, Provider: r.Provider, Created: r.Created}
	out := make([]llm.Chunk, 0, 3+len(r.Choices))
	for _, ch := range r.Choices {
		m := &ch.Message
		c := base
		c.ChoiceIndex, c.Role = ch.Index, llm.RoleAssistant
		out = append(out, c)
		for i := range m.Reasoning {
			rs := m.Reasoning[i]
			c := base
			c.ChoiceIndex, c.Reasoning = ch.Index, &rs
			out = append(out, c)
		}
		c = base
		c.ChoiceIndex, c.Text = ch.Index, m.Text()
		for i, tc := range m.ToolCalls {
			c.ToolCalls = append(c.ToolCalls, llm.ToolCallDelta{Index: i, ID: tc.ID, Name: tc.Name, ArgumentsDelta: tc.Arguments})
		}
		c.FinishReason, c.RawFinishReason = ch.FinishReason, ch.RawFinishReason
		out = append(out, c)
	}
	u := r.Usage
	usage := base
	usage.Usage = &u
	return &Stream{chunks: append(out, usage)}
}

// Recv returns the next chunk, io.EOF after the last.
func (s *Stream) Recv() (llm.Chunk, error) {
	if s.next >= len(s.chunks) {
		return llm.Chunk{}, io.EOF
	}
	s.next++
	return s.chunks[s.next-1], nil
}

// Close does nothing: the answer is already read.
func (s *Stream) Close() error { return nil }
