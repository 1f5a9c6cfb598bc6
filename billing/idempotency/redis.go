package idempotency

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the Engine shared by several gateway instances: a duplicate
// arriving at another instance waits for the first there too. Each key is
// one Redis hash, so Redis Cluster needs no hash tags.
type Redis struct {
	client redis.UniversalClient
	prefix string
	opts   Options
}

// NewRedis returns an engine keeping its keys in Redis. keyPrefix starts
// every key (the configuration's redis.key_prefix, e.g. "switchboard:");
// keys are keyPrefix + "idempotency:" + key. Engines that share a Redis and
// a prefix share keys.
func NewRedis(client redis.UniversalClient, keyPrefix string, opts Options) *Redis {
	return &Redis{client: client, prefix: keyPrefix + "idempotency:", opts: opts.withDefaults()}
}

var _ Engine = (*Redis)(nil)

// Polling bounds while waiting for a concurrent duplicate. Duplicates are
// rare (a client retrying while its first attempt still runs), so polling
// costs less than a pub/sub connection per gateway, and the cap keeps the
// added latency of a replay small next to an LLM call.
const (
	firstPoll = 2 * time.Millisecond
	maxPoll   = 100 * time.Millisecond
)

// Begin implements Engine.
func (r *Redis) Begin(ctx context.Context, key, fingerprint string, ttl time.Duration) (Outcome, error) {
	if err := checkKey(key); err != nil {
		return Outcome{}, err
	}
	token, err := newToken()
	if err != nil {
		return Outcome{}, err
	}
	rkey := r.prefix + key
	keys := []string{rkey}
	waitCtx, cancel := r.opts.waitBound(ctx)
	defer cancel()
	poll := firstPoll
	for waited := false; ; waited = true {
		reply, err := beginScript.Run(waitCtx, r.client, keys, fingerprint, token, millis(r.opts.LockTTL)).Slice()
		if err != nil {
			if waited && waitCtx.Err() != nil {
				return Outcome{}, stoppedWaiting(waitCtx)
			}
			return Outcome{}, fmt.Errorf("idempotency: redis: %w", err)
		}
		switch {
		case len(reply) == 1 && reply[0] == "started":
			c := &redisClaim{r: r, key: rkey, token: token, fingerprint: fingerprint, ttl: resultTTL(ttl)}
			return Outcome{Kind: Started, lease: startLease(ctx, c, r.opts.LockTTL)}, nil
		case len(reply) == 1 && reply[0] == "conflict":
			return Outcome{Kind: Conflict}, nil
		case len(reply) == 2 && reply[0] == "replay":
			result, ok := reply[1].(string)
			if !ok {
				return Outcome{}, fmt.Errorf("idempotency: unexpected reply from Redis: %v", reply)
			}
			return Outcome{Kind: Replay, Result: []byte(result)}, nil
		case len(reply) == 2 && reply[0] == "wait":
		default:
			return Outcome{}, fmt.Errorf("idempotency: unexpected reply from Redis: %v", reply)
		}

		// Sleep with jitter, never past the claim's lapse (then it is free).
		sleep := poll/2 + rand.N(poll/2+1)
		if lapse, ok := reply[1].(int64); ok && lapse > 0 && time.Duration(lapse)*time.Millisecond < sleep {
			sleep = time.Duration(lapse) * time.Millisecond
		}
		poll = min(2*poll, maxPoll)
		timer := time.NewTimer(sleep)
		select {
		case <-timer.C:
		case <-waitCtx.Done():
			timer.Stop()
			return Outcome{}, stoppedWaiting(waitCtx)
		}
	}
}

// redisClaim is a Started request's hold on its key, proved by its token.
type redisClaim struct {
	r           *Redis
	key         string
	token       string
	fingerprint string
	ttl         time.Duration
}

func (c *redisClaim) renew(ctx context.Context) (bool, error) {
	held, err := renewScript.Run(ctx, c.r.client, []string{c.key}, c.token, millis(c.r.opts.LockTTL)).Int()
	if err != nil {
		return false, fmt.Errorf("idempotency: redis: %w", err)
	}
	return held == 1, nil
}

func (c *redisClaim) complete(ctx context.Context, result []byte) error {
	stored, err := completeScript.Run(ctx, c.r.client, []string{c.key}, c.token, c.fingerprint, result, millis(c.ttl)).Int()
	if err != nil {
		return fmt.Errorf("idempotency: redis: %w", err)
	}
	if stored != 1 {
		return ErrLeaseLost
	}
	return nil
}

func (c *redisClaim) abandon(ctx context.Context) error {
	if err := abandonScript.Run(ctx, c.r.client, []string{c.key}, c.token).Err(); err != nil {
		return fmt.Errorf("idempotency: redis: %w", err)
	}
	return nil
}

// millis converts a positive duration to Redis milliseconds, at least 1
// (0 would delete the key at once).
func millis(d time.Duration) int64 { return max(d.Milliseconds(), 1) }
