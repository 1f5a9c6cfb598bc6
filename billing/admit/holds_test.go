package admit_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/llm"
)

// A request refused only because another request's worst case is still
// held waits briefly for it to settle (as happens when a client's next
// request reaches another instance before the previous answer's
// settlement): it is admitted once the hold turns into a smaller cost.
func TestARefusalByHoldsWaitsForThemToSettle(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello", 100)
	w := worstOf(req, p)
	r := newRig(t, fixedPrices{"m": {p}}, nil)
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: w + w/2}

	first, err := r.c.Admit(context.Background(), k, req, false)
	if err != nil {
		t.Fatal(err)
	}
	next := make(chan error, 1)
	go func() {
		tk, err := r.c.Admit(context.Background(), k, req, false)
		if err == nil {
			r.serve(context.Background(), tk, w/4, llm.Usage{})
		}
		next <- err
	}()
	time.Sleep(time.Millisecond) // the second request's first try finds the hold
	r.serve(context.Background(), first, w/4, llm.Usage{InputTokens: 5, OutputTokens: 20})
	if err := <-next; err != nil {
		t.Fatalf("second request: %v, want it admitted once the first settled", err)
	}
}

// A budget that is spent is refused at once, and one whose holds do not
// go away is refused after the wait.
func TestARefusalByHoldsThatStayIsARefusal(t *testing.T) {
	p := price(t, "1", "2")
	req := chat("m", "hello", 100)
	w := worstOf(req, p)
	r := newRig(t, fixedPrices{"m": {p}}, nil)
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: w + w/2}
	held, err := r.c.Admit(context.Background(), k, req, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.Admit(context.Background(), k, req, false); codeOf(err) != admit.CodeBudgetExceeded {
		t.Fatalf("while the first request runs: %v, want budget_exceeded", err)
	}
	r.serve(context.Background(), held, w, llm.Usage{})
	if _, err := r.c.Admit(context.Background(), k, req, false); codeOf(err) != admit.CodeBudgetExceeded {
		t.Fatalf("once spent: %v, want budget_exceeded", err)
	}
}
