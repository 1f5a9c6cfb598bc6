package ratelimit

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/llm"
)

var (
	//go:embed check.lua
	checkSource string
	//go:embed adjust.lua
	adjustSource string
	//go:embed peek.lua
	peekSource string

	checkScript  = redis.NewScript(checkSource)
	adjustScript = redis.NewScript(adjustSource)
	peekScript   = redis.NewScript(peekSource)
)

// ErrUnavailable is in the chain of the error a Redis limiter returns when
// it could not reach Redis: from Check when failing closed (inside an
// *llm.Error of kind Unavailable, HTTP 503), and from Adjust.
var ErrUnavailable = errors.New("ratelimit: Redis unavailable")

// FailureMode is what a Redis limiter's Check does when Redis cannot be
// reached or does not answer in time.
type FailureMode int

const (
	// FailOpen admits the request without checking its limits: a Redis
	// outage does not become a gateway outage. Each such check is counted
	// (Stats) and logged (at most every 10 seconds).
	FailOpen FailureMode = iota
	// FailClosed rejects the request with an Unavailable error.
	FailClosed
)

// DefaultRedisTimeout bounds one check against Redis.
const DefaultRedisTimeout = 500 * time.Millisecond

// RedisOptions configure a Redis limiter.
type RedisOptions struct {
	// KeyPrefix starts every key (the configuration's redis.key_prefix).
	// Keys are KeyPrefix + "{ratelimit}:" + kind + ":" + scope.
	KeyPrefix string
	// FailureMode is FailOpen (the default) or FailClosed.
	FailureMode FailureMode
	// Timeout bounds one check or adjustment (default 500ms): a Redis that
	// answers later counts as unreachable. It bounds socket reads only on
	// a client with ContextTimeoutEnabled, as internal/redisconn builds
	// them; otherwise the client's read timeout applies.
	Timeout time.Duration
	// Logger receives the fail-open warnings (default slog.Default()).
	Logger *slog.Logger
	// Clock, for tests only, replaces the Redis server's clock: the script
	// is given this time instead of reading TIME, so that a fake clock can
	// drive both implementations through the same suite. Production leaves
	// it nil: with the server's clock, the gateway instances' clocks do
	// not matter.
	Clock func() time.Time
}

// Redis is the limiter shared by any number of gateway instances through
// one Redis (a single server, a Sentinel-managed primary or a Cluster).
// Each Check, Adjust and Peek is one script call: one round trip, atomic.
type Redis struct {
	client  redis.Scripter
	prefix  string
	mode    FailureMode
	timeout time.Duration
	logger  *slog.Logger
	clock   func() time.Time

	failOpens, failures atomic.Uint64
	logMu               sync.Mutex
	lastLog             time.Time
	unlogged            uint64
}

// RedisStats count a Redis limiter's failures since it was created.
type RedisStats struct {
	// Failures is the number of checks and adjustments that could not
	// reach Redis.
	Failures uint64
	// FailOpens is the number of requests admitted unchecked because of
	// them.
	FailOpens uint64
}

// NewRedis returns a limiter on client (a redis.UniversalClient from
// internal/redisconn, or any client).
func NewRedis(client redis.Scripter, opts RedisOptions) *Redis {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultRedisTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Redis{client: client, prefix: opts.KeyPrefix, mode: opts.FailureMode, timeout: opts.Timeout,
		logger: opts.Logger, clock: opts.Clock}
}

// Stats returns the failure counts.
func (r *Redis) Stats() RedisStats {
	return RedisStats{Failures: r.failures.Load(), FailOpens: r.failOpens.Load()}
}

// Check implements Limiter.
func (r *Redis) Check(ctx context.Context, limits []Limit, requestTokens int64) (Decision, error) {
	if err := validate(limits, requestTokens); err != nil {
		return Decision{}, err
	}
	if len(limits) == 0 {
		return Decision{Allowed: true}, nil
	}
	keys, args := r.checkRequest(limits, requestTokens)
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	reply, err := checkScript.Run(cctx, r.client, keys, args...).Int64Slice()
	return r.checked(ctx, limits, requestTokens, reply, err)
}

// checkRequest is check.lua's keys and arguments.
func (r *Redis) checkRequest(limits []Limit, requestTokens int64) ([]string, []any) {
	return r.request(limits, func(l Limit) int64 { return units(l, requestTokens) })
}

// checked turns check.lua's reply (or the failure to get one) into
// Check's result.
func (r *Redis) checked(ctx context.Context, limits []Limit, requestTokens int64, reply []int64, err error) (Decision, error) {
	if err == nil && len(reply) != len(limits)+1 {
		err = fmt.Errorf("check script returned %d values for %d limits", len(reply), len(limits))
	}
	if err != nil {
		return r.failed(ctx, err)
	}
	return decide(limits, requestTokens, reply[1:], reply[0] == 1), nil
}

// Adjust implements Limiter.
func (r *Redis) Adjust(ctx context.Context, limits []Limit, delta int64) error {
	tpm, err := adjusted(limits, delta)
	if err != nil || len(tpm) == 0 {
		return err
	}
	keys, args := r.adjustRequest(tpm, delta)
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	return r.adjustedErr(ctx, adjustScript.Run(cctx, r.client, keys, args...).Err())
}

// adjusted validates an adjustment and returns the limits it applies to:
// the TPM ones, none when delta is 0.
func adjusted(limits []Limit, delta int64) ([]Limit, error) {
	if err := validate(limits, abs(delta)); err != nil {
		return nil, err
	}
	if delta == 0 {
		return nil, nil
	}
	var tpm []Limit
	for _, l := range limits {
		if l.Kind == TPM {
			tpm = append(tpm, l)
		}
	}
	return tpm, nil
}

// adjustRequest is adjust.lua's keys and arguments.
func (r *Redis) adjustRequest(tpm []Limit, delta int64) ([]string, []any) {
	return r.request(tpm, func(Limit) int64 { return delta * window })
}

// adjustedErr is Adjust's error for adjust.lua's.
func (r *Redis) adjustedErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	r.failures.Add(1)
	return fmt.Errorf("%w: adjust: %v", ErrUnavailable, err)
}

// Peek implements Limiter: one read-only script call. A Redis that cannot
// be reached is counted in Stats().Failures and reported as Degraded, not
// as an error and not as a fail-open: nothing was admitted.
func (r *Redis) Peek(ctx context.Context, limits []Limit) (Decision, error) {
	if err := validate(limits, 0); err != nil {
		return Decision{}, err
	}
	if len(limits) == 0 {
		return Decision{Allowed: true}, nil
	}
	keys, args := r.request(limits, nil)
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	levels, err := peekScript.Run(cctx, r.client, keys, args...).Int64Slice()
	if err == nil && len(levels) != len(limits) {
		err = fmt.Errorf("peek script returned %d values for %d limits", len(levels), len(limits))
	}
	if err != nil {
		if ctx.Err() != nil {
			return Decision{}, ctx.Err()
		}
		r.failures.Add(1)
		return Decision{Degraded: true}, nil
	}
	return peeked(limits, levels), nil
}

// request builds a script call's keys and arguments: now, then the rate
// and the units of each limit (the rate alone when cost is nil, as
// peek.lua takes it).
func (r *Redis) request(limits []Limit, cost func(Limit) int64) ([]string, []any) {
	keys := make([]string, len(limits))
	args := make([]any, 1, 1+2*len(limits))
	args[0] = ""
	if r.clock != nil {
		args[0] = strconv.FormatInt(r.clock().UnixMilli(), 10)
	}
	for i, l := range limits {
		keys[i] = r.Key(l)
		args = append(args, l.PerMinute)
		if cost != nil {
			args = append(args, cost(l))
		}
	}
	return keys, args
}

// Key is the Redis key of limit l's state. Every key carries the hash tag
// {ratelimit}, so that on a Cluster the keys one check touches (a key's,
// its team's, a deployment's) live in one slot and the script can update
// them atomically; the price is that all rate limit state lives on one
// shard, which at one small script per request is far from its capacity.
func (r *Redis) Key(l Limit) string {
	return r.prefix + "{ratelimit}:" + string(l.Kind) + ":" + l.Scope
}

// failed applies the failure mode to a check that could not reach Redis.
func (r *Redis) failed(ctx context.Context, err error) (Decision, error) {
	if ctx.Err() != nil {
		return Decision{}, ctx.Err() // the caller gave up: not Redis's fault
	}
	r.failures.Add(1)
	if r.mode == FailClosed {
		return Decision{}, &llm.Error{Kind: llm.KindUnavailable, Code: "rate_limiter_unavailable",
			Message: "rate limits cannot be checked right now; try again shortly",
			Err:     fmt.Errorf("%w: %v", ErrUnavailable, err)}
	}
	r.failOpens.Add(1)
	r.logFailOpen(ctx, err)
	return Decision{Allowed: true, Degraded: true}, nil
}

// logFailOpen logs a fail-open at most every 10 seconds, with the number of
// others since the last line: an outage must be visible without flooding
// the log at the request rate.
func (r *Redis) logFailOpen(ctx context.Context, err error) {
	r.logMu.Lock()
	now := time.Now()
	if !r.lastLog.IsZero() && now.Sub(r.lastLog) < 10*time.Second {
		r.unlogged++
		r.logMu.Unlock()
		return
	}
	others := r.unlogged
	r.lastLog, r.unlogged = now, 0
	r.logMu.Unlock()
	r.logger.WarnContext(ctx, "rate limits not enforced: Redis unreachable, requests admitted unchecked (fail open)",
		"error", err.Error(), "others_since_last_log", others, "fail_opens_total", r.failOpens.Load())
}
