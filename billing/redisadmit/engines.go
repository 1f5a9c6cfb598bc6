package redisadmit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
)

// Engines are a Redis rate limiter and a Redis budget engine sharing a
// client. It is safe for concurrent use.
type Engines struct {
	client  redis.UniversalClient
	limiter *ratelimit.Redis
	budgets *budget.Redis
	pipes   sync.Pool
}

var _ admit.Combined = (*Engines)(nil)

// New returns the engines limiter and budgets, whose calls it pipelines
// over client: the client they were built on, or another of the same
// Redis.
func New(client redis.UniversalClient, limiter *ratelimit.Redis, budgets *budget.Redis) *Engines {
	return &Engines{client: client, limiter: limiter, budgets: budgets}
}

// CheckAndReserve implements admit.Combined: the check and the
// reservation go in one pipeline, which waits as long as the later of
// their two time limits; each counts as failed when its own answer came
// after its own limit, as it would have alone.
func (e *Engines) CheckAndReserve(ctx context.Context, rates []ratelimit.Limit, tokens int64, budgets []budget.Budget, amountNano int64, reserveBy time.Time) admit.CheckedAndReserved {
	var out admit.CheckedAndReserved
	if !time.Now().Before(reserveBy) {
		// The time for the reservation went by waiting (for this
		// instance's pending settlements): the check goes alone, and the
		// reservation fails as a Reserve with an ended context does.
		out.Rate, out.RateErr = e.limiter.Check(ctx, rates, tokens)
		out.BudgetErr = fmt.Errorf("budget: redis: %w", context.DeadlineExceeded)
		return out
	}
	p := e.pipeline()
	defer e.pipes.Put(p)
	check := e.limiter.QueueCheck(ctx, p, rates, tokens)
	reserve := e.budgets.QueueReserve(ctx, p, budgets, amountNano)
	pctx, rctx, cancel := deadlines(ctx, check.Deadline(), reserveBy)
	defer cancel()
	answered := exec(pctx, p)
	out.Rate, out.RateErr = check.Result(ctx, answered)
	out.Reservation, out.Budget, out.BudgetErr = reserve.Result(rctx, answered)
	return out
}

// SettleAndAdjust implements admit.Combined, with time limits as in
// CheckAndReserve.
func (e *Engines) SettleAndAdjust(ctx context.Context, res budget.Reservation, actualNano int64, settleBy time.Time, rates []ratelimit.Limit, delta int64) (settleErr, adjustErr error) {
	p := e.pipeline()
	defer e.pipes.Put(p)
	settle := e.budgets.QueueSettle(ctx, p, res, actualNano)
	adjust := e.limiter.QueueAdjust(ctx, p, rates, delta)
	pctx, sctx, cancel := deadlines(ctx, adjust.Deadline(), settleBy)
	defer cancel()
	answered := exec(pctx, p)
	settleErr = settle.Result(sctx, answered)
	adjustErr = adjust.Result(ctx, answered)
	return settleErr, adjustErr
}

// pipeline returns an empty pipeline of the client, reused: one request's
// calls are few, and a pipeline is empty again once executed.
func (e *Engines) pipeline() redis.Pipeliner {
	if p, ok := e.pipes.Get().(redis.Pipeliner); ok {
		return p
	}
	return e.client.Pipeline()
}

// deadlines returns the context to execute a pipeline in, which lasts
// until the later of the limiter's deadline and the budget call's
// (budgetBy), and the budget call's own context, ending at budgetBy: the
// same one when budgetBy is the later (the defaults: a second for
// admission, half a second for the limiter).
func deadlines(ctx context.Context, limiterBy, budgetBy time.Time) (pipeline, budget context.Context, cancel context.CancelFunc) {
	if !limiterBy.After(budgetBy) {
		pctx, cancel := context.WithDeadline(ctx, budgetBy)
		return pctx, pctx, cancel
	}
	pctx, cancelP := context.WithDeadline(ctx, limiterBy)
	bctx, cancelB := context.WithDeadline(ctx, budgetBy)
	return pctx, bctx, func() { cancelB(); cancelP() }
}

// exec sends p's commands within ctx and returns when it got their
// answers. Each command carries its own error, read by its Result; a
// pipeline that runs out of retries leaves those it could not send
// without one, and they are given the pipeline's.
func exec(ctx context.Context, p redis.Pipeliner) time.Time {
	cmds, err := p.Exec(ctx)
	if err != nil {
		for _, c := range cmds {
			if cmd, ok := c.(*redis.Cmd); ok && cmd.Err() == nil && cmd.Val() == nil {
				cmd.SetErr(err)
			}
		}
	}
	return time.Now()
}
