package budget_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/internal/redistest"
)

// pipelined is a Redis engine whose Reserve and Settle travel queued on a
// pipeline with another command, as billing/redisadmit sends them.
type pipelined struct {
	*budget.Redis
	client redis.UniversalClient
}

func (p pipelined) Reserve(ctx context.Context, budgets []budget.Budget, amount int64) (budget.Reservation, budget.Decision, error) {
	pipe := p.client.Pipeline()
	q := p.QueueReserve(ctx, pipe, budgets, amount)
	pipe.Ping(ctx) // a fellow traveller
	_, _ = pipe.Exec(ctx)
	return q.Result(ctx, time.Now())
}

func (p pipelined) Settle(ctx context.Context, res budget.Reservation, actual int64) error {
	pipe := p.client.Pipeline()
	q := p.QueueSettle(ctx, pipe, res, actual)
	pipe.Ping(ctx)
	_, _ = pipe.Exec(ctx)
	return q.Result(ctx, time.Now())
}

// The queued forms pass the whole suite (seeding included): the same
// decisions as Reserve and Settle.
func TestRedisPipelinedConformance(t *testing.T) {
	redistest.URL(t)
	runConformance(t, func(t *testing.T, opts budget.Options) (budget.Engine, budget.Engine) {
		prefix := redistest.KeyPrefix(t)
		a, b := redistest.Client(t), redistest.Client(t)
		return pipelined{budget.NewRedis(a, prefix, opts), a}, pipelined{budget.NewRedis(b, prefix, opts), b}
	})
}

// After SCRIPT FLUSH (or a restart) the pipeline's EVALSHA finds no
// script, and after a lost Redis no counters: a queued reservation and
// settlement still happen, once each.
func TestQueuedCallsReloadScriptsAndReseed(t *testing.T) {
	srv := redistest.StartServer(t)
	client := redistest.ClientOf(t, srv.URL)
	ctx := context.Background()
	var ledger, seeds atomic.Int64
	clock := newFakeClock(start)
	e := pipelined{budget.NewRedis(client, "", budget.Options{Clock: clock.Now, Seeder: func(context.Context, string, time.Time) (int64, error) {
		seeds.Add(1)
		return ledger.Load(), nil
	}}), client}
	key := budget.Budget{Scope: "key:a", Window: budget.Daily, LimitNano: 10 * usd}

	ledger.Store(4 * usd)
	first, d := mustReserve(t, e, 5*usd, key) // seeds the new window
	if !d.Allowed || seeds.Load() != 1 {
		t.Fatalf("first reservation: %+v after %d seeds; want allowed after one", d, seeds.Load())
	}
	noScripts := noScriptErrors(t, client)
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if _, d := mustReserve(t, e, 2*usd, key); d.Allowed {
		t.Fatalf("second reservation: %+v; want refused (4 spent + 5 held + 2 > 10)", d)
	}
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	mustSettle(t, e, first, 3*usd)
	if n := noScriptErrors(t, client) - noScripts; n != 2 {
		t.Fatalf("%d NOSCRIPT answers; want 2, one per call after a flush", n)
	}
	if u := mustStatus(t, e, key)[0]; u.SpentNano != 7*usd || u.ReservedNano != 0 {
		t.Fatalf("after settling: %+v; want 7 USD spent, nothing held", u)
	}

	// Redis loses everything: the settlement of a reservation made before
	// re-seeds its window from the ledger and records its spend.
	ledger.Store(7 * usd)
	held, d := mustReserve(t, e, usd, key)
	if !d.Allowed {
		t.Fatalf("third reservation: %+v", d)
	}
	if err := client.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	mustSettle(t, e, held, usd)
	if u := mustStatus(t, e, key)[0]; u.SpentNano != 8*usd || u.ReservedNano != 0 || seeds.Load() != 2 {
		t.Fatalf("after the loss: %+v after %d seeds; want the ledger's 7 plus 1 spent, seeded twice", u, seeds.Load())
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

// A reservation answered after its caller's deadline counts as failed, as
// a Reserve that gave up waiting does; an unreachable Redis is an error.
func TestQueuedReserveFailures(t *testing.T) {
	client := redistest.Client(t)
	ctx := context.Background()
	e := budget.NewRedis(client, redistest.KeyPrefix(t), budget.Options{})
	key := budget.Budget{Scope: "key:late", Window: budget.Daily, LimitNano: 10 * usd}
	mustReserve(t, e, usd, key) // the window exists: one trip below

	rctx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	deadline, _ := rctx.Deadline()
	pipe := client.Pipeline()
	q := e.QueueReserve(rctx, pipe, []budget.Budget{key}, usd)
	if _, err := pipe.Exec(rctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Result(rctx, deadline.Add(time.Millisecond)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("answered late: %v, want a deadline error", err)
	}

	opts, err := redis.ParseURL(redistest.ClosedURL(t))
	if err != nil {
		t.Fatal(err)
	}
	opts.MaxRetries, opts.DialerRetries = -1, 1
	down := redis.NewClient(opts)
	defer down.Close()
	de := budget.NewRedis(down, "", budget.Options{})
	pipe = down.Pipeline()
	q = de.QueueReserve(ctx, pipe, []budget.Budget{key}, usd)
	s := de.QueueSettle(ctx, pipe, budget.Reservation{}, usd) // the zero Reservation settles nowhere
	_, _ = pipe.Exec(ctx)
	if _, _, err := q.Result(ctx, time.Now()); err == nil {
		t.Error("unreachable: no error")
	}
	if err := s.Result(ctx, time.Now()); err != nil {
		t.Errorf("settling nothing: %v", err)
	}
}
