package redisadmit_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/internal/redistest"
	"github.com/switchboard-gw/switchboard/llm"
)

// A request that fits: held at its worst case, then settled to its cost
// and its TPM charge corrected from the estimate to its tokens. Pipelined,
// the correction has landed when Finish returns, with the settlement.
func TestAdmittedRequestIsSettledAndCorrected(t *testing.T) {
	bothWays(t, func(t *testing.T, separate bool) {
		g := newGateway(t, redistest.Client(t), redistest.KeyPrefix(t), setup{separate: separate})
		req := chat("big", 20_000)
		w := worstOf(req)
		k := caller
		k.Key = admit.KeyLimits{RPM: 10, TPM: 60_000, BudgetNanoUSD: 10 * w}
		notes := &admit.Notes{}
		tk, err := g.c.Admit(admit.WithNotes(context.Background(), notes), k, req, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, reserved := g.held(t, k); reserved != w {
			t.Fatalf("reserved %d, want the worst case %d", reserved, w)
		}
		if !notes.HasRateLimit || notes.RateLimit.Degraded || notes.RateLimit.Statuses[0].Remaining != 9 {
			t.Fatalf("rate-limit decision %+v", notes.RateLimit)
		}
		g.serve(context.Background(), tk, w/4, llm.Usage{InputTokens: 100, OutputTokens: 100})
		if spent, reserved := g.held(t, k); spent != w/4 || reserved != 0 {
			t.Fatalf("spent %d reserved %d, want %d and 0", spent, reserved, w/4)
		}
		// The TPM limit drains a token a millisecond: 60000 - 200 or more
		// once corrected, about 40000 before.
		corrected := func() bool { return g.tokensLeft(t, k) >= 60_000-200 }
		if separate {
			eventually(t, "the TPM correction", corrected)
		} else if !corrected() {
			t.Fatalf("%d tokens left after Finish, want the correction made with the settlement", g.tokensLeft(t, k))
		}
	})
}

// A request its rate limit refuses holds no money: the reservation made
// with the check is released.
func TestRateRefusalReleasesTheReservation(t *testing.T) {
	bothWays(t, func(t *testing.T, separate bool) {
		g := newGateway(t, redistest.Client(t), redistest.KeyPrefix(t), setup{separate: separate})
		req := chat("big", 100)
		w := worstOf(req)
		k := caller
		k.Key = admit.KeyLimits{RPM: 1, BudgetNanoUSD: 10 * w}
		first, err := g.c.Admit(context.Background(), k, req, false)
		if err != nil {
			t.Fatal(err)
		}
		_, err = g.c.Admit(context.Background(), k, req, false)
		if d, ok := ratelimit.DecisionOf(err); !ok || d.Allowed || llm.KindOf(err) != llm.KindRateLimited {
			t.Fatalf("second request: %v, want a rate limit", err)
		}
		if _, reserved := g.held(t, k); reserved != w {
			t.Fatalf("reserved %d, want only the first request's %d", reserved, w)
		}
		g.serve(context.Background(), first, w, llm.Usage{})
	})
}

// A request its budget refuses consumes no tokens: the TPM estimate
// charged with the reservation is given back.
func TestBudgetRefusalRefundsTheTokens(t *testing.T) {
	bothWays(t, func(t *testing.T, separate bool) {
		g := newGateway(t, redistest.Client(t), redistest.KeyPrefix(t), setup{separate: separate})
		req := chat("big", 20_000)
		w := worstOf(req)
		k := caller
		k.Key = admit.KeyLimits{TPM: 60_000, BudgetNanoUSD: w + w/2}
		first, err := g.c.Admit(context.Background(), k, req, false)
		if err != nil {
			t.Fatal(err)
		}
		estimate := 60_000 - g.tokensLeft(t, k)
		_, err = g.c.Admit(context.Background(), k, req, false)
		if u, ok := admit.BudgetRefusalOf(err); !ok || u.Budget.Scope != "key:key_a" {
			t.Fatalf("second request: %v, want the key's budget to refuse it", err)
		}
		// Charged twice, 60000 - 2*estimate would be left (plus what drains
		// in the meantime, a token a millisecond).
		eventually(t, "the refund", func() bool { return g.tokensLeft(t, k) >= 60_000-estimate })
		g.serve(context.Background(), first, w, llm.Usage{})
	})
}

// A downgrade budget that is spent sends the request to its cheaper alias,
// still counted in that budget.
func TestDowngradeThroughThePipeline(t *testing.T) {
	bothWays(t, func(t *testing.T, separate bool) {
		g := newGateway(t, redistest.Client(t), redistest.KeyPrefix(t), setup{separate: separate})
		req := chat("big", 100)
		w := worstOf(req)
		if _, err := g.c.SetSettings(context.Background(), limits.Settings{Scope: "team:team_a",
			Budgets: []limits.Budget{{Window: limits.Daily, LimitNanoUSD: w, Policy: limits.Downgrade, Target: "small"}}}); err != nil {
			t.Fatal(err)
		}
		k := caller
		k.Key = admit.KeyLimits{RPM: 100} // a rate limit too: both calls
		tk, err := g.c.Admit(context.Background(), k, req, false)
		if err != nil || tk.Model() != "big" {
			t.Fatalf("first request: %v", err)
		}
		g.serve(context.Background(), tk, w, llm.Usage{})
		notes := &admit.Notes{}
		tk, err = g.c.Admit(admit.WithNotes(context.Background(), notes), k, req, false)
		if err != nil || tk.Model() != "small" || notes.DowngradedTo != "small" {
			t.Fatalf("once spent: %v, notes %+v; want the request sent to small", err, notes)
		}
		g.serve(context.Background(), tk, 7, llm.Usage{})
		u, err := g.c.Usage(context.Background(), limits.TeamScope("team_a"), nil)
		if err != nil || len(u.Budgets) != 1 || u.Budgets[0].SpentNano != w+7 || u.Budgets[0].ReservedNano != 0 {
			t.Fatalf("team budget %+v, %v; want %d spent, nothing held", u.Budgets, err, w+7)
		}
	})
}

// Pipelined, a request costs two round trips to Redis, one to admit it and
// one after its answer, for the same four script calls the separate path
// makes in four.
func TestTwoRoundTripsPerRequest(t *testing.T) {
	bothWays(t, func(t *testing.T, separate bool) {
		client := redistest.ClientOf(t, redistest.StartServer(t).URL) // no other test's commands
		trips := countRoundTrips(client)
		g := newGateway(t, client, "", setup{separate: separate})
		req := chat("big", 100)
		k := caller
		k.Key = admit.KeyLimits{RPM: 1000, TPM: 1_000_000, BudgetNanoUSD: 1_000 * worstOf(req), BudgetWindow: limits.Monthly}
		request := func() {
			tk, err := g.c.Admit(context.Background(), k, req, false)
			if err != nil {
				t.Fatal(err)
			}
			g.serve(context.Background(), tk, 5, llm.Usage{InputTokens: 10, OutputTokens: 20})
		}
		request() // loads the scripts and seeds the budget's window
		scripts0 := settledScriptCalls(t, client)
		trips0 := trips.n.Load()
		const n = 5
		for range n {
			request()
		}
		scripts := settledScriptCalls(t, client)
		wantTrips := int64(2 * n)
		if separate {
			wantTrips = 4 * n
		}
		if got := trips.n.Load() - trips0; got != wantTrips {
			t.Errorf("%d round trips for %d requests, want %d", got, n, wantTrips)
		}
		if got := scripts - scripts0; got != 4*n {
			t.Errorf("%d script calls for %d requests, want %d", got, n, 4*n)
		}
	})
}

// A Redis without the scripts (SCRIPT FLUSH, a restart) and without the
// budget's counters (a new window, lost data) admits and settles as well:
// the scripts are loaded and the window seeded from the ledger.
func TestFlushedScriptsAndMissingCounters(t *testing.T) {
	bothWays(t, func(t *testing.T, separate bool) {
		client := redistest.ClientOf(t, redistest.StartServer(t).URL)
		ctx := context.Background()
		req := chat("big", 100)
		w := worstOf(req)
		g := newGateway(t, client, "", setup{separate: separate, budgets: budget.Options{
			Seeder: func(_ context.Context, scope string, _ time.Time) (int64, error) {
				if scope == "key:key_a" {
					return 3 * w, nil // what the ledger says the key spent
				}
				return 0, nil
			}}})
		k := caller
		k.Key = admit.KeyLimits{RPM: 10, TPM: 1_000_000, BudgetNanoUSD: 10 * w, BudgetWindow: limits.Daily}
		for i := range 3 {
			if err := client.ScriptFlush(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			if i == 2 {
				if err := client.FlushAll(ctx).Err(); err != nil { // Redis lost its data
					t.Fatal(err)
				}
			}
			tk, err := g.c.Admit(ctx, k, req, false)
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			if err := client.ScriptFlush(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			g.serve(ctx, tk, w, llm.Usage{InputTokens: 10, OutputTokens: 10})
		}
		// Seeded at 3w, twice (the second time from a ledger that does not
		// know this test's spend), plus the last request's w.
		if spent, reserved := g.held(t, k); spent != 4*w || reserved != 0 {
			t.Fatalf("spent %d reserved %d, want %d and 0", spent, reserved, 4*w)
		}
		if s := g.limiter.Stats(); s.Failures != 0 || g.c.Stats().BudgetFailures != 0 {
			t.Fatalf("limiter %+v, admission %+v: a missing script or counter is no failure", s, g.c.Stats())
		}
	})
}

// With Redis down, each check follows its own failure mode: the limiter's
// (fail open by default, or closed) and admission's for the budgets.
func TestRedisDownFollowsTheFailureModes(t *testing.T) {
	bothWays(t, func(t *testing.T, separate bool) {
		srv := redistest.StartServer(t)
		client := redistest.ClientOf(t, srv.URL)
		req := chat("big", 100)
		k := caller
		k.Key = admit.KeyLimits{RPM: 10, BudgetNanoUSD: 10 * worstOf(req)}
		open := newGateway(t, client, "", setup{separate: separate})
		rateClosed := newGateway(t, client, "", setup{separate: separate, limiter: ratelimit.RedisOptions{FailureMode: ratelimit.FailClosed}})
		budgetClosed := newGateway(t, client, "", setup{separate: separate, admit: func(o *admit.Options) { o.FailClosed = true }})
		srv.Stop(t)

		tk, err := open.c.Admit(context.Background(), k, req, false)
		if err != nil {
			t.Fatalf("fail open: %v", err)
		}
		open.serve(context.Background(), tk, 5, llm.Usage{})
		if s, a := open.limiter.Stats(), open.c.Stats(); s.FailOpens != 1 || a.BudgetFailures != 1 || a.FailOpens != 1 {
			t.Fatalf("fail open: limiter %+v, admission %+v", s, a)
		}
		_, err = rateClosed.c.Admit(context.Background(), k, req, false)
		if e := llm.AsError(err); e == nil || e.Kind != llm.KindUnavailable || e.Code != "rate_limiter_unavailable" {
			t.Fatalf("limiter failing closed: %v", err)
		}
		_, err = budgetClosed.c.Admit(context.Background(), k, req, false)
		if e := llm.AsError(err); e == nil || e.Kind != llm.KindUnavailable || e.Code != admit.CodeLimitsUnavailable {
			t.Fatalf("budgets failing closed: %v", err)
		}

		srv.Start(t)
		eventually(t, "Redis back", func() bool {
			notes := &admit.Notes{}
			tk, err := budgetClosed.c.Admit(admit.WithNotes(context.Background(), notes), k, req, false)
			if err != nil {
				return false
			}
			budgetClosed.serve(context.Background(), tk, 5, llm.Usage{})
			return !notes.RateLimit.Degraded
		})
	})
}

// Each call keeps its own time limit when they share a round trip: a
// Redis that answers after the limiter's timeout but within admission's
// fails the rate-limit check (open, here) and keeps the reservation, and
// the other way round.
func TestEachCallKeepsItsOwnTimeLimit(t *testing.T) {
	bothWays(t, func(t *testing.T, separate bool) {
		url := redistest.StartServer(t).URL
		client := redistest.ClientOf(t, url)
		opts, err := redis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		opts.ContextTimeoutEnabled = true // as the time limits assume
		bounded := redis.NewClient(opts)
		t.Cleanup(func() { bounded.Close() })
		req := chat("big", 100)
		w := worstOf(req)
		k := caller
		k.Key = admit.KeyLimits{RPM: 10, BudgetNanoUSD: 10 * w}
		const short, long = 20 * time.Millisecond, 20 * time.Second
		slowRedis := func() {
			t.Helper()
			if err := client.ClientPause(context.Background(), 500*time.Millisecond).Err(); err != nil {
				t.Fatal(err)
			}
		}

		g := newGateway(t, bounded, "a:", setup{separate: separate, limiter: ratelimit.RedisOptions{Timeout: short},
			admit: func(o *admit.Options) { o.Timeout = long }})
		request := func() (*admit.Notes, *admit.Ticket) {
			t.Helper()
			notes := &admit.Notes{}
			tk, err := g.c.Admit(admit.WithNotes(context.Background(), notes), k, req, false)
			if err != nil {
				t.Fatal(err)
			}
			return notes, tk
		}
		request() // connections made, scripts loaded, window seeded
		slowRedis()
		notes, tk := request()
		if !notes.RateLimit.Degraded || g.limiter.Stats().FailOpens != 1 {
			t.Errorf("late rate-limit answer: %+v, limiter %+v; want a fail-open", notes.RateLimit, g.limiter.Stats())
		}
		if _, reserved := g.held(t, k); reserved != 2*w || g.c.Stats().BudgetFailures != 0 {
			t.Errorf("reserved %d (want %d), admission %+v: the reservation is in time", reserved, 2*w, g.c.Stats())
		}
		g.serve(context.Background(), tk, w, llm.Usage{})

		g = newGateway(t, bounded, "b:", setup{separate: separate, limiter: ratelimit.RedisOptions{Timeout: long},
			admit: func(o *admit.Options) { o.Timeout = short }})
		request()
		slowRedis()
		notes, _ = request()
		if notes.RateLimit.Degraded || g.limiter.Stats().Failures != 0 {
			t.Errorf("rate-limit answer in time: %+v, limiter %+v", notes.RateLimit, g.limiter.Stats())
		}
		if s := g.c.Stats(); s.BudgetFailures != 1 || s.FailOpens != 1 {
			t.Errorf("late reservation: admission %+v; want a budget failure, let through", s)
		}
	})
}

// On a Redis Cluster the rate limits' keys ({ratelimit}) and the budgets'
// ({budget}) live on different nodes of three: go-redis splits the
// pipeline by node, and every call still lands exactly once.
func TestClusterSplitsThePipelineByNode(t *testing.T) {
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: redistest.StartCluster(t, 3)})
	t.Cleanup(func() { client.Close() })
	ctx := context.Background()
	slots := map[int64]bool{}
	for _, tag := range []string{"{ratelimit}", "{budget}"} {
		slot, err := client.ClusterKeySlot(ctx, tag).Result()
		if err != nil {
			t.Fatal(err)
		}
		slots[slot*3/16384] = true // the node of three that owns the slot
	}
	if len(slots) != 2 {
		t.Fatalf("the hash tags share a node (%v): the test proves nothing", slots)
	}
	g := newGateway(t, client, "", setup{})
	req := chat("big", 20_000)
	w := worstOf(req)
	k := caller
	k.Key = admit.KeyLimits{RPM: 1, TPM: 60_000, BudgetNanoUSD: 10 * w}
	tk, err := g.c.Admit(ctx, k, req, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.c.Admit(ctx, k, req, false); llm.KindOf(err) != llm.KindRateLimited {
		t.Fatalf("second request: %v, want a rate limit", err)
	}
	if _, reserved := g.held(t, k); reserved != w {
		t.Fatalf("reserved %d, want only the first request's %d", reserved, w)
	}
	g.serve(ctx, tk, w/4, llm.Usage{InputTokens: 100, OutputTokens: 100})
	if spent, reserved := g.held(t, k); spent != w/4 || reserved != 0 {
		t.Fatalf("spent %d reserved %d, want %d and 0", spent, reserved, w/4)
	}
	if left := g.tokensLeft(t, k); left < 60_000-200 {
		t.Fatalf("%d tokens left, want the correction made with the settlement", left)
	}
}
