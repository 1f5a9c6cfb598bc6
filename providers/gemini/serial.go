package gemini

import (
	"context"

	"github.com/switchboard-gw/switchboard/llm"
)

// Complete sends req and returns the answer. The API has no setting for
// "one tool call at a time", so ParallelToolCalls=false is honoured here:
// the answer keeps the first tool call of each choice.
func (p *Provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	resp, err := p.complete(ctx, req)
	if err == nil && llm.SerialToolCalls(req) {
		llm.KeepFirstToolCall(resp)
	}
	return resp, err
}

// Stream sends req and streams the answer; ParallelToolCalls=false is
// honoured as in Complete. The caller must Close the stream.
func (p *Provider) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	s, err := p.stream(ctx, req)
	if err == nil && llm.SerialToolCalls(req) {
		s = llm.FirstToolCallOnly(s)
	}
	return s, err
}
