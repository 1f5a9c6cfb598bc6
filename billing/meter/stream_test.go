package meter_test

import (
	"errors"
	"io"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/meter"
	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/llm"
)

// The cost on a stream's last chunk includes the attempt that served it,
// which the router charges only when the stream's end is read.
func TestStreamCarriesTheCostOnItsLastChunk(t *testing.T) {
	w := &fakeWriter{}
	m := meter.New(meter.Options{Records: w, Pricer: embedded()})
	r := simRouter(t, "gpt-4o-mini", m.Observe)
	ctx, call := meter.Begin(background(), meter.Caller{Stream: true})
	s, err := r.Stream(ctx, chat("Tell me about metering."))
	if err != nil {
		t.Fatal(err)
	}
	s = meter.WrapStream(s, call)
	defer s.Close()
	var costs []*llm.Cost
	var usage *llm.Usage
	for {
		c, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		costs = append(costs, c.Cost)
		if c.Usage != nil {
			usage = c.Usage
		}
	}
	if usage == nil {
		t.Fatal("no usage")
	}
	last := costs[len(costs)-1]
	want := pricing.Cost(priceOf(t, "gpt-4o-mini"), *usage).TotalNano
	if last == nil || last.NanoUSD != want || last.Estimated || last.Unpriced {
		t.Fatalf("last chunk's cost %+v, want %d", last, want)
	}
	for i, c := range costs[:len(costs)-1] {
		if c != nil {
			t.Errorf("chunk %d of %d carries a cost", i, len(costs))
		}
	}
	if recs := w.all(); len(recs) != 1 || recs[0].CostNanoUSD != want || !recs[0].Stream || recs[0].Usage != *usage {
		t.Errorf("records %+v", recs)
	}
}

// A stream cut by the upstream after part of the answer is charged for
// what was produced, and its error says so.
func TestBrokenStreamCarriesTheCostOnItsError(t *testing.T) {
	w := &fakeWriter{}
	m := meter.New(meter.Options{Records: w, Pricer: embedded()})
	r := simRouter(t, "gpt-4o-mini", m.Observe)
	ctx, call := meter.Begin(background(), meter.Caller{Stream: true})
	s, err := r.Stream(ctx, chat("Tell me a long story about ledgers. [[sim disconnect_after=4]]"))
	if err != nil {
		t.Fatal(err)
	}
	s = meter.WrapStream(s, call)
	defer s.Close()
	for err == nil {
		_, err = s.Recv()
	}
	if errors.Is(err, io.EOF) {
		t.Fatal("the stream ended cleanly")
	}
	cost, ok := llm.CostOf(err)
	if !ok || cost.NanoUSD == 0 || !cost.Estimated {
		t.Fatalf("error %v carries cost %+v, %v", err, cost, ok)
	}
	if llm.KindOf(err) == llm.KindInternal {
		t.Errorf("the error's kind was lost: %v", err)
	}
	recs := w.all()
	if len(recs) != 1 || !recs[0].Estimated || recs[0].Usage.OutputTokens == 0 || recs[0].CostNanoUSD != cost.NanoUSD {
		t.Errorf("records %+v", recs)
	}
}

func TestUnaryCostIsKnownWhenTheAnswerIs(t *testing.T) {
	w := &fakeWriter{}
	m := meter.New(meter.Options{Records: w, Pricer: embedded()})
	r := simRouter(t, "gpt-4o-mini", m.Observe)
	ctx, call := meter.Begin(background(), meter.Caller{})
	resp, err := r.Complete(ctx, chat("Hello [[sim cached=4 reasoning=7]]"))
	if err != nil {
		t.Fatal(err)
	}
	want := pricing.Cost(priceOf(t, "gpt-4o-mini"), resp.Usage).TotalNano
	if resp.Usage.CachedInputTokens != 4 || resp.Usage.ReasoningTokens != 7 {
		t.Fatalf("usage %+v", resp.Usage)
	}
	if got := call.Cost(); got.NanoUSD != want || got.Estimated {
		t.Errorf("cost %+v, want %d", got, want)
	}
}
