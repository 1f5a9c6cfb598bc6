package router_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// served counts which deployment served each of n requests.
func served(t *testing.T, r *router.Router, n int) map[string]int {
	t.Helper()
	out := map[string]int{}
	for range n {
		resp, err := r.Complete(context.Background(), chat("chat", "hi"))
		if err != nil {
			t.Fatal(err)
		}
		out[resp.Deployment]++
	}
	return out
}

func TestWeightedSplitFollowsTheWeights(t *testing.T) {
	var ds []*router.Deployment
	for _, w := range []struct {
		name   string
		weight int
	}{{"a", 1}, {"b", 2}, {"c", 7}} {
		d := dep(w.name, &fake{name: w.name})
		d.Weight = w.weight
		ds = append(ds, d)
	}
	r, _ := build(t, router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: ds, Strategy: router.StrategyWeighted}}}, newClock())
	const n = 10000
	got := served(t, r, n)
	// Binomial standard deviations at n=10000 are under 0.5 points; 2
	// points is a wide margin with a fixed seed.
	for name, want := range map[string]float64{"a": 0.1, "b": 0.2, "c": 0.7} {
		if share := float64(got[name]) / n; math.Abs(share-want) > 0.02 {
			t.Errorf("%s served %.3f, want %.2f ± 0.02", name, share, want)
		}
	}
}

func TestPriorityOrder(t *testing.T) {
	a, b, c := &fake{name: "a"}, &fake{name: "b", fail: always(errOf(llm.KindOverloaded, "pb"))}, &fake{name: "c"}
	da, db, dc := dep("a", a), dep("b", b), dep("c", c)
	da.Priority, db.Priority, dc.Priority = 2, 1, 1
	r, log := build(t, router.Config{Aliases: []*router.Alias{{Name: "chat", Deployments: []*router.Deployment{da, db, dc}, Retry: noRetry()}}}, newClock())
	resp, err := r.Complete(context.Background(), chat("chat", "hi"))
	if err != nil || resp.Deployment != "c" {
		t.Fatalf("resp %+v err %v", resp, err)
	}
	if got := trail(log.all()); len(got) != 2 || got[0] != "b:failed" {
		t.Errorf("attempts %v: want b (priority 1) first, then c (priority 1, listed after)", got)
	}
}

func TestLeastLatencyPrefersTheFastestAndExplores(t *testing.T) {
	clock := newClock()
	mk := func(name string, latency time.Duration) *router.Deployment {
		return dep(name, &fake{name: name, clock: clock, latency: latency})
	}
	alias := &router.Alias{Name: "chat", Strategy: router.StrategyLeastLatency, Exploration: 0.1,
		Deployments: []*router.Deployment{mk("slow", 50*time.Millisecond), mk("fast", 10*time.Millisecond), mk("mid", 30*time.Millisecond)}}
	r, _ := build(t, router.Config{Aliases: []*router.Alias{alias}}, clock)
	const n = 2000
	got := served(t, r, n)
	if share := float64(got["fast"]) / n; share < 0.85 {
		t.Errorf("fast served %.3f, want most (exploration 0.1): %v", share, got)
	}
	if got["slow"] == 0 || got["mid"] == 0 {
		t.Errorf("no exploration: %v", got)
	}
	// A deployment whose samples are stale is measured again first.
	clock.Advance(2 * time.Minute)
	resp, err := r.Complete(context.Background(), chat("chat", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Deployment == "" {
		t.Fatal("no deployment")
	}
}

func TestLowestCost(t *testing.T) {
	mk := func(name string, in, out float64, p llm.Provider) *router.Deployment {
		d := dep(name, p)
		d.Price = router.Price{InputPerMTok: in, OutputPerMTok: out}
		return d
	}
	cheapFails := &fake{name: "cheap", fail: always(errOf(llm.KindOverloaded, "p"))}
	alias := &router.Alias{Name: "chat", Strategy: router.StrategyLowestCost, Retry: noRetry(), Deployments: []*router.Deployment{
		mk("dear", 10, 30, &fake{name: "dear"}), mk("cheap", 0.1, 0.4, cheapFails), mk("middle", 1, 2, &fake{name: "middle"}),
	}}
	r, log := build(t, router.Config{Aliases: []*router.Alias{alias}}, newClock())
	resp, err := r.Complete(context.Background(), chat("chat", "hi"))
	if err != nil || resp.Deployment != "middle" {
		t.Fatalf("resp %+v err %v", resp, err)
	}
	if got := trail(log.all()); got[0] != "cheap:failed" {
		t.Errorf("attempts %v: want the cheapest first", got)
	}
}

// Usage-based routing shares requests in proportion to the declared
// limits, as counted by the router.
func TestUsageBasedFollowsHeadroom(t *testing.T) {
	small, large := dep("small", &fake{name: "small"}), dep("large", &fake{name: "large"})
	small.Limits = router.Limits{RPM: 10}
	large.Limits = router.Limits{RPM: 30}
	alias := &router.Alias{Name: "chat", Strategy: router.StrategyUsageBased, Deployments: []*router.Deployment{small, large}}
	r, _ := build(t, router.Config{Aliases: []*router.Alias{alias}}, newClock())
	got := served(t, r, 40)
	if got["small"] < 8 || got["small"] > 12 {
		t.Errorf("split %v, want about 10/30", got)
	}
	// Both at their limits: still served (the limit demotes, it does not
	// refuse).
	got = served(t, r, 4)
	if got["small"]+got["large"] != 4 {
		t.Errorf("over the limits: %v", got)
	}
	st := statusOf(r, "large")
	if st.Requests < 30 || st.Limits.RPM != 30 {
		t.Errorf("status %+v", st)
	}
}

// A deployment that sent a Retry-After is moved to the end of the order
// for other requests until it expires.
func TestRetryAfterDemotesTheDeploymentForOtherRequests(t *testing.T) {
	a := &fake{name: "a", fail: firstN(1, rateLimited(30*time.Second))}
	b := &fake{name: "b"}
	clock := newClock()
	r, _ := build(t, twoDeployments(a, b, noRetry()), clock)
	got := served(t, r, 3)
	if got["b"] != 3 || a.Calls() != 1 {
		t.Fatalf("served %v, a calls %d", got, a.Calls())
	}
	clock.Advance(31 * time.Second)
	if got := served(t, r, 1); got["a"] != 1 {
		t.Errorf("after the Retry-After: %v", got)
	}
}
