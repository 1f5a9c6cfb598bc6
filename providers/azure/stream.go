package azure

import "github.com/switchboard-gw/switchboard/llm"

// annotationFilter drops the chunks that carry nothing for the caller. The
// OpenAI translator already turns Azure's prompt-filter preamble (a chunk
// with "choices": []) into no chunk at all; what remains are the
// asynchronous content filter's annotation chunks, whose choices have
// content_filter_results (and content_filter_offsets) but no delta and no
// finish reason. Passed on, they would reach callers as empty chunks, which
// some OpenAI clients choke on.
//
// It does not implement llm.Buffered: an upstream event already buffered
// may be one this filter drops, and the next Recv would then wait for the
// network after a transport skipped its flush.
type annotationFilter struct {
	llm.Stream
}

func (f *annotationFilter) Recv() (llm.Chunk, error) {
	for {
		c, err := f.Stream.Recv()
		if err != nil || !empty(&c) {
			return c, err
		}
	}
}

// empty reports whether c carries no delta, finish or usage.
func empty(c *llm.Chunk) bool {
	return c.Role == "" && c.Text == "" && c.TextSignature == "" && c.Reasoning == nil && len(c.ToolCalls) == 0 &&
		c.Refusal == "" && c.FinishReason == "" && c.Usage == nil
}
