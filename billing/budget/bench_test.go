package budget_test

import (
	"context"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/internal/redistest"
)

// BenchmarkReserveSettle measures the budget cost of one request: a
// reservation over a key's daily and a team's monthly budget, then its
// settlement. The parallel variants spread keys over 16 scopes sharing one
// team, as a busy gateway would.
func BenchmarkReserveSettle(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchReserveSettle(b, budget.NewMemory(budget.Options{}), false) })
	b.Run("memory-parallel", func(b *testing.B) { benchReserveSettle(b, budget.NewMemory(budget.Options{}), true) })
	b.Run("redis", func(b *testing.B) { benchReserveSettle(b, benchRedis(b), false) })
	b.Run("redis-parallel", func(b *testing.B) { benchReserveSettle(b, benchRedis(b), true) })
}

func benchRedis(b *testing.B) budget.Engine {
	return budget.NewRedis(redistest.Client(b), redistest.KeyPrefix(b), budget.Options{})
}

func benchReserveSettle(b *testing.B, e budget.Engine, parallel bool) {
	ctx := context.Background()
	team := budget.Budget{Scope: "team:bench", Window: budget.Monthly, LimitNano: 1 << 60}
	keys := make([][]budget.Budget, 16)
	for i := range keys {
		key := budget.Budget{Scope: "key:bench" + string(rune('a'+i)), Window: budget.Daily, LimitNano: 1 << 60}
		keys[i] = []budget.Budget{key, team}
	}
	one := func(budgets []budget.Budget) {
		res, d, err := e.Reserve(ctx, budgets, 1000)
		if err != nil || !d.Allowed {
			b.Fatalf("Reserve: %v %+v", err, d)
		}
		if err := e.Settle(ctx, res, 900); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	if !parallel {
		for i := 0; b.Loop(); i++ {
			one(keys[i%len(keys)])
		}
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			one(keys[i%len(keys)])
		}
	})
}
