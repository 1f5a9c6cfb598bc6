package admit_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/idempotency"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/internal/redistest"
	"github.com/switchboard-gw/switchboard/llm"
)

// BenchmarkAdmission is the admission path of one request whose key has
// RPM and TPM limits and a budget, none of them binding: Admit (one
// rate-limit check and one reservation), the attempt's cost, and Finish
// (one settlement; the TPM correction runs in the background). The Redis
// variant pays the round trips to the Redis that make test starts.
func BenchmarkAdmission(b *testing.B) {
	p := price(b, "0.15", "0.6")
	k := caller
	k.Key = admit.KeyLimits{RPM: 1e9, TPM: 1e9, BudgetNanoUSD: 1e15, BudgetWindow: limits.Monthly}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func(b *testing.B, o admit.Options) {
		o.Pricer, o.Logger = fixedPrices{"m": {p}}, quiet
		c := admit.New(o)
		req := chat("m", "Summarize the following paragraph in one sentence, please.", 256)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			t, err := c.Admit(context.Background(), k, req, false)
			if err != nil {
				b.Fatal(err)
			}
			ctx := t.Context(context.Background())
			c.ObserveCost(ctx, &llm.Attempt{Number: 1, Deployment: "d", Usage: llm.Usage{InputTokens: 20, OutputTokens: 40}}, 27)
			t.Finish(ctx, &llm.Response{}, nil)
		}
	}
	b.Run("memory", func(b *testing.B) {
		run(b, admit.Options{Limiter: ratelimit.NewMemory(ratelimit.MemoryOptions{}), Budgets: budget.NewMemory(budget.Options{}),
			Idempotency: idempotency.NewMemory(idempotency.Options{})})
	})
	b.Run("redis", func(b *testing.B) {
		client := redistest.Client(b)
		prefix := redistest.KeyPrefix(b)
		run(b, admit.Options{Limiter: ratelimit.NewRedis(client, ratelimit.RedisOptions{KeyPrefix: prefix}),
			Budgets: budget.NewRedis(client, prefix, budget.Options{}), Idempotency: idempotency.NewRedis(client, prefix, idempotency.Options{})})
	})
}
