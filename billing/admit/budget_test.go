package admit_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/llm"
)

// worstOf is what the controller reserves for req at p.
func worstOf(req *llm.Request, p pricing.Price) int64 {
	return pricing.WorstCaseCost(p, admit.InputTokenBound(req, admit.DefaultImageTokens), *req.MaxTokens)
}

func TestBudgetAdmitsExactlyWhatFitsAtWorstCase(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello there", 100)
	w := worstOf(req, p)
	r := newRig(t, fixedPrices{"m": {p}}, nil)
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: 10 * w, BudgetWindow: limits.Daily}
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			tk, err := r.c.Admit(context.Background(), k, req, false)
			if err != nil {
				if codeOf(err) != admit.CodeBudgetExceeded {
					t.Errorf("refusal %v, want budget_exceeded", err)
				}
				return
			}
			admitted.Add(1)
			r.serve(context.Background(), tk, w, llm.Usage{InputTokens: 10, OutputTokens: 100})
		})
	}
	wg.Wait()
	if n := admitted.Load(); n != 10 {
		t.Fatalf("admitted %d of 50, want exactly 10", n)
	}
	spent, reserved := r.spent(t, budget.Budget{Scope: "key:key_a", Window: budget.Daily, LimitNano: 10 * w})
	if spent != 10*w || reserved != 0 {
		t.Fatalf("spent %d reserved %d, want %d and 0", spent, reserved, 10*w)
	}
}

func TestSettlementFreesTheDifference(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello", 100)
	w := worstOf(req, p)
	r := newRig(t, fixedPrices{"m": {p}}, nil)
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: 2 * w}
	// Two at worst case fit; each costs a quarter of it.
	for i := range 2 {
		tk, err := r.c.Admit(context.Background(), k, req, false)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		r.serve(context.Background(), tk, w/4, llm.Usage{InputTokens: 5, OutputTokens: 20})
	}
	// 1.5 worst cases are left: one more fits, then not another.
	tk, err := r.c.Admit(context.Background(), k, req, false)
	if err != nil {
		t.Fatalf("the freed difference was not usable: %v", err)
	}
	if _, err := r.c.Admit(context.Background(), k, req, false); codeOf(err) != admit.CodeBudgetExceeded {
		t.Fatalf("fourth request: %v, want budget_exceeded while the third holds its reservation", err)
	}
	r.serve(context.Background(), tk, w/4, llm.Usage{})
	spent, reserved := r.spent(t, budget.Budget{Scope: "key:key_a", Window: budget.Lifetime, LimitNano: 2 * w})
	if spent != 3*(w/4) || reserved != 0 {
		t.Fatalf("spent %d reserved %d", spent, reserved)
	}
}

func TestBudgetRefusalHeaders(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello", 100)
	r := newRig(t, fixedPrices{"m": {p}}, nil)
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: 1, BudgetWindow: limits.Monthly}
	_, err := r.c.Admit(context.Background(), k, req, false)
	e := llm.AsError(err)
	if e.Kind != llm.KindRateLimited || e.Code != admit.CodeBudgetExceeded || e.RetryAfter <= 0 {
		t.Fatalf("error %+v, want a rate limit with code budget_exceeded and a Retry-After", e)
	}
	h := http.Header{}
	admit.SetErrorHeaders(h, err)
	if h.Get("X-Switchboard-Limit-Kind") != "budget" || h.Get("Retry-After") == "" ||
		h.Get(admit.HeaderBudgetRemaining) != "0.000000001" || h.Get(admit.HeaderBudgetReset) == "" {
		t.Fatalf("headers %v", h)
	}
	// A lifetime budget never resets: no Retry-After.
	k.Key.BudgetWindow = limits.Lifetime
	_, err = r.c.Admit(context.Background(), k, req, false)
	h = http.Header{}
	admit.SetErrorHeaders(h, err)
	if h.Get("Retry-After") != "" || h.Get(admit.HeaderBudgetReset) != "" || llm.AsError(err).RetryAfter != 0 {
		t.Fatalf("lifetime refusal headers %v", h)
	}
}

func TestDowngradeRoutesToTheCheaperAliasOnceSpent(t *testing.T) {
	dear, cheap := price(t, "10", "30"), price(t, "0.1", "0.2")
	req := chat("big", "hello", 100)
	w := worstOf(req, dear)
	r := newRig(t, fixedPrices{"big": {dear}, "small": {cheap}}, func(o *admit.Options) {
		o.Events.Budget = func(_ context.Context, scope, window, action string) {
			if scope != "team" || window != "daily" || action != "downgrade" {
				t.Errorf("event %s %s %s", scope, window, action)
			}
		}
	})
	if _, err := r.c.SetSettings(context.Background(), limits.Settings{Scope: "team:team_a",
		Budgets: []limits.Budget{{Window: limits.Daily, LimitNanoUSD: w, Policy: limits.Downgrade, Target: "small"}}}); err != nil {
		t.Fatal(err)
	}
	tk, err := r.c.Admit(context.Background(), caller, req, false)
	if err != nil || tk.Model() != "big" {
		t.Fatalf("first request: %v, model %v", err, tk)
	}
	r.serve(context.Background(), tk, w, llm.Usage{})
	notes := &admit.Notes{}
	ctx := admit.WithNotes(context.Background(), notes)
	tk, err = r.c.Admit(ctx, caller, req, false)
	if err != nil {
		t.Fatalf("once spent: %v, want a downgrade", err)
	}
	if tk.Model() != "small" || tk.Request(req).Model != "small" || req.Model != "big" || notes.DowngradedTo != "small" {
		t.Fatalf("model %s, notes %+v: want the request sent to small", tk.Model(), notes)
	}
	r.serve(context.Background(), tk, 7, llm.Usage{})
	spent, _ := r.spent(t, budget.Budget{Scope: "team:team_a", Window: budget.Daily, LimitNano: w})
	if spent != w+7 {
		t.Fatalf("spent %d, want %d: the downgraded request is still counted", spent, w+7)
	}
}

func TestDowngradeStillBoundByOtherHardBudgets(t *testing.T) {
	dear, cheap := price(t, "10", "30"), price(t, "0.1", "0.2")
	req := chat("big", "hello", 100)
	r := newRig(t, fixedPrices{"big": {dear}, "small": {cheap}}, nil)
	_, _ = r.c.SetSettings(context.Background(), limits.Settings{Scope: "team:team_a",
		Budgets: []limits.Budget{{Window: limits.Daily, LimitNanoUSD: 1, Policy: limits.Downgrade, Target: "small"}}})
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: 1} // the key's own hard budget is spent too
	_, err := r.c.Admit(context.Background(), k, req, false)
	if codeOf(err) != admit.CodeBudgetExceeded {
		t.Fatalf("%v, want budget_exceeded: the key's hard budget binds the cheaper alias", err)
	}
}

func TestMaxCostRejectsBeforeAnythingIsHeld(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello", 100)
	w := worstOf(req, p)
	r := newRig(t, fixedPrices{"m": {p}}, nil)
	k := caller
	k.Key = admit.KeyLimits{RPM: 1}
	ctx := admit.WithNotes(context.Background(), &admit.Notes{MaxCostNanoUSD: w - 1})
	_, err := r.c.Admit(ctx, k, req, false)
	if e := llm.AsError(err); e.Kind != llm.KindInvalidRequest || e.Code != admit.CodeMaxCostExceeded {
		t.Fatalf("%v, want invalid request max_cost_exceeded", err)
	}
	// Nothing was charged: the key's one request a minute is still there.
	ctx = admit.WithNotes(context.Background(), &admit.Notes{MaxCostNanoUSD: w})
	if _, err := r.c.Admit(ctx, k, req, false); err != nil {
		t.Fatalf("at exactly the worst case: %v", err)
	}
}

func TestUnpricedModelsUnderABudget(t *testing.T) {
	req := chat("mystery", "hello", 100)
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: 1_000_000_000}
	r := newRig(t, fixedPrices{}, nil)
	if _, err := r.c.Admit(context.Background(), k, req, false); codeOf(err) != admit.CodeUnpriced {
		t.Fatalf("%v, want model_unpriced", err)
	}
	// Without a budget, an unpriced model is fine.
	if _, err := r.c.Admit(context.Background(), caller, req, false); err != nil {
		t.Fatal(err)
	}
	r = newRig(t, fixedPrices{}, func(o *admit.Options) { o.AllowUnpriced = true })
	if _, err := r.c.Admit(context.Background(), k, req, false); err != nil {
		t.Fatalf("allowed unpriced: %v", err)
	}
}

// failingBudgets is a budget engine whose store is down.
type failingBudgets struct{ budget.Engine }

var errDown = errors.New("redis: connection refused")

func (failingBudgets) Reserve(context.Context, []budget.Budget, int64) (budget.Reservation, budget.Decision, error) {
	return budget.Reservation{}, budget.Decision{}, errDown
}

func TestBudgetStoreDownFailsOpenByDefault(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello", 100)
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: 1}
	r := newRig(t, fixedPrices{"m": {p}}, func(o *admit.Options) { o.Budgets = failingBudgets{} })
	tk, err := r.c.Admit(context.Background(), k, req, false)
	if err != nil {
		t.Fatalf("fail open: %v", err)
	}
	tk.Finish(context.Background(), nil, nil)
	if s := r.c.Stats(); s.BudgetFailures != 1 || s.FailOpens != 1 {
		t.Fatalf("stats %+v", s)
	}
	r = newRig(t, fixedPrices{"m": {p}}, func(o *admit.Options) { o.Budgets = failingBudgets{}; o.FailClosed = true })
	_, err = r.c.Admit(context.Background(), k, req, false)
	if e := llm.AsError(err); e.Kind != llm.KindUnavailable || e.Code != admit.CodeLimitsUnavailable || errors.Is(err, errDown) && e.Message == errDown.Error() {
		t.Fatalf("fail closed: %+v", e)
	}
}

func TestARefusalUndoesTheOtherCheck(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello", 100)
	w := worstOf(req, p)
	r := newRig(t, fixedPrices{"m": {p}}, nil)
	k := caller
	k.Key = admit.KeyLimits{RPM: 1, TPM: 1_000_000, BudgetNanoUSD: 3 * w}
	b := budget.Budget{Scope: "key:key_a", Window: budget.Lifetime, LimitNano: 3 * w}
	first, err := r.c.Admit(context.Background(), k, req, false)
	if err != nil {
		t.Fatal(err)
	}
	// Rate limited: its reservation, made at the same time, is released.
	if _, err := r.c.Admit(context.Background(), k, req, false); llm.KindOf(err) != llm.KindRateLimited {
		t.Fatalf("%v, want a rate limit", err)
	}
	if _, reserved := r.spent(t, b); reserved != w {
		t.Fatalf("reserved %d, want only the first request's %d", reserved, w)
	}
	r.serve(context.Background(), first, w, llm.Usage{})
}
