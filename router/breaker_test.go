package router_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

var testBreaker = router.BreakerPolicy{ConsecutiveFailures: 3, FailureRate: 0.5, MinRequests: 10, Window: 10 * time.Second, OpenFor: 5 * time.Second, HalfOpenProbes: 1}

// An open breaker is skipped: the request is never sent to it, not even as
// a retry; after OpenFor one probe goes through, and its success closes
// the breaker.
func TestOpenBreakerIsSkippedAndLaterProbed(t *testing.T) {
	healthy := false
	a := &fake{name: "a", fail: func(int) error {
		if healthy {
			return nil
		}
		return errOf(llm.KindOverloaded, "pa")
	}}
	b := &fake{name: "b"}
	da, db := dep("a", a), dep("b", b)
	bp := testBreaker
	da.Breaker, db.Breaker = &bp, &bp
	clock := newClock()
	r, _ := build(t, router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{da, db}, Retry: router.DefaultRetryPolicy()}}}, clock)

	for range 3 {
		if _, err := r.Complete(context.Background(), chat("chat", "hi")); err != nil {
			t.Fatal(err)
		}
	}
	if a.Calls() != 3 {
		t.Fatalf("a called %d times before opening", a.Calls())
	}
	if st := statusOf(r, "a"); st.Breaker != router.BreakerOpen || st.ProbeAt.IsZero() {
		t.Fatalf("breaker %v", st.Breaker)
	}
	_, aliases := r.Status()
	if len(aliases) != 1 || !aliases[0].Degraded() || aliases[0].Down() || !slices.Equal(aliases[0].Unavailable, []string{"a"}) {
		t.Errorf("alias status %+v", aliases)
	}

	// Open: a gets nothing, b serves at once.
	for range 5 {
		resp, err := r.Complete(context.Background(), chat("chat", "hi"))
		if err != nil || resp.Deployment != "b" || len(resp.Route.Attempts) != 1 {
			t.Fatalf("resp %+v err %v", resp, err)
		}
	}
	if a.Calls() != 3 {
		t.Fatalf("a called while open")
	}

	// After OpenFor: one probe. It fails: open again.
	clock.Advance(5 * time.Second)
	if _, err := r.Complete(context.Background(), chat("chat", "hi")); err != nil {
		t.Fatal(err)
	}
	if a.Calls() != 4 || statusOf(r, "a").Breaker != router.BreakerOpen {
		t.Fatalf("probe: calls %d, breaker %v", a.Calls(), statusOf(r, "a").Breaker)
	}
	// Next probe succeeds: closed, a serves again.
	healthy = true
	clock.Advance(5 * time.Second)
	resp, err := r.Complete(context.Background(), chat("chat", "hi"))
	if err != nil || resp.Deployment != "a" {
		t.Fatalf("probe: resp %+v err %v", resp, err)
	}
	if st := statusOf(r, "a"); st.Breaker != router.BreakerClosed || st.Opened != 2 {
		t.Errorf("after a good probe: %v, opened %d", st.Breaker, st.Opened)
	}
}

func TestBreakerOpensOnFailureRate(t *testing.T) {
	n := 0
	a := &fake{name: "a", fail: func(int) error {
		n++
		if n%2 == 0 { // every other call fails: never 3 in a row
			return errOf(llm.KindUpstream, "pa")
		}
		return nil
	}}
	da := dep("a", a)
	bp := testBreaker
	da.Breaker = &bp
	r, _ := build(t, router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{da}, Retry: noRetry()}}}, newClock())
	for range 10 {
		_, _ = r.Complete(context.Background(), chat("chat", "hi"))
	}
	if st := statusOf(r, "a"); st.Breaker != router.BreakerOpen || st.ErrorRate < 0.45 {
		t.Errorf("breaker %v error rate %.2f after 50%% failures", st.Breaker, st.ErrorRate)
	}
}

func TestAllBreakersOpenIsUnavailable(t *testing.T) {
	a := &fake{name: "a", fail: always(errOf(llm.KindOverloaded, "pa"))}
	da := dep("a", a)
	bp := testBreaker
	da.Breaker = &bp
	r, _ := build(t, router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{da}, Retry: noRetry()}}}, newClock())
	for range 3 {
		_, _ = r.Complete(context.Background(), chat("chat", "hi"))
	}
	_, err := r.Complete(context.Background(), chat("chat", "hi"))
	e := llm.AsError(err)
	if e.Kind != llm.KindUnavailable || e.Code != "deployments_unavailable" || e.RetryAfter != 5*time.Second {
		t.Fatalf("err = %+v", e)
	}
	if a.Calls() != 3 {
		t.Errorf("calls %d", a.Calls())
	}
	_, aliases := r.Status()
	if !aliases[0].Down() {
		t.Errorf("alias not down: %+v", aliases[0])
	}
}

// Context-window and content-filter errors prove the deployment works:
// they do not open its breaker.
func TestCallerSideErrorsDoNotOpenTheBreaker(t *testing.T) {
	a := &fake{name: "a", fail: always(errOf(llm.KindContextTooLong, "pa"))}
	da := dep("a", a)
	bp := testBreaker
	da.Breaker = &bp
	r, _ := build(t, router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{da}}}}, newClock())
	for range 10 {
		_, _ = r.Complete(context.Background(), chat("chat", "hi"))
	}
	if st := statusOf(r, "a"); st.Breaker != router.BreakerClosed {
		t.Errorf("breaker %v", st.Breaker)
	}
}

// A reload keeps what was learned: a router built with the same State
// sees the open breaker.
func TestStateSurvivesARebuild(t *testing.T) {
	a := &fake{name: "a", fail: always(errOf(llm.KindOverloaded, "pa"))}
	da := dep("a", a)
	bp := testBreaker
	da.Breaker = &bp
	cfg := router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{da}, Retry: noRetry()}}}
	clock := newClock()
	r, _ := build(t, cfg, clock)
	for range 3 {
		_, _ = r.Complete(context.Background(), chat("chat", "hi"))
	}
	r2, err := router.Build(cfg, router.Options{State: r.State(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if st := statusOf(r2, "a"); st.Breaker != router.BreakerOpen {
		t.Errorf("after rebuild: %v", st.Breaker)
	}
}

func TestKeyPoolMovesToTheNextKeyOnRateLimit(t *testing.T) {
	k0 := &fake{name: "k0", fail: always(rateLimited(0))}
	k1 := &fake{name: "k1"}
	k2 := &fake{name: "k2"}
	d := &router.Deployment{Name: "a", ProviderName: "pa", Model: "m", Keys: []llm.Provider{k0, k1, k2}}
	bp := testBreaker
	d.Breaker = &bp
	b := &fake{name: "b"}
	r, _ := build(t, router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{d, dep("b", b)}, Retry: noRetry()}}}, newClock())
	for range 6 {
		resp, err := r.Complete(context.Background(), chat("chat", "hi"))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Deployment != "a" {
			t.Fatalf("served by %s: a rate limit on one key moved off the deployment", resp.Deployment)
		}
		for _, at := range resp.Route.Attempts {
			if at.Outcome == llm.OutcomeFailed && at.Reason != llm.AttemptFirst {
				t.Errorf("failed attempt %+v", at)
			}
			if at.Outcome == llm.OutcomeOK && at.Key == 0 {
				t.Errorf("served by the rate-limited key")
			}
		}
	}
	if b.Calls() != 0 {
		t.Error("b called")
	}
	if st := statusOf(r, "a"); st.Breaker != router.BreakerClosed || st.Keys != 3 {
		t.Errorf("key rate limits counted against the deployment: %+v", st)
	}
	// k0 rests after its rate limit: it is asked at most once more per
	// second, not on every request.
	if k0.Calls() > 2 {
		t.Errorf("the rate-limited key was called %d times", k0.Calls())
	}
}

func TestEveryKeyRateLimitedFailsOver(t *testing.T) {
	d := &router.Deployment{Name: "a", ProviderName: "pa", Model: "m",
		Keys: []llm.Provider{&fake{name: "k0", fail: always(rateLimited(0))}, &fake{name: "k1", fail: always(rateLimited(0))}}}
	b := &fake{name: "b"}
	r, _ := build(t, router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{d, dep("b", b)}, Retry: noRetry()}}}, newClock())
	resp, err := r.Complete(context.Background(), chat("chat", "hi"))
	if err != nil || resp.Deployment != "b" {
		t.Fatalf("resp %+v err %v", resp, err)
	}
	reasons := []llm.AttemptReason{}
	for _, a := range resp.Route.Attempts {
		reasons = append(reasons, a.Reason)
	}
	if !slices.Equal(reasons, []llm.AttemptReason{llm.AttemptFirst, llm.AttemptKey, llm.AttemptFailover}) {
		t.Errorf("reasons %v", reasons)
	}
}

func statusOf(r *router.Router, name string) router.DeploymentStatus {
	ds, _ := r.Status()
	for _, d := range ds {
		if d.Name == name {
			return d
		}
	}
	return router.DeploymentStatus{}
}

// A failed rebuild forgets nothing: the next good one still finds the
// open breaker.
func TestFailedRebuildKeepsState(t *testing.T) {
	a := &fake{name: "a", fail: always(errOf(llm.KindOverloaded, "pa"))}
	da := dep("a", a)
	bp := testBreaker
	da.Breaker = &bp
	good := router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{da}, Retry: noRetry()}}}
	clock := newClock()
	r, _ := build(t, good, clock)
	for range 3 {
		_, _ = r.Complete(context.Background(), chat("chat", "hi"))
	}
	bad := router.Config{Aliases: []*router.Alias{{Name: "other", Deployments: []*router.Deployment{dep("x", &fake{})}}, {Name: "broken"}}}
	if _, err := router.Build(bad, router.Options{State: r.State(), Clock: clock}); err == nil {
		t.Fatal("a bad configuration was built")
	}
	r2, err := router.Build(good, router.Options{State: r.State(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if st := statusOf(r2, "a"); st.Breaker != router.BreakerOpen {
		t.Errorf("after a failed rebuild: %v", st.Breaker)
	}
}
