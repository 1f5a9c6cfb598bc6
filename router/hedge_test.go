package router_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

func hedged(a, b llm.Provider) router.Config {
	return router.Config{Aliases: []*router.Alias{{
		Name: "chat", Deployments: []*router.Deployment{dep("a", a), dep("b", b)},
		Retry: router.RetryPolicy{BudgetRatio: -1},
		Hedge: router.HedgePolicy{Delay: 10 * time.Millisecond},
	}}}
}

// waitFor polls cond for up to a generous bound (hedge losers settle on
// their own goroutine).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestHedgeWinsWhenTheFirstIsSlow(t *testing.T) {
	a := &fake{name: "a", hang: true}
	b := &fake{name: "b"}
	r, log := build(t, hedged(a, b), newClock())
	resp, err := r.Complete(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Deployment != "b" || resp.Route.Attempts[1].Reason != llm.AttemptHedge {
		t.Fatalf("served by %s, attempts %+v", resp.Deployment, resp.Route.Attempts)
	}
	if resp.Route.Attempts[0].Outcome != llm.OutcomeCanceled {
		t.Errorf("the slow attempt is %s in the route", resp.Route.Attempts[0].Outcome)
	}
	// The loser is canceled and reports itself, with an estimated usage
	// for metering.
	waitFor(t, "the abandoned attempt", func() bool { return len(log.all()) == 2 })
	for _, at := range log.all() {
		if at.Deployment == "a" && (at.Outcome != llm.OutcomeCanceled || !at.UsageEstimated || at.Usage.InputTokens == 0) {
			t.Errorf("loser %+v", at)
		}
	}
	if st := statusOf(r, "a"); st.Breaker != router.BreakerClosed || st.ErrorRate != 0 {
		t.Errorf("a lost hedge counted as a failure: %+v", st)
	}
}

func TestHedgedStreamFirstTokenWins(t *testing.T) {
	a := &fake{name: "a", hang: true}
	b := &fake{name: "b", text: "fast answer"}
	r, log := build(t, hedged(a, b), newClock())
	s, err := r.Stream(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	text, chunks, err := drain(s)
	if err != nil || text != "fast answer" || chunks[0].Deployment != "b" {
		t.Fatalf("text %q err %v", text, err)
	}
	waitFor(t, "the abandoned attempt", func() bool { return len(log.all()) == 2 })
}

func TestNoHedgeWhenTheFirstIsFast(t *testing.T) {
	a := &fake{name: "a"}
	b := &fake{name: "b"}
	cfg := hedged(a, b)
	cfg.Aliases[0].Hedge.Delay = time.Hour
	r, _ := build(t, cfg, newClock())
	for range 5 {
		if resp, err := r.Complete(context.Background(), chat("chat", "hi")); err != nil || resp.Deployment != "a" {
			t.Fatalf("resp %+v err %v", resp, err)
		}
	}
	if b.Calls() != 0 {
		t.Errorf("hedged %d times", b.Calls())
	}
}

// A hedge is extra load: it draws on the retry budget.
func TestHedgesAreBoundedByTheBudget(t *testing.T) {
	a := &fake{name: "a", hang: true}
	b := &fake{name: "b", hang: true}
	cfg := hedged(a, b)
	cfg.Aliases[0].Retry = router.RetryPolicy{BudgetRatio: 0}
	d := 10 * time.Millisecond
	cfg.Aliases[0].Deployments[0].Timeouts.Total = 4 * d
	cfg.Aliases[0].Deployments[1].Timeouts.Total = 4 * d
	r, _ := build(t, cfg, newClock())
	if _, err := r.Complete(context.Background(), chat("chat", "hi")); llm.KindOf(err) != llm.KindTimeout {
		t.Fatalf("err = %v", err)
	}
	if b.Calls() != 1 {
		t.Errorf("b called %d times, want 1 (after a timed out, no hedge)", b.Calls())
	}
}
