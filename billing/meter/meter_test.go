package meter_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/meter"
	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/llm"
)

var start = time.Date(2025, 12, 1, 12, 0, 0, 0, time.UTC)

func attempt(n int, model string, u llm.Usage) llm.Attempt {
	return llm.Attempt{Number: n, Alias: "chat", Deployment: "d-" + model, Provider: "p", Model: model,
		Reason: llm.AttemptFirst, Outcome: llm.OutcomeOK, Start: start, Usage: u}
}

func TestChargeable(t *testing.T) {
	u := llm.Usage{InputTokens: 10}
	cases := []struct {
		name string
		a    llm.Attempt
		want bool
	}{
		{"reported usage", llm.Attempt{Outcome: llm.OutcomeOK, Usage: u}, true},
		{"no usage", llm.Attempt{Outcome: llm.OutcomeOK}, false},
		{"refused: the router's prompt estimate only", llm.Attempt{Outcome: llm.OutcomeFailed, ErrorKind: llm.KindRateLimited, Usage: u, UsageEstimated: true}, false},
		{"timed out: the provider had the prompt", llm.Attempt{Outcome: llm.OutcomeFailed, ErrorKind: llm.KindTimeout, Usage: u, UsageEstimated: true}, true},
		{"broken after output", llm.Attempt{Outcome: llm.OutcomeBroken, Usage: llm.Usage{InputTokens: 10, OutputTokens: 3}, UsageEstimated: true}, true},
		{"cut off by the client", llm.Attempt{Outcome: llm.OutcomeCanceled, Usage: u, UsageEstimated: true}, true},
		{"failed with reported usage", llm.Attempt{Outcome: llm.OutcomeFailed, Usage: u}, true},
	}
	for _, c := range cases {
		if got := meter.Chargeable(&c.a); got != c.want {
			t.Errorf("%s: Chargeable = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestObserveRecordsEachChargedAttempt(t *testing.T) {
	w := &fakeWriter{}
	var sunk []meter.Charge
	m := meter.New(meter.Options{Records: w, Pricer: embedded(), CostSinks: []meter.CostSink{
		func(_ context.Context, _ *llm.Attempt, c meter.Charge) { sunk = append(sunk, c) },
	}})
	ctx, call := meter.Begin(background(), meter.Caller{KeyID: "key_1", TeamID: "team_1", UserID: "user_1", EndUser: "alice", Stream: true})
	if call.RequestID != "req_test" || meter.CallFrom(ctx) != call {
		t.Fatalf("Begin: id %q, CallFrom %p want %p", call.RequestID, meter.CallFrom(ctx), call)
	}

	usage := llm.Usage{InputTokens: 1000, CachedInputTokens: 400, OutputTokens: 200, ReasoningTokens: 50}
	first := attempt(1, "gpt-4o", usage)
	first.Outcome, first.ErrorKind = llm.OutcomeBroken, llm.KindUpstream
	first.UsageEstimated = true
	refused := attempt(2, "gpt-4o", llm.Usage{InputTokens: 1000})
	refused.Outcome, refused.ErrorKind, refused.UsageEstimated = llm.OutcomeFailed, llm.KindRateLimited, true
	third := attempt(3, "gpt-4o-mini", llm.Usage{InputTokens: 1000, OutputTokens: 10})
	third.Reason = llm.AttemptFailover
	for _, a := range []llm.Attempt{first, refused, third} {
		m.Observe(ctx, a)
	}

	recs := w.all()
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2 (the refused attempt consumed nothing): %+v", len(recs), recs)
	}
	want1 := pricing.Cost(priceOf(t, "gpt-4o"), usage).TotalNano
	want3 := pricing.Cost(priceOf(t, "gpt-4o-mini"), third.Usage).TotalNano
	r := recs[0]
	if r.RequestID != "req_test" || r.Attempt != 1 || !r.Time.Equal(start) || r.KeyID != "key_1" || r.TeamID != "team_1" ||
		r.UserID != "user_1" || r.EndUser != "alice" || !r.Stream || r.Model != "gpt-4o" || r.Deployment != "d-gpt-4o" ||
		r.Alias != "chat" || r.Outcome != llm.OutcomeBroken || r.Usage != usage || !r.Estimated || r.Unpriced ||
		r.CostNanoUSD != want1 || r.PricingVersion != pricing.Embedded().Version() {
		t.Errorf("first record: %+v (want cost %d)", r, want1)
	}
	if r := recs[1]; r.Attempt != 3 || r.Reason != llm.AttemptFailover || r.Estimated || r.CostNanoUSD != want3 {
		t.Errorf("third record: %+v (want cost %d)", r, want3)
	}
	if got := call.Cost(); got != (llm.Cost{NanoUSD: want1 + want3, Estimated: true}) {
		t.Errorf("call cost %+v, want %d estimated", got, want1+want3)
	}
	if len(sunk) != 2 || sunk[0].NanoUSD != want1 || sunk[1].NanoUSD != want3 {
		t.Errorf("cost sinks got %+v", sunk)
	}
	if s := m.Stats(); s.Charged != 2 || s.Estimated != 1 || s.Unpriced != 0 || s.Lost != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestUnpricedModelIsRecordedWithItsTokens(t *testing.T) {
	w := &fakeWriter{}
	m := meter.New(meter.Options{Records: w, Pricer: embedded()})
	ctx, call := meter.Begin(background(), meter.Caller{KeyID: "key_1"})
	m.Observe(ctx, attempt(1, "no-such-model-anywhere", llm.Usage{InputTokens: 7, OutputTokens: 3}))
	m.Observe(ctx, attempt(2, "gpt-4o", llm.Usage{InputTokens: 7, OutputTokens: 3}))
	recs := w.all()
	if len(recs) != 2 || !recs[0].Unpriced || recs[0].CostNanoUSD != 0 || recs[0].Usage.TotalTokens() != 10 {
		t.Fatalf("records %+v", recs)
	}
	if recs[1].Unpriced || recs[1].CostNanoUSD == 0 {
		t.Errorf("a priced model beside an unpriced one: %+v", recs[1])
	}
	if c := call.Cost(); !c.Unpriced || c.NanoUSD != recs[1].CostNanoUSD {
		t.Errorf("call cost %+v", c)
	}
}

func TestWithoutAPricerEverythingIsUnpriced(t *testing.T) {
	m := meter.New(meter.Options{})
	a := attempt(1, "gpt-4o", llm.Usage{InputTokens: 1})
	if c := m.CostOf(&a); !c.Unpriced || c.NanoUSD != 0 {
		t.Errorf("CostOf without a pricer: %+v", c)
	}
	m.SetPricer(embedded())
	if c := m.CostOf(&a); c.Unpriced || c.NanoUSD == 0 {
		t.Errorf("CostOf after SetPricer: %+v", c)
	}
	a.Usage = llm.Usage{}
	if c := m.CostOf(&a); c != (meter.Charge{}) {
		t.Errorf("CostOf an attempt without usage: %+v", c)
	}
}

func TestARefusedRecordIsCountedNotFatal(t *testing.T) {
	w := &fakeWriter{failing: errors.New("disk full")}
	m := meter.New(meter.Options{Records: w, Pricer: embedded()})
	ctx, call := meter.Begin(background(), meter.Caller{})
	m.Observe(ctx, attempt(1, "gpt-4o", llm.Usage{InputTokens: 5}))
	if s := m.Stats(); s.Lost != 1 || s.Charged != 1 {
		t.Errorf("stats %+v", s)
	}
	if call.Cost().NanoUSD == 0 {
		t.Error("the caller's cost should not depend on the ledger")
	}
}

func TestRequestsWithoutAnIDGetOne(t *testing.T) {
	_, a := meter.Begin(context.Background(), meter.Caller{})
	_, b := meter.Begin(context.Background(), meter.Caller{})
	if a.RequestID == "" || a.RequestID == b.RequestID {
		t.Errorf("ids %q and %q", a.RequestID, b.RequestID)
	}
}

func TestObserveWithoutACall(t *testing.T) {
	w := &fakeWriter{}
	m := meter.New(meter.Options{Records: w, Pricer: embedded()})
	m.Observe(context.Background(), attempt(1, "gpt-4o", llm.Usage{InputTokens: 5}))
	m.Observe(llm.WithRequestID(context.Background(), "req_x"), attempt(1, "gpt-4o", llm.Usage{InputTokens: 5}))
	if recs := w.all(); len(recs) != 1 || recs[0].RequestID != "req_x" {
		t.Errorf("records %+v", recs)
	}
	if s := m.Stats(); s.Unattributed != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestHistoryPricesByEffectiveDate(t *testing.T) {
	table := pricing.Embedded()
	h := meter.NewHistory(func(at time.Time) (pricing.Price, bool) { return table.Lookup("openai", "gpt-4o", at) })
	for _, at := range []time.Time{time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), time.Now()} {
		want, wok := table.Lookup("openai", "gpt-4o", at)
		got, gok := h.At(at)
		if gok != wok || got.Input != want.Input || !got.EffectiveFrom.Equal(want.EffectiveFrom) {
			t.Errorf("at %s: history %v %+v, table %v %+v", at, gok, got.Rates, wok, want.Rates)
		}
	}
	if _, ok := h.At(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); ok {
		t.Error("a price before the model existed")
	}
	none := meter.NewHistory(func(time.Time) (pricing.Price, bool) { return pricing.Price{}, false })
	if !none.Empty() {
		t.Error("a model without prices has a history")
	}
}
