package router_test

import (
	"context"
	"io"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// instant answers at once with a response it shares, so that the
// benchmarks measure the router, not the provider.
type instant struct{}

var instantResponse = llm.Response{ID: "r", Choices: []llm.Choice{{FinishReason: llm.FinishStop}}}

func (instant) Complete(context.Context, *llm.Request) (*llm.Response, error) {
	r := instantResponse
	return &r, nil
}

func (instant) Stream(context.Context, *llm.Request) (llm.Stream, error) {
	return &instantStream{}, nil
}

type instantStream struct{ n int }

func (s *instantStream) Recv() (llm.Chunk, error) {
	s.n++
	switch s.n {
	case 1:
		return llm.Chunk{Text: "hello"}, nil
	case 2:
		return llm.Chunk{FinishReason: llm.FinishStop, Usage: &llm.Usage{InputTokens: 5, OutputTokens: 1}}, nil
	}
	return llm.Chunk{}, io.EOF
}

func (s *instantStream) Close() error { return nil }

func benchRouter(b *testing.B, strategy router.Strategy) *router.Router {
	var ds []*router.Deployment
	for _, n := range []string{"a", "b", "c"} {
		d := &router.Deployment{Name: n, ProviderName: "p", Model: "m", Provider: instant{}, Weight: 1,
			Price: router.Price{InputPerMTok: 1, OutputPerMTok: 2}, Limits: router.Limits{RPM: 1 << 40, TPM: 1 << 50}}
		ds = append(ds, d)
	}
	r, err := router.Build(router.Config{Aliases: []*router.Alias{
		{Name: "chat", Deployments: ds, Strategy: strategy, Retry: router.DefaultRetryPolicy()},
		{Name: "auto", Default: "chat", Rules: []router.Rule{
			{Name: "tools", Alias: "chat", When: router.Condition{Tools: yes()}},
			{Name: "hard", Alias: "chat", When: router.Condition{MinComplexity: 0.6}},
		}},
	}}, router.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkRouteComplete is the router's whole cost for a unary request
// that succeeds at once: choose the deployment by strategy, check its
// breaker, call, record the attempt and the route.
func BenchmarkRouteComplete(b *testing.B) {
	for _, s := range router.Strategies() {
		b.Run(string(s), func(b *testing.B) {
			r := benchRouter(b, s)
			req := chat("chat", "What is the capital of France?")
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Complete(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRouteFailover is the router's cost of a failover: the first
// deployment fails at once with a retryable error, the second answers.
func BenchmarkRouteFailover(b *testing.B) {
	down := &router.Deployment{Name: "down", ProviderName: "p", Model: "m", Provider: failing{}}
	up := &router.Deployment{Name: "up", ProviderName: "p", Model: "m", Provider: instant{}}
	down.Breaker = &router.BreakerPolicy{Disabled: true}
	r, err := router.Build(router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{down, up}, Retry: router.DefaultRetryPolicy()}}}, router.Options{})
	if err != nil {
		b.Fatal(err)
	}
	req := chat("chat", "hi")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if resp, err := r.Complete(ctx, req); err != nil || resp.Deployment != "up" {
			b.Fatal(err)
		}
	}
}

// failing fails every call at once, as an overloaded provider does.
type failing struct{}

var overloaded = &llm.Error{Kind: llm.KindOverloaded, Provider: "p", Status: 503, Message: "overloaded"}

func (failing) Complete(context.Context, *llm.Request) (*llm.Response, error) { return nil, overloaded }

func (failing) Stream(context.Context, *llm.Request) (llm.Stream, error) { return nil, overloaded }

// BenchmarkRouteRules adds content rules with a complexity score.
func BenchmarkRouteRules(b *testing.B) {
	r := benchRouter(b, router.StrategyWeighted)
	req := chat("auto", complexityExamples[4].prompt)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Complete(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRouteStream is a stream's routing cost: open, first-output
// prefetch, timers, stamping, settling.
func BenchmarkRouteStream(b *testing.B) {
	r := benchRouter(b, router.StrategyWeighted)
	req := chat("chat", "hi")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s, err := r.Stream(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := s.Recv(); err != nil {
				break
			}
		}
		s.Close()
	}
}
