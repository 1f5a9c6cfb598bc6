package budget

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/internal/redisreply"
)

// The queued forms of Reserve and Settle put their script call on a
// go-redis pipeline that other engines' calls share (billing/redisadmit
// sends a request's reservation with its rate-limit check), so that
// several atomic steps cost one round trip. Each call stays its own
// script, atomic on its own, exactly as Reserve and Settle run it; only the
// network trip is shared. The pipeline sends EVALSHA. The rare replies
// that need more than one trip are handled the way Reserve and Settle
// handle them: a script Redis does not have (a restart, SCRIPT FLUSH) is
// sent again whole (EVAL, which loads it), and counters that do not exist
// (a new window, a lost Redis) are seeded before the script runs again.

// QueuedReserve is a Reserve queued on a pipeline by QueueReserve.
type QueuedReserve struct {
	r    *Redis
	call reserveCall
	cmd  *redis.Cmd // nil when nothing was queued
	err  error      // the arguments' validation error
}

// QueueReserve queues Reserve(ctx, budgets, amountNano) on p. Once p has
// been executed, Result returns what Reserve would have. Invalid arguments
// queue nothing (Result returns Reserve's error), nor do no budgets
// (Result allows, holding nothing).
func (r *Redis) QueueReserve(ctx context.Context, p redis.Pipeliner, budgets []Budget, amountNano int64) QueuedReserve {
	q := QueuedReserve{r: r}
	q.call, q.err = r.prepareReserve(budgets, amountNano)
	if q.err != nil || len(budgets) == 0 {
		return q
	}
	q.cmd = reserveScript.EvalSha(ctx, p, r.keys(q.call.windows), q.call.argv...)
	return q
}

// Result returns the reservation and decision, or the error, Reserve
// would have. ctx bounds the reservation as it bounds Reserve: an answer
// that came after ctx's deadline (answeredAt is when p's execution
// returned) counts as none, its hold left to lapse after ReservationTTL as
// one made by a Reserve that gave up waiting is; and ctx bounds any
// fallback call.
func (q QueuedReserve) Result(ctx context.Context, answeredAt time.Time) (Reservation, Decision, error) {
	if q.err != nil || q.cmd == nil {
		return Reservation{}, Decision{Allowed: q.err == nil}, q.err
	}
	reply, err := q.r.resolve(ctx, answeredAt, reserveScript, q.call.windows, q.call.argv, q.cmd)
	if err != nil {
		return Reservation{}, Decision{}, err
	}
	return q.call.decide(reply)
}

// QueuedSettle is a Settle queued on a pipeline by QueueSettle.
type QueuedSettle struct {
	r    *Redis
	call spendCall
	cmd  *redis.Cmd // nil when nothing was queued
	err  error
}

// QueueSettle queues Settle(ctx, res, actualNano) on p; once p has been
// executed, Result returns what Settle would have.
func (r *Redis) QueueSettle(ctx context.Context, p redis.Pipeliner, res Reservation, actualNano int64) QueuedSettle {
	q := QueuedSettle{r: r}
	q.call, q.err = r.prepareSettle(res, actualNano)
	if q.err != nil || len(q.call.windows) == 0 {
		return q
	}
	q.cmd = settleScript.EvalSha(ctx, p, r.keys(q.call.windows), q.call.argv...)
	return q
}

// Result returns Settle's error, bounded by ctx as Settle is (answeredAt
// as for QueuedReserve.Result).
func (q QueuedSettle) Result(ctx context.Context, answeredAt time.Time) error {
	if q.err != nil || q.cmd == nil {
		return q.err
	}
	_, err := q.r.resolve(ctx, answeredAt, settleScript, q.call.windows, q.call.argv, q.cmd)
	return err
}

// resolve reads the reply of script's queued call cmd as run would have
// it, sending the script again when Redis lacked it, and running it again
// (run) once the counters it lacked are seeded.
func (r *Redis) resolve(ctx context.Context, answeredAt time.Time, script *redis.Script, windows []window, argv []any, cmd *redis.Cmd) ([]any, error) {
	var reply []any
	err := redisreply.Err(cmd)
	if err == nil {
		reply, err = cmd.Slice()
	}
	switch {
	case redisreply.IsNoScript(err):
		// EVAL runs the script and loads it for the EVALSHAs to come.
		reply, err = script.Eval(ctx, r.client, r.keys(windows), argv...).Slice()
	case err == nil && pastDeadline(ctx, answeredAt):
		// Answered, but after the caller's time limit: a call made alone
		// would have given up.
		return nil, fmt.Errorf("budget: redis: %w", context.DeadlineExceeded)
	}
	again, err := r.seedMissing(ctx, windows, reply, err)
	if err != nil {
		return nil, err
	}
	if again {
		return r.run(ctx, script, windows, argv)
	}
	return reply, nil
}

// pastDeadline reports whether t is after ctx's deadline.
func pastDeadline(ctx context.Context, t time.Time) bool {
	deadline, ok := ctx.Deadline()
	return ok && t.After(deadline)
}
