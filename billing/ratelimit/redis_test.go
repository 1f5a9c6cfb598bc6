package ratelimit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/internal/redistest"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestRedisConformance(t *testing.T) {
	client := redistest.Client(t)
	runConformance(t, func(t *testing.T, clock func() time.Time) ratelimit.Limiter {
		return ratelimit.NewRedis(client, ratelimit.RedisOptions{KeyPrefix: redistest.KeyPrefix(t), Clock: clock})
	})
}

// Two gateway processes: two clients with their own connection pools, two
// limiters, one Redis, the server's clock. A burst of 3N concurrent checks
// spread over both gets exactly N through.
func TestRedisTwoInstancesShareLimitsExactly(t *testing.T) {
	prefix := redistest.KeyPrefix(t)
	instances := []*ratelimit.Redis{
		ratelimit.NewRedis(redistest.Client(t), ratelimit.RedisOptions{KeyPrefix: prefix}),
		ratelimit.NewRedis(redistest.Client(t), ratelimit.RedisOptions{KeyPrefix: prefix}),
	}
	const n = 25
	// A minute's worth of N drains one request every 2.4s: far longer than
	// the burst takes, so exactly N fit.
	limits := list(rpm("key:k1", n), rpm("team:t1", 1000), tpm("deployment:d1", 60_000))
	var allowed, perInstance [2]atomic.Int64
	var wg sync.WaitGroup
	for i := range 3 * n {
		wg.Go(func() {
			d, err := instances[i%2].Check(context.Background(), limits, 50)
			if err != nil || d.Degraded {
				t.Errorf("check: %+v, %v", d, err)
				return
			}
			if d.Allowed {
				allowed[0].Add(1)
				perInstance[i%2].Add(1)
			} else if r, _ := d.Rejection(); r.Scope != "key:k1" || d.RetryAfter <= 0 {
				t.Errorf("rejected by %+v", r)
			}
		})
	}
	wg.Wait()
	if got := allowed[0].Load(); got != n {
		t.Fatalf("%d of %d checks over two instances allowed, want exactly %d", got, 3*n, n)
	}
	if perInstance[0].Load() == 0 || perInstance[1].Load() == 0 {
		t.Errorf("allowed per instance: %d and %d; want both to have admitted some", perInstance[0].Load(), perInstance[1].Load())
	}
	// Both see the same state: the next check fails on either.
	for i, l := range instances {
		if d, err := l.Check(context.Background(), limits, 0); err != nil || d.Allowed {
			t.Errorf("instance %d after the burst: %+v, %v", i, d, err)
		}
	}
	// The deployment's TPM limit was charged by the N admitted requests
	// only, 50 tokens each, on both instances. It drains 1 token per
	// millisecond: allow 10s of slack for a slow machine (a rejected
	// request charged by mistake would take 50 off).
	d, err := instances[1].Check(context.Background(), list(tpm("deployment:d1", 60_000)), 0)
	if want := int64(60_000 - n*50); err != nil || d.Statuses[0].Remaining < want || d.Statuses[0].Remaining > want+10_000 {
		t.Errorf("deployment tokens remaining: %+v, %v; want %d or a little more", d, err, want)
	}
}

func TestRedisKeysLiveUnderThePrefixAndExpire(t *testing.T) {
	ctx := context.Background()
	prefix, client := redistest.KeyPrefix(t), redistest.Client(t)
	l := ratelimit.NewRedis(client, ratelimit.RedisOptions{KeyPrefix: prefix})
	limit := rpm("key:a", 10)
	check(t, l, list(limit), 0)
	key := l.Key(limit)
	if key != prefix+"{ratelimit}:rpm:key:a" {
		t.Errorf("Key() = %q", key)
	}
	keys, err := client.Keys(ctx, prefix+"*").Result()
	if err != nil || len(keys) != 1 || keys[0] != key {
		t.Fatalf("keys under the prefix: %v, %v; want [%s]", keys, err, key)
	}
	// One request of 10 per minute drains in 6s; the key lives a minute
	// longer.
	ttl, err := client.PTTL(ctx, key).Result()
	if err != nil || ttl <= 0 || ttl > 66*time.Second {
		t.Errorf("PTTL = %v, %v; want at most 66s", ttl, err)
	}
}

// Peek reads with the server's clock and writes nothing: no key created
// for an unknown scope, the existing state and its expiry left as they
// were.
func TestRedisPeekWritesNothing(t *testing.T) {
	ctx := context.Background()
	prefix, client := redistest.KeyPrefix(t), redistest.Client(t)
	l := ratelimit.NewRedis(client, ratelimit.RedisOptions{KeyPrefix: prefix})
	used, unknown := rpm("key:a", 10), tpm("key:unknown", 1000)
	check(t, l, list(used), 0)
	key := l.Key(used)
	before, err := client.Get(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := client.PExpire(ctx, key, time.Hour).Err(); err != nil { // a mark a write would erase
		t.Fatal(err)
	}
	d := peek(t, l, list(used, unknown))
	if d.Statuses[0].Remaining != 9 || d.Statuses[1].Remaining != 1000 {
		t.Fatalf("%+v, want 9 and 1000 remaining", d)
	}
	after, err := client.Get(ctx, key).Result()
	if err != nil || after != before {
		t.Errorf("state %q, %v after Peek; was %q", after, err, before)
	}
	if ttl, err := client.PTTL(ctx, key).Result(); err != nil || ttl < 59*time.Minute {
		t.Errorf("PTTL = %v, %v after Peek; want the hour set before it", ttl, err)
	}
	if keys, err := client.Keys(ctx, prefix+"*").Result(); err != nil || len(keys) != 1 {
		t.Errorf("keys under the prefix: %v, %v; want only %s", keys, err, key)
	}
}

// A Peek that cannot reach Redis reports Degraded, in either failure mode:
// it admits nothing, so it is a failure but not a fail-open.
func TestRedisUnreachablePeekIsDegraded(t *testing.T) {
	for _, mode := range []ratelimit.FailureMode{ratelimit.FailOpen, ratelimit.FailClosed} {
		l := ratelimit.NewRedis(unreachable(t), ratelimit.RedisOptions{FailureMode: mode, Logger: slog.New(slog.DiscardHandler)})
		d, err := l.Peek(context.Background(), list(rpm("key:a", 1)))
		if err != nil || !d.Degraded || d.Allowed || len(d.Statuses) != 0 {
			t.Errorf("mode %d: %+v, %v; want degraded", mode, d, err)
		}
		if s := l.Stats(); s.Failures != 1 || s.FailOpens != 0 {
			t.Errorf("mode %d: Stats() = %+v, want one failure and no fail-open", mode, s)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l := ratelimit.NewRedis(unreachable(t), ratelimit.RedisOptions{})
	if _, err := l.Peek(ctx, list(rpm("key:a", 1))); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled Peek: %v, want context.Canceled", err)
	}
}

// unreachable returns a client of a port where nothing listens, retrying
// nothing.
func unreachable(t *testing.T) *redis.Client {
	opts, err := redis.ParseURL(redistest.ClosedURL(t))
	if err != nil {
		t.Fatal(err)
	}
	opts.MaxRetries, opts.DialerRetries = -1, 1
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRedisUnreachableFailsOpenByDefault(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	l := ratelimit.NewRedis(unreachable(t), ratelimit.RedisOptions{KeyPrefix: "x:", Logger: logger})
	for range 3 {
		d, err := l.Check(context.Background(), list(rpm("key:a", 1)), 0)
		if err != nil || !d.Allowed || !d.Degraded {
			t.Fatalf("%+v, %v; want allowed, degraded", d, err)
		}
	}
	if s := l.Stats(); s.FailOpens != 3 || s.Failures != 3 {
		t.Errorf("Stats() = %+v, want 3 fail-opens", s)
	}
	// Logged once, not once per request.
	if n := strings.Count(logs.String(), "fail open"); n != 1 {
		t.Errorf("%d log lines, want 1:\n%s", n, logs.String())
	}
	if err := l.Adjust(context.Background(), list(tpm("key:a", 5)), 3); !errors.Is(err, ratelimit.ErrUnavailable) {
		t.Errorf("Adjust: %v, want ErrUnavailable", err)
	}
}

func TestRedisUnreachableFailsClosedWhenConfigured(t *testing.T) {
	l := ratelimit.NewRedis(unreachable(t), ratelimit.RedisOptions{FailureMode: ratelimit.FailClosed})
	d, err := l.Check(context.Background(), list(rpm("key:a", 1)), 0)
	if d.Allowed || !errors.Is(err, ratelimit.ErrUnavailable) || llm.KindOf(err) != llm.KindUnavailable {
		t.Fatalf("%+v, %v; want an Unavailable error", d, err)
	}
	if s := l.Stats(); s.FailOpens != 0 || s.Failures != 1 {
		t.Errorf("Stats() = %+v", s)
	}
}

// A Redis that accepts connections but never answers counts as
// unreachable once the check's timeout passes.
func TestRedisThatDoesNotAnswerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	// ContextTimeoutEnabled: the check's timeout applies to the socket
	// reads (internal/redisconn sets it too).
	c := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), MaxRetries: -1, ContextTimeoutEnabled: true})
	defer c.Close()
	l := ratelimit.NewRedis(c, ratelimit.RedisOptions{Timeout: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	d, err := l.Check(context.Background(), list(rpm("key:a", 1)), 0)
	if err != nil || !d.Allowed || !d.Degraded {
		t.Fatalf("%+v, %v; want allowed, degraded", d, err)
	}
}

func TestRedisCanceledCallerIsNotAnOutage(t *testing.T) {
	l := ratelimit.NewRedis(unreachable(t), ratelimit.RedisOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Check(ctx, list(rpm("key:a", 1)), 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("Check: %v, want context.Canceled", err)
	}
	if s := l.Stats(); s.Failures != 0 {
		t.Errorf("Stats() = %+v, want no failure counted", s)
	}
}

func TestRedisRecoversWhenTheServerComesBack(t *testing.T) {
	server := redistest.StartServer(t)
	opts, err := redis.ParseURL(server.URL)
	if err != nil {
		t.Fatal(err)
	}
	opts.MaxRetries, opts.DialerRetries = -1, 1
	client := redis.NewClient(opts)
	defer client.Close()
	l := ratelimit.NewRedis(client, ratelimit.RedisOptions{Logger: slog.New(slog.DiscardHandler)})
	limits := list(rpm("key:a", 100))
	check(t, l, limits, 0)

	server.Stop(t)
	d, err := l.Check(context.Background(), limits, 0)
	if err != nil || !d.Degraded {
		t.Fatalf("while Redis is down: %+v, %v; want degraded", d, err)
	}
	server.Start(t)
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err = l.Check(context.Background(), limits, 0)
		if err == nil && !d.Degraded {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still degraded 30s after Redis came back: %+v, %v", d, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The restarted server is empty (no persistence): the script is loaded
	// again and the count starts over.
	if !d.Allowed || d.Statuses[0].Remaining != 99 {
		t.Errorf("after the restart: %+v", d)
	}
}

// On a Cluster, the keys of one check (a key's, its team's, a deployment's)
// must share a slot for the script to run: the {ratelimit} hash tag puts
// them there.
func TestRedisClusterConformance(t *testing.T) {
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: redistest.StartCluster(t, 3)})
	defer client.Close()
	runConformance(t, func(t *testing.T, clock func() time.Time) ratelimit.Limiter {
		return ratelimit.NewRedis(client, ratelimit.RedisOptions{KeyPrefix: redistest.KeyPrefix(t), Clock: clock})
	})
}
