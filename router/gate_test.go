package router_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// quota is a deployment gate admitting a fixed number of attempts per
// deployment, as a shared rate limiter would.
type quota struct {
	mu    sync.Mutex
	left  map[string]int
	asked []string
}

var errAtLimit = &llm.Error{Kind: llm.KindRateLimited, Code: "rate_limit_exceeded", Message: "deployment at its limit"}

func (q *quota) gate(_ context.Context, d *router.Deployment) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.asked = append(q.asked, d.Name)
	if q.left[d.Name] <= 0 {
		return errAtLimit
	}
	q.left[d.Name]--
	return nil
}

func limited(name string, p llm.Provider) *router.Deployment {
	d := dep(name, p)
	d.Limits = router.Limits{RPM: 1}
	return d
}

func TestGateMovesToTheNextDeploymentAtItsLimit(t *testing.T) {
	a, b := &fake{name: "a"}, &fake{name: "b"}
	q := &quota{left: map[string]int{"a": 1, "b": 1}}
	r, err := router.Build(router.Config{Aliases: []*router.Alias{
		{Name: "chat", Deployments: []*router.Deployment{limited("a", a), limited("b", b)}, Retry: noRetry()},
	}}, router.Options{Clock: newClock(), Gate: q.gate})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"a", "b"} {
		resp, err := r.Complete(context.Background(), chat("chat", "hi"))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if resp.Deployment != want {
			t.Fatalf("request %d served by %s, want %s", i, resp.Deployment, want)
		}
	}
	// Both at their limit: the caller gets the gate's refusal, and no
	// provider is called.
	_, err = r.Complete(context.Background(), chat("chat", "hi"))
	if !errors.Is(err, errAtLimit) {
		t.Fatalf("third request: %v, want the gate's rate limit", err)
	}
	if a.Calls() != 1 || b.Calls() != 1 {
		t.Fatalf("calls a=%d b=%d, want 1 each", a.Calls(), b.Calls())
	}
	// Streams go through the same gate.
	q.left["b"] = 1
	s, err := r.Stream(context.Background(), chat("chat", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	if _, chunks, err := drain(s); err != nil || chunks[0].Deployment != "b" {
		t.Fatalf("stream: %v, served by %v", err, chunks)
	}
}

func TestGateSkipsDeploymentsWithoutLimits(t *testing.T) {
	q := &quota{left: map[string]int{}}
	r, err := router.Build(router.Config{Aliases: []*router.Alias{
		{Name: "chat", Deployments: []*router.Deployment{dep("free", &fake{name: "free"})}, Retry: noRetry()},
	}}, router.Options{Clock: newClock(), Gate: q.gate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Complete(context.Background(), chat("chat", "hi")); err != nil {
		t.Fatal(err)
	}
	if len(q.asked) != 0 {
		t.Fatalf("the gate was asked about %v, deployments without limits", q.asked)
	}
}

func TestGateRefusalFallsBackToAnotherAlias(t *testing.T) {
	q := &quota{left: map[string]int{"busy": 0}}
	spare := &fake{name: "spare"}
	main := &router.Alias{Name: "main", Deployments: []*router.Deployment{limited("busy", &fake{name: "busy"})}, Retry: noRetry()}
	main.Fallbacks[router.ClassOverloaded] = []string{"spare"}
	r, err := router.Build(router.Config{Aliases: []*router.Alias{
		main, {Name: "spare", Deployments: []*router.Deployment{dep("spare", spare)}, Retry: noRetry()},
	}}, router.Options{Clock: newClock(), Gate: q.gate})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := r.Complete(context.Background(), chat("main", "hi"))
	if err != nil || resp.Deployment != "spare" {
		t.Fatalf("resp %+v, err %v: want the fallback alias", resp, err)
	}
}

func TestReachableFollowsRulesAndFallbacks(t *testing.T) {
	p := &fake{name: "x"}
	big := &router.Alias{Name: "big", Deployments: []*router.Deployment{dep("big-1", p)}, Retry: noRetry()}
	big.Fallbacks[router.ClassOverloaded] = []string{"spare"}
	rules := &router.Alias{Name: "auto", Default: "small", Rules: []router.Rule{{Name: "long", Alias: "big", When: router.Condition{MinInputTokens: 100}}}}
	r, err := router.Build(router.Config{Aliases: []*router.Alias{
		big, rules,
		{Name: "small", Deployments: []*router.Deployment{dep("small-1", p)}, Retry: noRetry()},
		{Name: "spare", Deployments: []*router.Deployment{dep("spare-1", p), dep("big-1-copy", p)}, Retry: noRetry()},
	}}, router.Options{Clock: newClock()})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := r.Reachable("auto")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range ds {
		names = append(names, d.Name)
	}
	want := "big-1 small-1 spare-1 big-1-copy"
	if got := fmt.Sprint(names); got != "["+want+"]" {
		t.Fatalf("Reachable(auto) = %v, want [%s]", names, want)
	}
	if _, err := r.Reachable("nope"); err == nil {
		t.Fatal("Reachable of an unknown model succeeded")
	}
}
