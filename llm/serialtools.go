package llm

// Some providers (Gemini, Vertex AI, Bedrock's Converse) have no setting for
// "at most one tool call per turn". Their translators honour a request's
// ParallelToolCalls=false with these helpers instead of ignoring it: the
// answer keeps the first tool call of each choice and drops the others, so
// the caller gets what it asked for (one call, whose result it sends back
// before the model calls the next).

// SerialToolCalls reports whether req asks for at most one tool call.
func SerialToolCalls(req *Request) bool {
	return req != nil && req.ParallelToolCalls != nil && !*req.ParallelToolCalls
}

// KeepFirstToolCall drops every tool call but the first of each choice.
func KeepFirstToolCall(resp *Response) {
	if resp == nil {
		return
	}
	for i := range resp.Choices {
		m := &resp.Choices[i].Message
		if len(m.ToolCalls) > 1 {
			m.ToolCalls = m.ToolCalls[:1]
		}
	}
}

// FirstToolCallOnly returns s with the deltas of every tool call but the
// first of each choice removed. A chunk left with nothing is still passed on
// (it may carry usage or a finish reason).
func FirstToolCallOnly(s Stream) Stream { return &firstToolCallStream{Stream: s, first: map[int]int{}} }

type firstToolCallStream struct {
	Stream
	// first is the index of the first tool call seen, per choice.
	first map[int]int
}

func (f *firstToolCallStream) Recv() (Chunk, error) {
	c, err := f.Stream.Recv()
	if err != nil || len(c.ToolCalls) == 0 {
		return c, err
	}
	kept := c.ToolCalls[:0:0]
	for _, d := range c.ToolCalls {
		first, seen := f.first[c.ChoiceIndex]
		if !seen {
			f.first[c.ChoiceIndex], first = d.Index, d.Index
		}
		if d.Index == first {
			kept = append(kept, d)
		}
	}
	c.ToolCalls = kept
	return c, nil
}

// Buffered forwards the wrapped stream's answer.
func (f *firstToolCallStream) Buffered() bool { return IsBuffered(f.Stream) }
