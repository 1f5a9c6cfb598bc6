package budget_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/internal/redistest"
)

// TestRedis runs the conformance suite over two engines, each with its own
// client, sharing one Redis and one prefix: two gateway instances.
func TestRedis(t *testing.T) {
	redistest.URL(t) // skip early, before the subtests
	runConformance(t, func(t *testing.T, opts budget.Options) (budget.Engine, budget.Engine) {
		prefix := redistest.KeyPrefix(t)
		return budget.NewRedis(redistest.Client(t), prefix, opts), budget.NewRedis(redistest.Client(t), prefix, opts)
	})
}

// TestRedisReseedsLostCounters: when Redis loses a window's counters
// (restart without persistence, eviction), the next request seeds them
// again from the Seeder, and settling a reservation made before the loss
// still records its spend.
func TestRedisReseedsLostCounters(t *testing.T) {
	client := redistest.Client(t)
	prefix := redistest.KeyPrefix(t)
	ctx := context.Background()
	var ledger atomic.Int64 // what the spend ledger would say
	var seeds atomic.Int64
	clock := newFakeClock(start)
	e := budget.NewRedis(client, prefix, budget.Options{Clock: clock.Now, Seeder: func(context.Context, string, time.Time) (int64, error) {
		seeds.Add(1)
		return ledger.Load(), nil
	}})
	key := budget.Budget{Scope: "key:lost", Window: budget.Daily, LimitNano: 10 * usd}

	res, d, err := e.Reserve(ctx, []budget.Budget{key}, 2*usd)
	if err != nil || !d.Allowed {
		t.Fatalf("Reserve: %v %+v", err, d)
	}
	if err := e.Settle(ctx, res, 2*usd); err != nil {
		t.Fatal(err)
	}
	ledger.Store(2 * usd)
	res, d, err = e.Reserve(ctx, []budget.Budget{key}, 3*usd)
	if err != nil || !d.Allowed {
		t.Fatalf("Reserve: %v %+v", err, d)
	}

	iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		client.Del(ctx, iter.Val())
	}

	if err := e.Settle(ctx, res, 3*usd); err != nil {
		t.Fatal(err)
	}
	u, err := e.Status(ctx, []budget.Budget{key})
	if err != nil {
		t.Fatal(err)
	}
	if u[0].SpentNano != 5*usd || u[0].ReservedNano != 0 {
		t.Errorf("usage after the loss %+v; want the ledger's 2 USD plus the settled 3", u[0])
	}
	if seeds.Load() != 2 {
		t.Errorf("seeded %d times; want twice (first use, after the loss)", seeds.Load())
	}
}

// TestRedisKeysExpireAfterTheirWindow: closed windows do not stay in
// Redis forever; lifetime ones do.
func TestRedisKeysExpireAfterTheirWindow(t *testing.T) {
	client := redistest.Client(t)
	prefix := redistest.KeyPrefix(t)
	ctx := context.Background()
	clock := newFakeClock(time.Date(2025, time.March, 14, 23, 0, 0, 0, time.UTC))
	e := budget.NewRedis(client, prefix, budget.Options{Clock: clock.Now})
	daily := budget.Budget{Scope: "key:ttl", Window: budget.Daily, LimitNano: usd}
	life := budget.Budget{Scope: "key:ttl", Window: budget.Lifetime, LimitNano: usd}
	if err := e.Charge(ctx, []budget.Budget{daily, life}, 1); err != nil {
		t.Fatal(err)
	}
	ttl, err := client.PTTL(ctx, prefix+"{budget}:key:ttl:d20250314").Result()
	if err != nil {
		t.Fatal(err)
	}
	// One hour left in the day plus a day of retention.
	if ttl <= 24*time.Hour || ttl > 25*time.Hour {
		t.Errorf("daily counter TTL %v; want about 25h", ttl)
	}
	if ttl, _ := client.PTTL(ctx, prefix+"{budget}:key:ttl:life").Result(); ttl != -1 {
		t.Errorf("lifetime counter TTL %v; want none", ttl)
	}
}
