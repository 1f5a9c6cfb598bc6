package wire

import (
	"github.com/switchboard-gw/switchboard/llm"
)

// StreamDecoder converts the chunks of a streamGenerateContent answer (one
// GenerateContentResponse per SSE event) into canonical chunks. It tracks
// what a single chunk cannot tell: which candidates have started and
// finished, how many calls each has made (for their ids and the tool_calls
// finish reason), and the latest usage, which Gemini repeats in every chunk
// and which is final only in the last one. The zero value is ready to use;
// it is not safe for concurrent use.
type StreamDecoder struct {
	// Provider names the provider in the errors the decoder returns.
	Provider string

	id, model string
	usage     UsageMetadata
	hasUsage  bool
	cands     []candidateState
	content   bool // some candidate produced content
}

type candidateState struct {
	started, finished, hasContent bool
	calls                         int
}

// Decode appends the canonical chunks of one wire chunk to dst: for each
// candidate, one chunk per part (the first of a candidate also carries the
// role), and its finish reason on the last. Usage is not emitted here; see
// Finish. An error object in the stream, a blocked prompt, and a candidate
// a filter stopped before any content of the answer are returned as errors.
func (d *StreamDecoder) Decode(r *GenerateContentResponse, dst []llm.Chunk) ([]llm.Chunk, error) {
	if len(r.Error) > 0 && string(r.Error) != "null" {
		body := append(append([]byte(`{"error":`), r.Error...), '}')
		return dst, ClassifyError(d.Provider, 0, nil, body)
	}
	if r.ResponseID != "" {
		d.id = r.ResponseID
	}
	if r.ModelVersion != "" {
		d.model = r.ModelVersion
	}
	if r.UsageMetadata != nil {
		d.usage, d.hasUsage = *r.UsageMetadata, true
	}
	if err := blockedPrompt(r); err != nil && !d.content {
		err.Provider = d.Provider
		return dst, err
	}
	for i := range r.Candidates {
		c := &r.Candidates[i]
		idx := candidateIndex(c, i)
		if idx < 0 || idx > 1024 {
			continue
		}
		for len(d.cands) <= idx {
			d.cands = append(d.cands, candidateState{})
		}
		st := &d.cands[idx]
		start := len(dst)
		if c.Content != nil {
			for j := range c.Content.Parts {
				if ch, ok := d.partChunk(&c.Content.Parts[j], idx, st); ok {
					dst = append(dst, ch)
				}
			}
		}
		if len(dst) > start {
			st.hasContent, d.content = true, true
		}
		if c.FinishReason != "" {
			if isFilterReason(c.FinishReason) && !d.content {
				e := filteredOutput(c.FinishReason)
				e.Provider = d.Provider
				return dst, e
			}
			st.finished = true
			if len(dst) == start {
				dst = append(dst, d.base(idx))
			}
			last := &dst[len(dst)-1]
			last.FinishReason = ToCanonicalFinishReason(c.FinishReason, st.calls > 0)
			last.RawFinishReason = c.FinishReason
		}
		if len(dst) > start && !st.started {
			st.started = true
			dst[start].Role = llm.RoleAssistant
		}
	}
	return dst, nil
}

func (d *StreamDecoder) base(idx int) llm.Chunk {
	return llm.Chunk{ID: d.id, Model: d.model, ChoiceIndex: idx, Provider: d.Provider}
}

// partChunk converts one part; parts with no canonical form give nothing.
func (d *StreamDecoder) partChunk(p *Part, idx int, st *candidateState) (llm.Chunk, bool) {
	ch := d.base(idx)
	switch {
	case p.FunctionCall != nil:
		tc := toolCallToCanonical(p, idx, st.calls)
		ch.ToolCalls = []llm.ToolCallDelta{{Index: st.calls, ID: tc.ID, Name: tc.Name, ArgumentsDelta: tc.Arguments, Signature: tc.Signature}}
		st.calls++
	case p.Text != nil && p.Thought:
		ch.Reasoning = &llm.Reasoning{Text: *p.Text, Signature: p.ThoughtSignature}
	case p.Text != nil:
		if *p.Text == "" && p.ThoughtSignature == "" {
			return ch, false
		}
		ch.Text, ch.TextSignature = *p.Text, p.ThoughtSignature
	default:
		return ch, false
	}
	return ch, true
}

// Finish is called at the end of the body. It returns the chunk with the
// final usage (from the last wire chunk), or, when the body ended before
// every started candidate had a finish reason (or before any chunk), an
// Upstream "stream ended prematurely" error. ok is false when there is no
// usage to report.
func (d *StreamDecoder) Finish() (c llm.Chunk, ok bool, err error) {
	finished := false
	for _, st := range d.cands {
		if st.started && !st.finished {
			return llm.Chunk{}, false, d.Premature(nil)
		}
		finished = finished || st.finished
	}
	if !finished {
		return llm.Chunk{}, false, d.Premature(nil)
	}
	if !d.hasUsage {
		return llm.Chunk{}, false, nil
	}
	u := ToCanonicalUsage(&d.usage)
	return llm.Chunk{ID: d.id, Model: d.model, Provider: d.Provider, Usage: &u}, true, nil
}

// Usage returns the latest usage seen, for a stream that is abandoned
// before its end, and whether there was any.
func (d *StreamDecoder) Usage() (llm.Usage, bool) {
	return ToCanonicalUsage(&d.usage), d.hasUsage
}

// Premature is the error of a stream cut before its end.
func (d *StreamDecoder) Premature(cause error) *llm.Error {
	name := d.Provider
	if name == "" {
		name = "gemini"
	}
	return &llm.Error{Kind: llm.KindUpstream, Provider: d.Provider,
		Message: "stream ended prematurely: " + name + " closed it before the end of the answer", Err: cause}
}
