package tracing

import (
	"context"

	"go.opentelemetry.io/otel/trace"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/telemetry/genai"
)

// WrapProvider returns p annotating the attempt span in each call's context
// with what only the answer tells: the response model and id and the
// finish reasons. Calls without a recording span pass straight through.
// The wrapper keeps p's optional capabilities (llm.Embedder,
// llm.ModelLister): it offers exactly those p offers.
func WrapProvider(p llm.Provider) llm.Provider {
	base := &provider{Provider: p}
	e, isEmbedder := p.(llm.Embedder)
	l, isLister := p.(llm.ModelLister)
	switch {
	case isEmbedder && isLister:
		return struct {
			*provider
			embedder
			llm.ModelLister
		}{base, embedder{e}, l}
	case isEmbedder:
		return struct {
			*provider
			embedder
		}{base, embedder{e}}
	case isLister:
		return struct {
			*provider
			llm.ModelLister
		}{base, l}
	}
	return base
}

type provider struct{ llm.Provider }

func (p *provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	resp, err := p.Provider.Complete(ctx, req)
	if err != nil || resp == nil {
		return resp, err
	}
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		reasons := make([]string, len(resp.Choices))
		for i := range resp.Choices {
			reasons[i] = string(resp.Choices[i].FinishReason)
		}
		span.SetAttributes(genai.ResponseModel.String(resp.Model), genai.ResponseID.String(resp.ID), genai.ResponseFinish.StringSlice(reasons))
	}
	return resp, nil
}

func (p *provider) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	s, err := p.Provider.Stream(ctx, req)
	if err != nil {
		return s, err
	}
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		return &stream{Stream: s, span: span}, nil
	}
	return s, nil
}

type embedder struct{ e llm.Embedder }

func (x embedder) Embed(ctx context.Context, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	resp, err := x.e.Embed(ctx, req)
	if err == nil && resp != nil {
		if span := trace.SpanFromContext(ctx); span.IsRecording() {
			span.SetAttributes(genai.ResponseModel.String(resp.Model))
		}
	}
	return resp, err
}

// stream notes the response model and id from the first chunks that carry
// them, and the finish reasons as they arrive (the attempt span ends only
// after the stream has).
type stream struct {
	llm.Stream
	span      trace.Span
	model, id bool
	finishes  []string
}

// maxChoices bounds the finish reasons noted (n is small in practice).
const maxChoices = 128

func (s *stream) Recv() (llm.Chunk, error) {
	c, err := s.Stream.Recv()
	if err != nil {
		return c, err
	}
	if !s.model && c.Model != "" {
		s.model = true
		s.span.SetAttributes(genai.ResponseModel.String(c.Model))
	}
	if !s.id && c.ID != "" {
		s.id = true
		s.span.SetAttributes(genai.ResponseID.String(c.ID))
	}
	if c.FinishReason != "" && c.ChoiceIndex >= 0 && c.ChoiceIndex < maxChoices {
		for len(s.finishes) <= c.ChoiceIndex {
			s.finishes = append(s.finishes, "")
		}
		s.finishes[c.ChoiceIndex] = string(c.FinishReason)
		s.span.SetAttributes(genai.ResponseFinish.StringSlice(s.finishes))
	}
	return c, nil
}

// Buffered forwards llm.Buffered.
func (s *stream) Buffered() bool { return llm.IsBuffered(s.Stream) }
