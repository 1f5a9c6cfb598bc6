package gateway_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/idempotency"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
)

// The simulator (in-process) behind priced deployments: "cheap" falls back
// to "dear" when overloaded, so a request for cheap may cost dear's price.
const admissionConfig = `
defaults: {demo: false, env_providers: false}
providers:
  sim: {kind: sim}
deployments:
  cheap-1: {provider: sim, model: sim-cheap, pricing: {input: "0", output: "1"}, limits: {rpm: 1}}
  cheap-2: {provider: sim, model: sim-cheap, pricing: {input: "0", output: "1"}}
  dear-1: {provider: sim, model: sim-dear, pricing: {input: "0", output: "100"}}
  free-1: {provider: sim, model: sim-free}
aliases:
  cheap: {deployments: [cheap-1, cheap-2], fallbacks: {overloaded: [dear]}}
  dear: {deployments: [dear-1]}
  free: {deployments: [free-1]}
`

type admitted struct {
	gw      *gateway.Gateway
	budgets *budget.Memory
}

func newAdmitted(t *testing.T) *admitted {
	t.Helper()
	cfg, err := config.Parse([]byte(admissionConfig), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	a := &admitted{budgets: budget.NewMemory(budget.Options{})}
	prices := gateway.NewAdmissionPrices()
	c := admit.New(admit.Options{Limiter: ratelimit.NewMemory(ratelimit.MemoryOptions{}), Budgets: a.budgets,
		Idempotency: idempotency.NewMemory(idempotency.Options{}), Pricer: prices, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if a.gw, err = gateway.New(cfg, gateway.WithAdmission(c, prices)); err != nil {
		t.Fatal(err)
	}
	if a.gw.Admission() != c {
		t.Fatal("Admission() is not the controller")
	}
	return a
}

func budgeted(limitNano int64) *auth.Principal {
	return &auth.Principal{KeyID: "key_b", TeamID: "team_default", Limits: auth.Limits{BudgetNanoUSD: limitNano, BudgetPeriod: auth.BudgetDaily}}
}

func withMaxTokens(r *llm.Request, n int64) *llm.Request {
	r.MaxTokens = &n
	return r
}

func (a *admitted) spent(t *testing.T, p *auth.Principal) int64 {
	t.Helper()
	us, err := a.budgets.Status(context.Background(), []budget.Budget{{Scope: "key:" + p.KeyID, Window: budget.Daily, LimitNano: p.Limits.BudgetNanoUSD}})
	if err != nil {
		t.Fatal(err)
	}
	if us[0].ReservedNano != 0 {
		t.Fatalf("%d nano-USD still reserved", us[0].ReservedNano)
	}
	return us[0].SpentNano
}

// Budgets settle to what metering charged: the answer's cost.
func TestBudgetSettlesToTheMeteredCost(t *testing.T) {
	a := newAdmitted(t)
	p := budgeted(1_000_000_000)
	resp, err := a.gw.Complete(context.Background(), p, withMaxTokens(userReq("dear", "hello"), 50))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Cost.NanoUSD <= 0 || a.spent(t, p) != resp.Cost.NanoUSD {
		t.Fatalf("spent %d, answer cost %+v", a.spent(t, p), resp.Cost)
	}
	s, err := a.gw.Stream(context.Background(), p, withMaxTokens(userReq("dear", "hello again"), 50))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := llm.Collect(s); err != nil {
		t.Fatal(err)
	}
	if got := a.spent(t, p); got <= resp.Cost.NanoUSD {
		t.Fatalf("the stream was not settled: spent %d", got)
	}
}

// max_cost is checked against the dearest deployment the alias may reach:
// cheap's fallback is dear.
func TestWorstCaseIsTheDearestReachableDeployment(t *testing.T) {
	a := newAdmitted(t)
	// 10 output tokens: $0.00001 on cheap, $0.001 on dear.
	ctx := admit.WithNotes(context.Background(), &admit.Notes{MaxCostNanoUSD: 100_000})
	_, err := a.gw.Complete(ctx, anyKey, withMaxTokens(userReq("cheap", "hi"), 10))
	if e := llm.AsError(err); e == nil || e.Code != admit.CodeMaxCostExceeded {
		t.Fatalf("%v, want max_cost_exceeded (priced at dear, the fallback)", err)
	}
	ctx = admit.WithNotes(context.Background(), &admit.Notes{MaxCostNanoUSD: 1_000_000})
	if _, err := a.gw.Complete(ctx, anyKey, withMaxTokens(userReq("cheap", "hi"), 10)); err != nil {
		t.Fatal(err)
	}
}

// The simulator without a price is free, not unpriced: budgets let it
// through.
func TestTheSimulatorIsFree(t *testing.T) {
	a := newAdmitted(t)
	p := budgeted(1)
	if _, err := a.gw.Complete(context.Background(), p, userReq("free", "hi")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.gw.Complete(context.Background(), p, userReq("free", "hi")); err != nil {
		t.Fatalf("the second request: %v", err)
	}
}

// Deployments' limits are enforced through the admission controller: the
// router moves on when one is at its limit.
func TestDeploymentLimitMovesToTheNextDeployment(t *testing.T) {
	a := newAdmitted(t)
	var served []string
	for range 3 {
		resp, err := a.gw.Complete(context.Background(), anyKey, userReq("cheap", "hi"))
		if err != nil {
			t.Fatal(err)
		}
		served = append(served, resp.Deployment)
	}
	if served[0] != "cheap-1" || served[1] != "cheap-2" || served[2] != "cheap-2" {
		t.Fatalf("served by %v, want cheap-1 once (1 rpm), then cheap-2", served)
	}
}

// An idempotent replay is answered without routing: no second charge.
func TestIdempotentReplayThroughTheGateway(t *testing.T) {
	a := newAdmitted(t)
	p := budgeted(1_000_000_000)
	key := func() context.Context {
		return admit.WithNotes(context.Background(), &admit.Notes{IdempotencyKey: "k1"})
	}
	first, err := a.gw.Complete(key(), p, withMaxTokens(userReq("dear", "hello"), 20))
	if err != nil {
		t.Fatal(err)
	}
	again, err := a.gw.Complete(key(), p, withMaxTokens(userReq("dear", "hello"), 20))
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || a.spent(t, p) != first.Cost.NanoUSD {
		t.Fatalf("replay %s of %s; spent %d, first cost %d", again.ID, first.ID, a.spent(t, p), first.Cost.NanoUSD)
	}
	s, err := a.gw.Stream(admit.WithNotes(context.Background(), &admit.Notes{IdempotencyKey: "k2"}), p, withMaxTokens(userReq("dear", "stream me"), 20))
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := llm.Collect(s)
	if err != nil {
		t.Fatal(err)
	}
	s, err = a.gw.Stream(admit.WithNotes(context.Background(), &admit.Notes{IdempotencyKey: "k2"}), p, withMaxTokens(userReq("dear", "stream me"), 20))
	if err != nil {
		t.Fatal(err)
	}
	replayed, err := llm.Collect(s)
	if err != nil || replayed.Choices[0].Message.Text() != streamed.Choices[0].Message.Text() || replayed.Usage != streamed.Usage {
		t.Fatalf("replayed stream %+v, %v", replayed, err)
	}
}
