package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/internal/redisreply"
)

// The queued forms of Check and Adjust put their script call on a go-redis
// pipeline that other engines' calls share (billing/redisadmit sends a
// request's rate-limit check and budget reservation together), so that
// several atomic steps cost one round trip. Each call stays its own script,
// atomic on its own, exactly as Check and Adjust run it; only the network
// trip is shared. The pipeline sends EVALSHA: when Redis does not have the
// script (a restart, SCRIPT FLUSH), Result sends it again whole (EVAL,
// which loads it for the EVALSHAs to come), as Check and Adjust do.

// QueuedCheck is a Check queued on a pipeline by QueueCheck.
type QueuedCheck struct {
	r        *Redis
	limits   []Limit
	tokens   int64
	keys     []string
	args     []any
	cmd      *redis.Cmd // nil when nothing was queued
	err      error      // the limits' validation error
	deadline time.Time
}

// QueueCheck queues Check(ctx, limits, requestTokens) on p. Once p has
// been executed, Result returns what Check would have. The check's time
// limit (RedisOptions.Timeout) starts now and ends at Deadline: execute p
// with a context that lasts at least that long; an answer that came later
// counts as a Redis that could not be reached, as in Check.
// Malformed limits queue nothing (Result returns Check's error), nor do no
// limits (Result admits).
func (r *Redis) QueueCheck(ctx context.Context, p redis.Pipeliner, limits []Limit, requestTokens int64) QueuedCheck {
	q := QueuedCheck{r: r, limits: limits, tokens: requestTokens, deadline: time.Now().Add(r.timeout)}
	if q.err = validate(limits, requestTokens); q.err != nil || len(limits) == 0 {
		return q
	}
	q.keys, q.args = r.checkRequest(limits, requestTokens)
	q.cmd = checkScript.EvalSha(ctx, p, q.keys, q.args...)
	return q
}

// Deadline is when the check's time limit ends.
func (q QueuedCheck) Deadline() time.Time { return q.deadline }

// Result returns the check's Decision, or its error, as Check does
// (failing open or closed when Redis could not be reached in time).
// answeredAt is when p's execution returned: an answer after Deadline
// counts as none. ctx is the caller's context: when it has ended, its
// error is returned, not a Redis failure.
func (q QueuedCheck) Result(ctx context.Context, answeredAt time.Time) (Decision, error) {
	if q.err != nil {
		return Decision{}, q.err
	}
	if q.cmd == nil {
		return Decision{Allowed: true}, nil
	}
	err := redisreply.Err(q.cmd)
	var reply []int64
	if err == nil {
		reply, err = q.cmd.Int64Slice()
	}
	switch {
	case redisreply.IsNoScript(err):
		cctx, cancel := context.WithDeadline(ctx, q.deadline)
		reply, err = checkScript.Eval(cctx, q.r.client, q.keys, q.args...).Int64Slice()
		cancel()
	case err == nil && answeredAt.After(q.deadline):
		err = lateError(q.r.timeout)
	}
	return q.r.checked(ctx, q.limits, q.tokens, reply, err)
}

// QueuedAdjust is an Adjust queued on a pipeline by QueueAdjust.
type QueuedAdjust struct {
	r        *Redis
	keys     []string
	args     []any
	cmd      *redis.Cmd // nil when nothing was queued
	err      error
	deadline time.Time
}

// QueueAdjust queues Adjust(ctx, limits, delta) on p; once p has been
// executed, Result returns what Adjust would have. As with QueueCheck, the
// time limit starts now and ends at Deadline. An adjustment with nothing
// to change (no TPM limit, delta 0) queues nothing.
func (r *Redis) QueueAdjust(ctx context.Context, p redis.Pipeliner, limits []Limit, delta int64) QueuedAdjust {
	q := QueuedAdjust{r: r, deadline: time.Now().Add(r.timeout)}
	tpm, err := adjusted(limits, delta)
	if q.err = err; err != nil || len(tpm) == 0 {
		return q
	}
	q.keys, q.args = r.adjustRequest(tpm, delta)
	q.cmd = adjustScript.EvalSha(ctx, p, q.keys, q.args...)
	return q
}

// Deadline is when the adjustment's time limit ends.
func (q QueuedAdjust) Deadline() time.Time { return q.deadline }

// Result returns Adjust's error: nil once the adjustment is made.
// answeredAt is when p's execution returned, as for QueuedCheck.Result.
func (q QueuedAdjust) Result(ctx context.Context, answeredAt time.Time) error {
	if q.err != nil || q.cmd == nil {
		return q.err
	}
	err := redisreply.Err(q.cmd)
	switch {
	case redisreply.IsNoScript(err):
		cctx, cancel := context.WithDeadline(ctx, q.deadline)
		err = adjustScript.Eval(cctx, q.r.client, q.keys, q.args...).Err()
		cancel()
	case err == nil && answeredAt.After(q.deadline):
		err = lateError(q.r.timeout)
	}
	return q.r.adjustedErr(ctx, err)
}

// lateError is the failure of a script that answered after the limiter's
// timeout: the pipeline it travelled on allowed more time for another
// engine's call, but this one counts as unanswered, as in Check.
func lateError(timeout time.Duration) error {
	return fmt.Errorf("redis answered after the limiter's timeout (%v): %w", timeout, context.DeadlineExceeded)
}
