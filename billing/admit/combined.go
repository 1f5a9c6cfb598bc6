package admit

import (
	"context"
	"time"

	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
)

// Combined is an optional capability of a rate limiter and a budget engine
// that keep their state in the same store (Options.Combined): it makes a
// request's two admission calls in one round trip, and its two calls after
// the answer in another, instead of one round trip each. Each call keeps
// its own semantics, results and errors: only the trip to the store is
// shared. billing/redisadmit implements it for the Redis engines.
type Combined interface {
	// CheckAndReserve is Limiter.Check(ctx, rates, tokens) and
	// Budgets.Reserve(budgets, amountNano) made together. The check has
	// the limiter's own time limit; the reservation counts as failed when
	// its answer has not arrived by reserveBy (Options.Timeout).
	CheckAndReserve(ctx context.Context, rates []ratelimit.Limit, tokens int64, budgets []budget.Budget, amountNano int64, reserveBy time.Time) CheckedAndReserved
	// SettleAndAdjust is Budgets.Settle(res, actualNano), bounded by
	// settleBy, and Limiter.Adjust(rates, delta) made together.
	SettleAndAdjust(ctx context.Context, res budget.Reservation, actualNano int64, settleBy time.Time, rates []ratelimit.Limit, delta int64) (settleErr, adjustErr error)
}

// CheckedAndReserved is what Combined.CheckAndReserve returns: what
// Limiter.Check and Budgets.Reserve would have, each on its own.
type CheckedAndReserved struct {
	Rate        ratelimit.Decision
	RateErr     error
	Reservation budget.Reservation
	Budget      budget.Decision
	BudgetErr   error
}

// checkAndReserve checks t's rate limits and reserves its worst case in
// one round trip (Options.Combined). The outcome is the one of
// checkAndReserveConcurrently: both are decided, and whichever refuses
// undoes the other. A downgrade, a rare second reservation, is made on
// its own afterwards.
func (c *Controller) checkAndReserve(ctx context.Context, t *Ticket, rates []ratelimit.Limit, budgets []budget.Budget, worst func(string) (int64, bool)) error {
	amount, err := c.reserveAmount(t, worst)
	if err != nil {
		// Nothing to reserve: the request is refused, by its rate limit
		// if that refuses it too, as when both are checked at once.
		if rerr := c.checkRates(ctx, t, rates); rerr != nil {
			return rerr
		}
		t.refundTokens()
		return err
	}
	reserveBy := time.Now().Add(c.o.Timeout)
	out := c.o.Combined.CheckAndReserve(ctx, rates, t.estimate, budgets, amount, reserveBy)
	rerr := c.ratesChecked(ctx, t, rates, out.Rate, out.RateErr)
	berr := c.reservationMade(ctx, t, budgets, worst, out.Reservation, out.Budget, out.BudgetErr)
	return c.undoRefused(ctx, t, rerr, berr)
}

// settleAndAdjust settles t's reservation to cost and corrects its rate
// limits by delta tokens in one round trip (Options.Combined).
func (c *Controller) settleAndAdjust(ctx context.Context, t *Ticket, cost int64, rates []ratelimit.Limit, delta int64) error {
	serr, _ := c.o.Combined.SettleAndAdjust(ctx, t.reservation, cost, time.Now().Add(c.o.Timeout), rates, delta)
	return serr // a failed correction is counted by the limiter, as from Adjust
}
