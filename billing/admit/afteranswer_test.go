package admit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/llm"
)

// deferringTransport plays a transport that runs llm.AfterAnswer work once
// its answer is out: the work waits in after until run.
type deferringTransport struct {
	mu    sync.Mutex
	after []func()
}

func (d *deferringTransport) RequestID() string { return "req-deferred" }

func (d *deferringTransport) DeferAfterAnswer(fn func()) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.after = append(d.after, fn)
	return true
}

func (d *deferringTransport) run() {
	d.mu.Lock()
	after := d.after
	d.after = nil
	d.mu.Unlock()
	for _, fn := range after {
		fn()
	}
}

func TestSettlementWaitsForTheAnswerAndTheNextRequestForTheSettlement(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello", 100)
	w := worstOf(req, p)
	r := newRig(t, fixedPrices{"m": {p}}, nil)
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: w + w/2} // one worst case fits, not two
	b := budget.Budget{Scope: "key:key_a", Window: budget.Lifetime, LimitNano: w + w/2}

	transport := &deferringTransport{}
	ctx := llm.WithRequestIdentity(context.Background(), transport)
	tk, err := r.c.Admit(ctx, k, req, false)
	if err != nil {
		t.Fatal(err)
	}
	r.serve(ctx, tk, w/4, llm.Usage{InputTokens: 5, OutputTokens: 20})
	if _, reserved := r.spent(t, b); reserved != w {
		t.Fatalf("reserved %d before the answer is out, want the worst case %d still held", reserved, w)
	}

	// The next request arrives while the first's settlement is pending: it
	// must wait for it (awaitHolds) rather than be refused by the hold.
	next := make(chan error, 1)
	go func() {
		tk, err := r.c.Admit(context.Background(), k, req, false)
		if err == nil {
			r.serve(context.Background(), tk, w/4, llm.Usage{})
		}
		next <- err
	}()
	// Give the request time to find the hold (well within its wait).
	time.Sleep(2 * time.Millisecond)
	transport.run()
	if err := <-next; err != nil {
		t.Fatalf("the request after the answer: %v, want it admitted with the freed difference", err)
	}
	spent, reserved := r.spent(t, b)
	if spent != 2*(w/4) || reserved != 0 {
		t.Fatalf("spent %d reserved %d, want %d and 0", spent, reserved, 2*(w/4))
	}
}
