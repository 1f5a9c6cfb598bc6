package router_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// scripted is a provider whose calls fail with err (nil: succeed), and which
// records what it was asked for. The router's ordering logic is what is under
// test here; the real providers have their own suites.
type scripted struct {
	name     string
	err      error
	streamOK bool // stream opens but its first Recv fails with err
	calls    []string
}

func (s *scripted) Complete(_ context.Context, req *llm.Request) (*llm.Response, error) {
	s.calls = append(s.calls, req.Model)
	if s.err != nil {
		return nil, s.err
	}
	return &llm.Response{Model: req.Model, Choices: []llm.Choice{{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart(s.name)}}}}}, nil
}

func (s *scripted) Stream(_ context.Context, req *llm.Request) (llm.Stream, error) {
	s.calls = append(s.calls, req.Model)
	if s.err != nil && !s.streamOK {
		return nil, s.err
	}
	return &sliceStream{err: s.err, chunks: []llm.Chunk{{Text: s.name}, {FinishReason: llm.FinishStop}}}, nil
}

type sliceStream struct {
	err    error
	chunks []llm.Chunk
	closed bool
}

func (s *sliceStream) Recv() (llm.Chunk, error) {
	if s.err != nil {
		return llm.Chunk{}, s.err
	}
	if len(s.chunks) == 0 {
		return llm.Chunk{}, io.EOF
	}
	c := s.chunks[0]
	s.chunks = s.chunks[1:]
	return c, nil
}

func (s *sliceStream) Close() error { s.closed = true; return nil }

func newRouter(a, b *scripted) *router.Router {
	return router.New(map[string][]*router.Deployment{
		"chat": {
			{Name: "a", ProviderName: "pa", Model: "model-a", Provider: a},
			{Name: "b", ProviderName: "pb", Model: "model-b", Provider: b},
		},
	}, map[string]llm.Provider{"pa": a})
}

func req(model string) *llm.Request {
	return &llm.Request{Model: model, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("hi")}}}}
}

func TestFallsBackOnRetryableError(t *testing.T) {
	a := &scripted{name: "a", err: &llm.Error{Kind: llm.KindOverloaded, Message: "busy"}}
	b := &scripted{name: "b"}
	resp, err := newRouter(a, b).Complete(context.Background(), req("chat"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Deployment != "b" || resp.Provider != "pb" || resp.Model != "model-b" {
		t.Errorf("served by %s/%s model %s", resp.Provider, resp.Deployment, resp.Model)
	}
	if len(a.calls) != 1 || a.calls[0] != "model-a" {
		t.Errorf("a calls = %v", a.calls)
	}
}

func TestDoesNotFallBackOnCallerError(t *testing.T) {
	a := &scripted{name: "a", err: &llm.Error{Kind: llm.KindInvalidRequest, Message: "bad"}}
	b := &scripted{name: "b"}
	_, err := newRouter(a, b).Complete(context.Background(), req("chat"))
	if llm.KindOf(err) != llm.KindInvalidRequest {
		t.Fatalf("err = %v", err)
	}
	if len(b.calls) != 0 {
		t.Errorf("b was called for a caller error")
	}
}

func TestAllFailReturnsLastError(t *testing.T) {
	a := &scripted{name: "a", err: &llm.Error{Kind: llm.KindOverloaded, Message: "busy"}}
	b := &scripted{name: "b", err: &llm.Error{Kind: llm.KindRateLimited, Message: "slow down"}}
	_, err := newRouter(a, b).Complete(context.Background(), req("chat"))
	if llm.KindOf(err) != llm.KindRateLimited {
		t.Fatalf("err = %v", err)
	}
}

func TestUnknownModelIsNotFound(t *testing.T) {
	_, err := newRouter(&scripted{}, &scripted{}).Complete(context.Background(), req("nope"))
	var e *llm.Error
	if !errors.As(err, &e) || e.Kind != llm.KindNotFound || e.Code != "model_not_found" {
		t.Fatalf("err = %v", err)
	}
	_, err = newRouter(&scripted{}, &scripted{}).Complete(context.Background(), req("pb/x"))
	if llm.KindOf(err) != llm.KindNotFound {
		t.Fatalf("non-passthrough provider: err = %v", err)
	}
}

func TestPassthroughSendsModelAsIs(t *testing.T) {
	a := &scripted{name: "a"}
	resp, err := newRouter(a, &scripted{}).Complete(context.Background(), req("pa/gpt-4o-mini"))
	if err != nil {
		t.Fatal(err)
	}
	if a.calls[0] != "gpt-4o-mini" || resp.Deployment != "pa/gpt-4o-mini" || resp.Provider != "pa" {
		t.Errorf("calls %v, resp %s/%s", a.calls, resp.Provider, resp.Deployment)
	}
}

func TestStreamFailsOverBeforeFirstChunk(t *testing.T) {
	a := &scripted{name: "a", err: &llm.Error{Kind: llm.KindUpstream, Message: "broken"}, streamOK: true}
	b := &scripted{name: "b"}
	s, err := newRouter(a, b).Stream(context.Background(), req("chat"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := llm.Collect(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Choices[0].Message.Text(); got != "b" || resp.Deployment != "b" {
		t.Errorf("text %q from %q", got, resp.Deployment)
	}
}

func TestStreamOpenErrorFailsOver(t *testing.T) {
	a := &scripted{name: "a", err: &llm.Error{Kind: llm.KindOverloaded, Message: "busy"}}
	b := &scripted{name: "b"}
	s, err := newRouter(a, b).Stream(context.Background(), req("chat"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Recv()
	if err != nil || c.Text != "b" || c.Provider != "pb" {
		t.Fatalf("chunk %+v err %v", c, err)
	}
	s.Close()
}

func TestCanceledCallerDoesNotFallBack(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := &scripted{name: "a", err: &llm.Error{Kind: llm.KindUpstream, Message: "x"}}
	b := &scripted{name: "b"}
	if _, err := newRouter(a, b).Complete(ctx, req("chat")); err == nil {
		t.Fatal("no error")
	}
	if len(b.calls) != 0 {
		t.Error("fell back although the caller had gone")
	}
}
