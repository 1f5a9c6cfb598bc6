package admit_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/idempotency"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/internal/redistest"
	"github.com/switchboard-gw/switchboard/llm"
)

// redisControllers are n controllers sharing one Redis, as n gateway
// instances do.
func redisControllers(t *testing.T, client redis.UniversalClient, prefix string, n int, mod func(*admit.Options)) []*admit.Controller {
	t.Helper()
	p := price(t, "1", "2")
	var out []*admit.Controller
	for range n {
		o := admit.Options{
			Limiter:     ratelimit.NewRedis(client, ratelimit.RedisOptions{KeyPrefix: prefix, Timeout: 200 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}),
			Budgets:     budget.NewRedis(client, prefix, budget.Options{}),
			Idempotency: idempotency.NewRedis(client, prefix, idempotency.Options{MaxWait: 10 * time.Second}),
			Pricer:      fixedPrices{"m": {p}},
			Timeout:     200 * time.Millisecond,
			Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		}
		if mod != nil {
			mod(&o)
		}
		out = append(out, admit.New(o))
	}
	return out
}

// Three controllers on one Redis admit exactly what one budget holds.
func TestRedisBudgetIsExactAcrossControllers(t *testing.T) {
	client := redistest.Client(t)
	cs := redisControllers(t, client, redistest.KeyPrefix(t), 3, nil)
	req := chat("m", "hello", 100)
	w := worstOf(req, price(t, "1", "2"))
	k := caller
	k.Key = admit.KeyLimits{BudgetNanoUSD: 7 * w, RPM: 1000}
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for i := range 30 {
		c := cs[i%3]
		wg.Go(func() {
			tk, err := c.Admit(context.Background(), k, req, false)
			if err != nil {
				return
			}
			admitted.Add(1)
			ctx := tk.Context(context.Background())
			c.ObserveCost(ctx, &llm.Attempt{Number: 1}, w)
			tk.Finish(ctx, &llm.Response{}, nil)
		})
	}
	wg.Wait()
	if admitted.Load() != 7 {
		t.Fatalf("admitted %d, want 7", admitted.Load())
	}
}

// With Redis down, requests go through by default, and are refused when
// failing closed.
func TestRedisDownFailsOpenOrClosed(t *testing.T) {
	srv := redistest.StartServer(t)
	client := redistest.ClientOf(t, srv.URL)
	open := redisControllers(t, client, "down:", 1, nil)[0]
	closed := redisControllers(t, client, "down:", 1, func(o *admit.Options) {
		o.FailClosed = true
		o.Limiter = ratelimit.NewRedis(client, ratelimit.RedisOptions{KeyPrefix: "down:", FailureMode: ratelimit.FailClosed,
			Timeout: 200 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	})[0]
	k := caller
	k.Key = admit.KeyLimits{RPM: 10, BudgetNanoUSD: 1_000_000_000}
	srv.Stop(t)
	ctx := admit.WithNotes(context.Background(), &admit.Notes{IdempotencyKey: "x"})
	tk, err := open.Admit(ctx, k, chat("m", "hi", 10), false)
	if err != nil {
		t.Fatalf("fail open: %v", err)
	}
	tk.Finish(ctx, &llm.Response{}, nil)
	if s := open.Stats(); s.FailOpens == 0 || s.BudgetFailures == 0 {
		t.Fatalf("stats %+v", s)
	}
	_, err = closed.Admit(context.Background(), k, chat("m", "hi", 10), false)
	if llm.KindOf(err) != llm.KindUnavailable {
		t.Fatalf("fail closed: %v, want unavailable", err)
	}
	// Back up: enforced again.
	srv.Start(t)
	eventually(t, func() bool {
		tk, err := closed.Admit(context.Background(), k, chat("m", "hi", 10), false)
		if err == nil {
			tk.Finish(context.Background(), &llm.Response{}, nil)
		}
		return err == nil
	})
}
