package ratelimit_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/internal/redistest"
	"github.com/switchboard-gw/switchboard/llm"
)

// pipelined is a Redis limiter whose Check and Adjust travel queued on a
// pipeline with another command, as billing/redisadmit sends them.
type pipelined struct {
	*ratelimit.Redis
	client redis.UniversalClient
}

func (p pipelined) Check(ctx context.Context, limits []ratelimit.Limit, tokens int64) (ratelimit.Decision, error) {
	pipe := p.client.Pipeline()
	q := p.QueueCheck(ctx, pipe, limits, tokens)
	pipe.Ping(ctx) // a fellow traveller
	_, _ = pipe.Exec(ctx)
	return q.Result(ctx, time.Now())
}

func (p pipelined) Adjust(ctx context.Context, limits []ratelimit.Limit, delta int64) error {
	pipe := p.client.Pipeline()
	q := p.QueueAdjust(ctx, pipe, limits, delta)
	pipe.Ping(ctx)
	_, _ = pipe.Exec(ctx)
	return q.Result(ctx, time.Now())
}

// The queued forms pass the whole suite: same decisions as Check and
// Adjust.
func TestRedisPipelinedConformance(t *testing.T) {
	client := redistest.Client(t)
	runConformance(t, func(t *testing.T, clock func() time.Time) ratelimit.Limiter {
		return pipelined{ratelimit.NewRedis(client, ratelimit.RedisOptions{KeyPrefix: redistest.KeyPrefix(t), Clock: clock}), client}
	})
}

// After SCRIPT FLUSH (or a restart) the pipeline's EVALSHA finds no
// script: the queued check and adjustment still happen, once each, and the
// scripts are loaded again.
func TestQueuedCallsReloadFlushedScripts(t *testing.T) {
	srv := redistest.StartServer(t)
	client := redistest.ClientOf(t, srv.URL)
	ctx := context.Background()
	l := pipelined{ratelimit.NewRedis(client, ratelimit.RedisOptions{}), client}
	limits := list(rpm("key:a", 2), tpm("key:a", 1000))
	check(t, l, limits, 100)
	noScripts := noScriptErrors(t, client)
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	d := check(t, l, limits, 100)
	if !d.Allowed || d.Statuses[0].Remaining != 0 || d.Statuses[1].Remaining != 800 {
		t.Fatalf("after the flush: %+v; want the second request charged once", d)
	}
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	adjust(t, l, limits, -200)
	if n := noScriptErrors(t, client) - noScripts; n != 2 {
		t.Fatalf("%d NOSCRIPT answers; want 2, one per call after a flush", n)
	}
	if d := peek(t, l, limits); d.Statuses[1].Remaining < 1000 {
		t.Fatalf("after the adjustment: %+v; want the 200 tokens back", d)
	}
	if d := check(t, l, limits, 0); d.Allowed {
		t.Fatalf("third request: %+v; want the RPM limit to refuse it", d)
	}
	if s := l.Stats(); s.Failures != 0 {
		t.Fatalf("Stats() = %+v; a missing script is not a failure", s)
	}
}

// noScriptErrors is the number of NOSCRIPT errors the server answered.
func noScriptErrors(t *testing.T, client *redis.Client) int {
	t.Helper()
	info, err := client.Info(context.Background(), "errorstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(info, "errorstat_NOSCRIPT:count=")
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(after, "\n", 2)[0]))
	return n
}

// A queued check that cannot reach Redis follows the failure mode, as
// Check does; so does one answered after the limiter's timeout, even when
// the pipeline waited longer for another engine's call.
func TestQueuedCheckFailureModes(t *testing.T) {
	ctx := context.Background()
	limits := list(rpm("key:a", 1))
	quiet := slog.New(slog.DiscardHandler)
	for _, mode := range []ratelimit.FailureMode{ratelimit.FailOpen, ratelimit.FailClosed} {
		client := unreachable(t)
		l := pipelined{ratelimit.NewRedis(client, ratelimit.RedisOptions{FailureMode: mode, Logger: quiet}), client}
		d, err := l.Check(ctx, limits, 0)
		wantFailure(t, mode, d, err)
		if err := l.Adjust(ctx, list(tpm("key:a", 5)), 3); !errors.Is(err, ratelimit.ErrUnavailable) {
			t.Errorf("mode %d: Adjust: %v, want ErrUnavailable", mode, err)
		}
		if s := l.Stats(); s.Failures != 2 {
			t.Errorf("mode %d: Stats() = %+v, want 2 failures", mode, s)
		}
	}

	client := redistest.Client(t)
	for _, mode := range []ratelimit.FailureMode{ratelimit.FailOpen, ratelimit.FailClosed} {
		l := ratelimit.NewRedis(client, ratelimit.RedisOptions{KeyPrefix: redistest.KeyPrefix(t), FailureMode: mode, Logger: quiet})
		pipe := client.Pipeline()
		q := l.QueueCheck(ctx, pipe, limits, 0)
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		d, err := q.Result(ctx, q.Deadline().Add(time.Millisecond))
		wantFailure(t, mode, d, err)
	}

	// A caller that went away gets its context's error, not a failure.
	l := ratelimit.NewRedis(client, ratelimit.RedisOptions{KeyPrefix: redistest.KeyPrefix(t), FailureMode: ratelimit.FailClosed})
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	pipe := client.Pipeline()
	q := l.QueueCheck(canceled, pipe, limits, 0)
	_, _ = pipe.Exec(canceled)
	if _, err := q.Result(canceled, time.Now()); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v, want context.Canceled", err)
	}
	if s := l.Stats(); s.Failures != 0 {
		t.Errorf("canceled: Stats() = %+v, want no failure", s)
	}
}

func wantFailure(t *testing.T, mode ratelimit.FailureMode, d ratelimit.Decision, err error) {
	t.Helper()
	switch mode {
	case ratelimit.FailOpen:
		if err != nil || !d.Allowed || !d.Degraded {
			t.Errorf("fail open: %+v, %v; want allowed, degraded", d, err)
		}
	case ratelimit.FailClosed:
		if d.Allowed || !errors.Is(err, ratelimit.ErrUnavailable) || llm.KindOf(err) != llm.KindUnavailable {
			t.Errorf("fail closed: %+v, %v; want an Unavailable error", d, err)
		}
	}
}

// Malformed limits queue nothing and give Check's error; no limits admit.
func TestQueuedCheckWithoutACall(t *testing.T) {
	client := redistest.Client(t)
	ctx := context.Background()
	l := ratelimit.NewRedis(client, ratelimit.RedisOptions{KeyPrefix: redistest.KeyPrefix(t)})
	pipe := client.Pipeline()
	bad := l.QueueCheck(ctx, pipe, list(rpm("", 1)), 0)
	none := l.QueueCheck(ctx, pipe, nil, 0)
	noop := l.QueueAdjust(ctx, pipe, list(rpm("key:a", 1)), 5) // no TPM limit
	if n := pipe.Len(); n != 0 {
		t.Fatalf("%d commands queued, want none", n)
	}
	if _, err := bad.Result(ctx, time.Now()); err == nil {
		t.Error("malformed limits: no error")
	}
	if d, err := none.Result(ctx, time.Now()); err != nil || !d.Allowed {
		t.Errorf("no limits: %+v, %v", d, err)
	}
	if err := noop.Result(ctx, time.Now()); err != nil {
		t.Errorf("nothing to adjust: %v", err)
	}
}
