package router_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

func twoDeployments(a, b *fake, retry router.RetryPolicy) router.Config {
	return router.Config{
		Aliases:     []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{dep("a", a), dep("b", b)}, Retry: retry}},
		Passthrough: map[string]llm.Provider{"pa": a},
	}
}

func TestFallsOverOnRetryableError(t *testing.T) {
	a := &fake{name: "a", fail: always(errOf(llm.KindOverloaded, "pa"))}
	b := &fake{name: "b"}
	r, log := build(t, twoDeployments(a, b, noRetry()), newClock())
	resp, err := r.Complete(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Deployment != "b" || resp.Provider != "p-b" || resp.Model != "m-b" {
		t.Errorf("served by %s/%s model %s", resp.Provider, resp.Deployment, resp.Model)
	}
	if a.Calls() != 1 || a.Call(0).Model != "m-a" {
		t.Errorf("a calls = %d", a.Calls())
	}
	want := []string{"a:failed", "b:ok"}
	if got := trail(resp.Route.Attempts); !slices.Equal(got, want) {
		t.Errorf("route attempts %v, want %v", got, want)
	}
	if got := trail(log.all()); !slices.Equal(got, want) {
		t.Errorf("observed %v, want %v", got, want)
	}
	if r := resp.Route.Attempts; r[0].Reason != llm.AttemptFirst || r[1].Reason != llm.AttemptFailover || r[0].ErrorKind != llm.KindOverloaded {
		t.Errorf("reasons %s %s, kind %v", r[0].Reason, r[1].Reason, r[0].ErrorKind)
	}
	if resp.Route.Alias != "chat" || resp.Route.Attempts[1].Usage.OutputTokens != 3 || resp.Route.Attempts[1].UsageEstimated {
		t.Errorf("route %+v", resp.Route)
	}
	if !resp.Route.Attempts[0].UsageEstimated || resp.Route.Attempts[0].Usage.InputTokens == 0 {
		t.Errorf("a failed attempt reports an estimated prompt: %+v", resp.Route.Attempts[0].Usage)
	}
}

func TestDoesNotFallBackOnCallerError(t *testing.T) {
	a := &fake{name: "a", fail: always(errOf(llm.KindInvalidRequest, "pa"))}
	b := &fake{name: "b"}
	r, _ := build(t, twoDeployments(a, b, router.DefaultRetryPolicy()), newClock())
	_, err := r.Complete(context.Background(), chat("chat", "hi"))
	if llm.KindOf(err) != llm.KindInvalidRequest {
		t.Fatalf("err = %v", err)
	}
	if b.Calls() != 0 || a.Calls() != 1 {
		t.Errorf("calls a=%d b=%d for a caller error", a.Calls(), b.Calls())
	}
	if rt := llm.RouteOf(err); rt == nil || len(rt.Attempts) != 1 {
		t.Errorf("the error carries no route: %v", rt)
	}
}

func TestAllFailReturnsTheLastError(t *testing.T) {
	a := &fake{name: "a", fail: always(errOf(llm.KindOverloaded, "pa"))}
	b := &fake{name: "b", fail: always(errOf(llm.KindRateLimited, "pb"))}
	r, _ := build(t, twoDeployments(a, b, noRetry()), newClock())
	_, err := r.Complete(context.Background(), chat("chat", "hi"))
	if llm.KindOf(err) != llm.KindRateLimited {
		t.Fatalf("err = %v", err)
	}
}

func TestUnknownModelIsNotFound(t *testing.T) {
	r, _ := build(t, twoDeployments(&fake{}, &fake{}, noRetry()), newClock())
	_, err := r.Complete(context.Background(), chat("nope", "hi"))
	var e *llm.Error
	if !errors.As(err, &e) || e.Kind != llm.KindNotFound || e.Code != "model_not_found" {
		t.Fatalf("err = %v", err)
	}
	_, err = r.Complete(context.Background(), chat("pb/x", "hi"))
	if llm.KindOf(err) != llm.KindNotFound {
		t.Fatalf("non-passthrough provider: err = %v", err)
	}
}

func TestPassthroughSendsModelAsIs(t *testing.T) {
	a := &fake{name: "a"}
	r, _ := build(t, twoDeployments(a, &fake{}, noRetry()), newClock())
	resp, err := r.Complete(context.Background(), chat("pa/gpt-4o-mini", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Call(0).Model != "gpt-4o-mini" || resp.Deployment != "pa/gpt-4o-mini" || resp.Provider != "pa" {
		t.Errorf("model %s, resp %s/%s", a.Call(0).Model, resp.Provider, resp.Deployment)
	}
}

func TestCanceledCallerDoesNotFallBack(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := &fake{name: "a", fail: always(errOf(llm.KindUpstream, "pa"))}
	b := &fake{name: "b"}
	r, _ := build(t, twoDeployments(a, b, router.DefaultRetryPolicy()), newClock())
	if _, err := r.Complete(ctx, chat("chat", "hi")); err == nil {
		t.Fatal("no error")
	}
	if b.Calls() != 0 {
		t.Error("fell back although the caller had gone")
	}
}

func TestEmbedRoutesLikeChat(t *testing.T) {
	a := &fake{name: "a"} // offers no embeddings
	b := &embedder{fake: fake{name: "b"}}
	cfg := router.Config{Aliases: []*router.Alias{{Name: "emb", Deployments: []*router.Deployment{dep("b", b)}, Retry: noRetry()}}}
	r, _ := build(t, cfg, newClock())
	resp, err := r.Embed(context.Background(), &llm.EmbedRequest{Model: "emb", Inputs: []string{"x"}})
	if err != nil || resp.Deployment != "b" || len(resp.Embeddings) != 1 {
		t.Fatalf("resp %+v err %v", resp, err)
	}
	cfg = router.Config{Aliases: []*router.Alias{{Name: "emb", Deployments: []*router.Deployment{dep("a", a)}, Retry: noRetry()}}}
	r, _ = build(t, cfg, newClock())
	if _, err := r.Embed(context.Background(), &llm.EmbedRequest{Model: "emb", Inputs: []string{"x"}}); llm.KindOf(err) != llm.KindInvalidRequest {
		t.Fatalf("err = %v", err)
	}
}

type embedder struct{ fake }

func (e *embedder) Embed(_ context.Context, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	return &llm.EmbedResponse{Model: req.Model, Embeddings: [][]float32{{1, 2}}}, nil
}

func TestBuildRejectsBadReferences(t *testing.T) {
	d := dep("a", &fake{})
	cases := map[string]router.Config{
		"unknown fallback": {Aliases: []*router.Alias{{Name: "x", Deployments: []*router.Deployment{d},
			Fallbacks: router.Fallbacks{router.ClassTimeout: {"nope"}}}}},
		"rules without default": {Aliases: []*router.Alias{{Name: "x", Deployments: []*router.Deployment{d}},
			{Name: "auto", Rules: []router.Rule{{Name: "r", Alias: "x"}}}}},
		"rule to rules alias": {Aliases: []*router.Alias{{Name: "x", Deployments: []*router.Deployment{d}},
			{Name: "auto", Rules: []router.Rule{{Name: "r", Alias: "auto"}}, Default: "x"}}},
		"no deployments":   {Aliases: []*router.Alias{{Name: "x"}}},
		"unknown strategy": {Aliases: []*router.Alias{{Name: "x", Deployments: []*router.Deployment{d}, Strategy: "fastest"}}},
	}
	for name, cfg := range cases {
		if _, err := router.Build(cfg, router.Options{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
