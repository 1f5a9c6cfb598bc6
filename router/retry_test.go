package router_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

func single(p llm.Provider, retry router.RetryPolicy, breaker *router.BreakerPolicy) router.Config {
	d := dep("a", p)
	d.Breaker = breaker
	return router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{d}, Retry: retry}}}
}

func rateLimited(after time.Duration) error {
	return &llm.Error{Kind: llm.KindRateLimited, Provider: "pa", Status: 429, RetryAfter: after, Message: "slow down"}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	a := &fake{name: "a", fail: firstN(1, rateLimited(2*time.Second))}
	clock := newClock()
	r, log := build(t, single(a, router.DefaultRetryPolicy(), nil), clock)
	resp, err := r.Complete(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	sleeps := clock.Sleeps()
	if len(sleeps) != 1 || sleeps[0] < 2*time.Second {
		t.Errorf("waited %v before the retry, want at least the 2s Retry-After", sleeps)
	}
	if a.Calls() != 2 || resp.Route.Attempts[1].Reason != llm.AttemptRetry {
		t.Errorf("calls %d, attempts %v", a.Calls(), trail(log.all()))
	}
}

func TestRetryAfterLongerThanTheLimitIsNotWaitedFor(t *testing.T) {
	a := &fake{name: "a", fail: firstN(1, rateLimited(time.Minute))}
	clock := newClock()
	r, _ := build(t, single(a, router.DefaultRetryPolicy(), nil), clock)
	_, err := r.Complete(context.Background(), chat("chat", "hi"))
	var e *llm.Error
	if llm.KindOf(err) != llm.KindRateLimited || !asErr(err, &e) || e.RetryAfter != time.Minute {
		t.Fatalf("err = %v, want the rate limit with its Retry-After", err)
	}
	if a.Calls() != 1 || len(clock.Sleeps()) != 0 {
		t.Errorf("calls %d, sleeps %v", a.Calls(), clock.Sleeps())
	}
}

func TestBackoffIsExponentialWithFullJitter(t *testing.T) {
	a := &fake{name: "a", fail: always(errOf(llm.KindOverloaded, "pa"))}
	retry := router.RetryPolicy{MaxRetries: 4, Backoff: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond, BudgetRatio: -1}
	clock := newClock()
	r, _ := build(t, single(a, retry, &router.BreakerPolicy{Disabled: true}), clock)
	_, _ = r.Complete(context.Background(), chat("chat", "hi"))
	sleeps := clock.Sleeps()
	ceilings := []time.Duration{100, 200, 300, 300}
	if len(sleeps) != len(ceilings) {
		t.Fatalf("sleeps %v", sleeps)
	}
	for i, s := range sleeps {
		if s < 0 || s >= ceilings[i]*time.Millisecond {
			t.Errorf("backoff %d = %v, want in [0, %dms)", i, s, ceilings[i])
		}
	}
}

func TestRetryStopsAtTheDeadline(t *testing.T) {
	a := &fake{name: "a", fail: always(rateLimited(3 * time.Second))}
	retry := router.DefaultRetryPolicy()
	retry.MaxRetries = 5
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r, _ := build(t, single(a, retry, nil), newClock())
	if _, err := r.Complete(ctx, chat("chat", "hi")); llm.KindOf(err) != llm.KindRateLimited {
		t.Fatalf("err = %v", err)
	}
	if a.Calls() != 1 {
		t.Errorf("%d calls: retried although the wait outlasts the caller's deadline", a.Calls())
	}
}

// Under a full outage the retry budget caps the extra load: with a ratio
// of 0.1 and no minimum, 200 requests that each may retry 3 times make at
// most 200 + 20 attempts.
func TestRetryBudgetCapsAttemptsUnderAFullOutage(t *testing.T) {
	a := &fake{name: "a", fail: always(errOf(llm.KindOverloaded, "pa"))}
	retry := router.RetryPolicy{MaxRetries: 3, BudgetRatio: 0.1}
	r, _ := build(t, single(a, retry, &router.BreakerPolicy{Disabled: true}), newClock())
	const requests = 200
	for range requests {
		if _, err := r.Complete(context.Background(), chat("chat", "hi")); err == nil {
			t.Fatal("a request succeeded during the outage")
		}
	}
	if got, limit := a.Calls(), requests+requests/10; got > limit+1 || got < requests {
		t.Errorf("%d attempts for %d requests, want at most %d", got, requests, limit)
	}
	// Without the budget every request would retry three times.
	b := &fake{name: "b", fail: always(errOf(llm.KindOverloaded, "pb"))}
	r, _ = build(t, single(b, router.RetryPolicy{MaxRetries: 3, BudgetRatio: -1}, &router.BreakerPolicy{Disabled: true}), newClock())
	for range 10 {
		_, _ = r.Complete(context.Background(), chat("chat", "hi"))
	}
	if b.Calls() != 40 {
		t.Errorf("without a budget: %d attempts, want 40", b.Calls())
	}
}

func asErr(err error, e **llm.Error) bool {
	*e = llm.AsError(err)
	return *e != nil
}
