package admit

import (
	"context"
	"time"

	"github.com/switchboard-gw/switchboard/billing/budget"
)

// holdWaits is how long a reservation refused only because of money held
// by requests in flight waits, before each new try, for them to settle:
// about 15 ms in all. Settlement runs after each answer is delivered
// (llm.AfterAnswer), so a client's next request, sent the moment it has
// its answer (to this instance or another), can find the previous
// request's worst case still held for a round trip; without this wait it
// would be refused near the budget's end although the money is there.
var holdWaits = [...]time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond, 8 * time.Millisecond}

// heldOnly reports whether the refusing budget would have taken amount
// but for the money held by requests still running.
func heldOnly(d budget.Decision, amount int64) bool {
	u := d.Refused
	return u != nil && u.ReservedNano > 0 && u.SpentNano+amount <= u.Budget.LimitNano
}

// awaitHolds retries a reservation refused only because of holds
// (heldOnly), after each of holdWaits, until it is admitted, refused for
// good, or the holds are still there at the end. A genuinely full budget
// is refused at once; only a request that may fit pays the wait.
func (c *Controller) awaitHolds(ctx context.Context, budgets []budget.Budget, amount int64, d budget.Decision) (budget.Reservation, budget.Decision, error) {
	var res budget.Reservation
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for _, wait := range holdWaits {
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return res, d, nil
		case <-timer.C:
		}
		var err error
		if res, d, err = c.reserveBounded(ctx, budgets, amount); err != nil || d.Allowed || !heldOnly(d, amount) {
			return res, d, err
		}
	}
	return res, d, nil
}
