package loadbench

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisReference is what one Redis round trip costs on this machine at the
// open loop's rate: the floor under any limiter that checks Redis on the
// request path, measured in the same invocation as the gateway with Redis.
type RedisReference struct {
	Rate    int
	Count   int
	Errors  int
	Latency quantiles
}

// refScript stands for an admission script: one EVALSHA touching one key.
var refScript = redis.NewScript(`return redis.call('INCR', KEYS[1])`)

// measureRedisRoundTrip sends one EVALSHA per scheduled start at the open
// loop's rate, from this process's go-redis client, and measures each
// from its scheduled start, as the open loop measures requests.
func measureRedisRoundTrip(ctx context.Context, url string, rate int, warmup, duration time.Duration) (*RedisReference, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis reference: %w", err)
	}
	client := redis.NewClient(opts)
	defer client.Close()
	key := "loadbench:reference:" + randomHex(8)
	if err := refScript.Run(ctx, client, []string{key}).Err(); err != nil {
		return nil, fmt.Errorf("redis reference: %w", err)
	}
	defer client.Del(context.WithoutCancel(ctx), key)
	t := openLoop(ctx, newSchedule(warmup, duration), rate, 2000, func(ctx context.Context, start time.Time) result {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		err := refScript.EvalSha(cctx, client, []string{key}).Err()
		d := time.Since(start)
		return result{latency: d, ttfb: d, err: err}
	})
	return &RedisReference{Rate: rate, Count: len(t.latency), Errors: t.errors, Latency: quantilesOf(t.latency)}, nil
}
