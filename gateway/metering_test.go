package gateway_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/billing/meter"
	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// records collects the spend records the meter hands over.
type records struct {
	mu  sync.Mutex
	all []ledger.Record
}

func (r *records) Enqueue(rec ledger.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, rec)
	return nil
}

func (r *records) get() []ledger.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ledger.Record(nil), r.all...)
}

const meteredYAML = `
defaults: {demo: false, env_providers: false}
providers:
  sim: {kind: sim, passthrough: true}
  sim-anthropic: {kind: sim, dialect: anthropic}
deployments:
  mini: {provider: sim, model: gpt-4o-mini}
  haiku: {provider: sim-anthropic, model: claude-haiku-4-5}
  deal: {provider: sim, model: gpt-4o, pricing: {input: "1", cached_input: "0.5", output: "2"}}
  private: {provider: sim, model: acme-private-7b}
aliases:
  mini: {deployments: [mini]}
  haiku: {deployments: [haiku]}
  deal: {deployments: [deal]}
  private: {deployments: [private]}
`

func meteredGateway(t *testing.T) (*gateway.Gateway, *records) {
	t.Helper()
	recs := &records{}
	gw, err := gateway.New(parse(t, meteredYAML), gateway.WithMeter(meter.New(meter.Options{Records: recs})))
	if err != nil {
		t.Fatal(err)
	}
	return gw, recs
}

var caller = &auth.Principal{KeyID: "key_m", TeamID: "team_m", UserID: "user_m"}

func tablePrice(t *testing.T, vendor, model string) pricing.Price {
	t.Helper()
	p, ok := pricing.Embedded().Lookup(vendor, model, time.Now())
	if !ok {
		t.Fatalf("no price for %s/%s", vendor, model)
	}
	return p
}

func TestUnaryAnswersArePricedAndRecorded(t *testing.T) {
	gw, recs := meteredGateway(t)
	ctx := llm.WithRequestID(context.Background(), "req_unary")
	req := userReq("mini", "What does metering do? [[sim cached=8 reasoning=5]]")
	req.User = "end-user-1"
	resp, err := gw.Complete(ctx, caller, req)
	if err != nil {
		t.Fatal(err)
	}
	want := pricing.Cost(tablePrice(t, "openai", "gpt-4o-mini"), resp.Usage).TotalNano
	if resp.Cost != (llm.Cost{NanoUSD: want}) || want == 0 {
		t.Fatalf("cost %+v, want %d", resp.Cost, want)
	}
	got := recs.get()
	if len(got) != 1 {
		t.Fatalf("records %+v", got)
	}
	r := got[0]
	if r.RequestID != "req_unary" || r.Attempt != 1 || r.KeyID != "key_m" || r.TeamID != "team_m" || r.UserID != "user_m" ||
		r.EndUser != "end-user-1" || r.Stream || r.Deployment != "mini" || r.Provider != "sim" || r.Model != "gpt-4o-mini" ||
		r.Alias != "mini" || r.Usage != resp.Usage || r.CostNanoUSD != want || r.Estimated || r.Unpriced || r.PricingVersion == "" {
		t.Errorf("record %+v", r)
	}
}

// Anthropic's cache reads and writes are priced at their own rates, and a
// deployment's pricing override replaces the table's price.
func TestCachePricingAndOverrides(t *testing.T) {
	gw, _ := meteredGateway(t)
	resp, err := gw.Complete(context.Background(), caller, userReq("haiku", "Cache this long prompt please. [[sim cached=6 cache_write=4]]"))
	if err != nil {
		t.Fatal(err)
	}
	if u := resp.Usage; u.CachedInputTokens != 6 || u.CacheWriteTokens != 4 {
		t.Fatalf("usage %+v", u)
	}
	haiku := tablePrice(t, "anthropic", "claude-haiku-4-5")
	if !haiku.HasCacheWrite() || haiku.CacheWrite <= haiku.Input || haiku.CachedInput >= haiku.Input {
		t.Fatalf("the table's haiku price has no cache discount or premium: %+v", haiku.Rates)
	}
	u := resp.Usage
	plain := u.InputTokens - u.CachedInputTokens - u.CacheWriteTokens
	wantPico := plain*int64(haiku.Input) + u.CachedInputTokens*int64(haiku.CachedInput) + u.CacheWriteTokens*int64(haiku.CacheWrite) +
		u.OutputTokens*int64(haiku.Output)
	if got := resp.Cost.NanoUSD; got != (wantPico+500)/1000 {
		t.Errorf("haiku cost %d nano-USD, want %d", got, (wantPico+500)/1000)
	}

	resp, err = gw.Complete(context.Background(), caller, userReq("deal", "Hello [[sim cached=4]]"))
	if err != nil {
		t.Fatal(err)
	}
	u = resp.Usage
	// input 1 USD/M = 1000 nano a token, cached 500, output 2000.
	want := (u.InputTokens-u.CachedInputTokens)*1000 + u.CachedInputTokens*500 + u.OutputTokens*2000
	if resp.Cost.NanoUSD != want {
		t.Errorf("overridden price: cost %d, want %d (usage %+v)", resp.Cost.NanoUSD, want, u)
	}
}

func TestAModelWithoutAPriceIsServedAndFlagged(t *testing.T) {
	gw, recs := meteredGateway(t)
	resp, err := gw.Complete(context.Background(), caller, userReq("private", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Cost != (llm.Cost{Unpriced: true}) || resp.Usage.IsZero() {
		t.Errorf("cost %+v, usage %+v", resp.Cost, resp.Usage)
	}
	if r := recs.get(); len(r) != 1 || !r[0].Unpriced || r[0].Usage != resp.Usage {
		t.Errorf("records %+v", r)
	}
	// Others are unaffected.
	if resp, err := gw.Complete(context.Background(), caller, userReq("mini", "hello")); err != nil || resp.Cost.Unpriced || resp.Cost.NanoUSD == 0 {
		t.Errorf("a priced model after an unpriced one: %+v, %v", resp, err)
	}
}

func TestPassthroughModelsArePricedByName(t *testing.T) {
	gw, recs := meteredGateway(t)
	resp, err := gw.Complete(context.Background(), caller, userReq("sim/gpt-4o", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	want := pricing.Cost(tablePrice(t, "openai", "gpt-4o"), resp.Usage).TotalNano
	if resp.Cost.NanoUSD != want || want == 0 {
		t.Errorf("cost %+v, want %d", resp.Cost, want)
	}
	if r := recs.get(); len(r) != 1 || r[0].Deployment != "sim/gpt-4o" || r[0].Model != "gpt-4o" || r[0].CostNanoUSD != want {
		t.Errorf("records %+v", r)
	}
}

func TestStreamsCarryTheCostOnTheLastChunk(t *testing.T) {
	gw, recs := meteredGateway(t)
	s, err := gw.Stream(llm.WithRequestID(context.Background(), "req_stream"), caller, userReq("haiku", "Tell me a story. [[sim cached=3]]"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var last llm.Chunk
	var usage llm.Usage
	for {
		c, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if c.Usage != nil {
			usage = *c.Usage
		}
		last = c
	}
	want := pricing.Cost(tablePrice(t, "anthropic", "claude-haiku-4-5"), usage).TotalNano
	if last.Cost == nil || last.Cost.NanoUSD != want || usage.CachedInputTokens != 3 {
		t.Fatalf("last chunk's cost %+v, want %d (usage %+v)", last.Cost, want, usage)
	}
	if r := recs.get(); len(r) != 1 || r[0].RequestID != "req_stream" || !r[0].Stream || r[0].Usage != usage {
		t.Errorf("records %+v", r)
	}
}

// A stream the caller abandons is charged for what was generated, counted
// with the simulator's tokenizer (which the simulator's own count uses),
// and flagged estimated.
func TestAnAbandonedStreamIsChargedForWhatWasProduced(t *testing.T) {
	gw, recs := meteredGateway(t)
	s, err := gw.Stream(context.Background(), caller, userReq("mini", "Tell me a long story about ledgers and money."))
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for range 4 {
		c, err := s.Recv()
		if err != nil {
			t.Fatal(err)
		}
		text += c.Text
	}
	s.Close()
	got := recs.get()
	if len(got) != 1 {
		t.Fatalf("records %+v", got)
	}
	r := got[0]
	if !r.Estimated || r.Outcome != llm.OutcomeCanceled || r.Usage.InputTokens == 0 || r.CostNanoUSD == 0 {
		t.Errorf("record %+v", r)
	}
	// The router may have read a chunk ahead of the caller, never fewer.
	if n := int64(sim.CountTokens(text)); r.Usage.OutputTokens < n {
		t.Errorf("charged %d output tokens, the caller alone received %d", r.Usage.OutputTokens, n)
	}
}

func TestReloadChangesPrices(t *testing.T) {
	gw, _ := meteredGateway(t)
	resp, err := gw.Complete(context.Background(), caller, userReq("deal", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	before := resp.Cost.NanoUSD
	if err := gw.Reload(parse(t, `
defaults: {demo: false, env_providers: false}
providers:
  sim: {kind: sim}
deployments:
  deal: {provider: sim, model: gpt-4o, pricing: {input: "2", output: "4"}}
aliases:
  deal: {deployments: [deal]}
`)); err != nil {
		t.Fatal(err)
	}
	resp, err = gw.Complete(context.Background(), caller, userReq("deal", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Cost.NanoUSD != 2*before {
		t.Errorf("after doubling the prices: %d, before %d", resp.Cost.NanoUSD, before)
	}
}

func TestWithoutAMeterNothingIsPriced(t *testing.T) {
	gw, err := gateway.New(parse(t, meteredYAML))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := gw.Complete(context.Background(), caller, userReq("mini", "hello"))
	if err != nil || resp.Cost != (llm.Cost{}) || gw.Meter() != nil {
		t.Errorf("%+v, %v", resp, err)
	}
}
