package servertest

import (
	"context"
	"io"
	"sync"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

// Core is a scriptable core. A nil function field answers with a small
// fixed result. It records the last principal and request it was given.
type Core struct {
	CompleteFunc   func(ctx context.Context, req *llm.Request) (*llm.Response, error)
	StreamFunc     func(ctx context.Context, req *llm.Request) (llm.Stream, error)
	EmbedFunc      func(ctx context.Context, req *llm.EmbedRequest) (*llm.EmbedResponse, error)
	ListModelsFunc func(ctx context.Context) ([]llm.ModelInfo, error)

	mu            sync.Mutex
	lastPrincipal *auth.Principal
	lastRequest   *llm.Request
}

// LastPrincipal returns the principal of the last call.
func (c *Core) LastPrincipal() *auth.Principal {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastPrincipal
}

// LastRequest returns the request of the last Complete or Stream call.
func (c *Core) LastRequest() *llm.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastRequest
}

func (c *Core) record(p *auth.Principal, req *llm.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastPrincipal = p
	if req != nil {
		c.lastRequest = req
	}
}

// Complete implements the core.
func (c *Core) Complete(ctx context.Context, p *auth.Principal, req *llm.Request) (*llm.Response, error) {
	c.record(p, req)
	if c.CompleteFunc != nil {
		return c.CompleteFunc(ctx, req)
	}
	return Answer("hello"), nil
}

// Stream implements the core.
func (c *Core) Stream(ctx context.Context, p *auth.Principal, req *llm.Request) (llm.Stream, error) {
	c.record(p, req)
	if c.StreamFunc != nil {
		return c.StreamFunc(ctx, req)
	}
	return NewStream(ctx, Chunks("hel", "lo")...), nil
}

// Embed implements the core.
func (c *Core) Embed(ctx context.Context, p *auth.Principal, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	c.record(p, nil)
	if c.EmbedFunc != nil {
		return c.EmbedFunc(ctx, req)
	}
	out := &llm.EmbedResponse{Model: req.Model, Provider: "sim", Deployment: "sim-embed", Usage: llm.Usage{InputTokens: int64(len(req.Inputs))}}
	for i := range req.Inputs {
		out.Embeddings = append(out.Embeddings, []float32{float32(i), 0.5, -1})
	}
	return out, nil
}

// ListModels implements the core.
func (c *Core) ListModels(ctx context.Context, p *auth.Principal) ([]llm.ModelInfo, error) {
	c.record(p, nil)
	if c.ListModelsFunc != nil {
		return c.ListModelsFunc(ctx)
	}
	return []llm.ModelInfo{{ID: "demo", OwnedBy: "switchboard", Created: 1700000000}}, nil
}

// Answer is a one-choice response with text.
func Answer(text string) *llm.Response {
	return &llm.Response{
		ID: "chatcmpl-test", Model: "sim-model", Created: 1700000000,
		Choices: []llm.Choice{{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart(text)}},
			FinishReason: llm.FinishStop, RawFinishReason: "stop"}},
		Usage:    llm.Usage{InputTokens: 5, OutputTokens: 2},
		Provider: "sim", Deployment: "sim-demo",
	}
}

// Chunks is a stream of text deltas: a role on the first, a finish reason
// and then a usage-only chunk at the end, as providers send them.
func Chunks(texts ...string) []llm.Chunk {
	base := llm.Chunk{ID: "chatcmpl-test", Model: "sim-model", Created: 1700000000, Provider: "sim", Deployment: "sim-demo"}
	var out []llm.Chunk
	for i, t := range texts {
		c := base
		c.Text = t
		if i == 0 {
			c.Role = llm.RoleAssistant
		}
		out = append(out, c)
	}
	fin := base
	fin.FinishReason, fin.RawFinishReason = llm.FinishStop, "stop"
	usage := base
	usage.Usage = &llm.Usage{InputTokens: 5, OutputTokens: int64(len(texts))}
	return append(out, fin, usage)
}

// Stream is an llm.Stream over fixed chunks. Before chunk i it waits for
// Gates[i] to be closed, when there is one; after the chunks it returns Err
// (io.EOF when nil). It honours ctx while waiting.
type Stream struct {
	ctx    context.Context
	chunks []llm.Chunk
	Gates  map[int]chan struct{}
	Err    error
	next   int

	closeOnce sync.Once
	closed    chan struct{}
}

// NewStream returns a Stream over chunks.
func NewStream(ctx context.Context, chunks ...llm.Chunk) *Stream {
	return &Stream{ctx: ctx, chunks: chunks, Gates: map[int]chan struct{}{}, closed: make(chan struct{})}
}

// Recv implements llm.Stream.
func (s *Stream) Recv() (llm.Chunk, error) {
	if g, ok := s.Gates[s.next]; ok {
		select {
		case <-g:
		case <-s.ctx.Done():
			return llm.Chunk{}, llm.AsError(s.ctx.Err())
		}
	}
	if s.next < len(s.chunks) {
		c := s.chunks[s.next]
		s.next++
		return c, nil
	}
	if s.Err != nil {
		return llm.Chunk{}, s.Err
	}
	return llm.Chunk{}, io.EOF
}

// Close implements llm.Stream.
func (s *Stream) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	return nil
}

// Closed is closed once Close has been called.
func (s *Stream) Closed() <-chan struct{} { return s.closed }
