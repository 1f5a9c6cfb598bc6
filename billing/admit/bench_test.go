package admit_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/idempotency"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/billing/redisadmit"
	"github.com/switchboard-gw/switchboard/llm"
)

// BenchmarkAdmission is the admission path of one request whose key has
// RPM and TPM limits and a budget, none of them binding: Admit (one
// rate-limit check and one reservation), the attempt's cost (its tokens
// differ from the estimate, so TPM is corrected), and Finish (the
// settlement and the correction; outside a transport, llm.AfterAnswer
// work runs within Finish). admit-ns/op is the time in Admit alone, what
// the request waits for. The Redis variants pay the round trips to a
// private Redis server, and report them (roundtrips/op, counted by the
// client), the scripts the server ran (scripts/op) and every command the
// server ran, those of the scripts included (rediscmds/op; both from INFO
// commandstats).
func BenchmarkAdmission(b *testing.B) {
	p := price(b, "0.15", "0.6")
	k := caller
	k.Key = admit.KeyLimits{RPM: 1e9, TPM: 1e9, BudgetNanoUSD: 1e15, BudgetWindow: limits.Monthly}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func(b *testing.B, o admit.Options, rt *redisTraffic) {
		o.Pricer, o.Logger = fixedPrices{"m": {p}}, quiet
		c := admit.New(o)
		req := chat("m", "Summarize the following paragraph in one sentence, please.", 256)
		var scripts0, cmds0, trips0 int64
		if rt != nil {
			scripts0, cmds0 = rt.commands(b)
			trips0 = rt.roundTrips.Load()
		}
		var admitting time.Duration
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			start := time.Now()
			t, err := c.Admit(context.Background(), k, req, false)
			admitting += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			ctx := t.Context(context.Background())
			c.ObserveCost(ctx, &llm.Attempt{Number: 1, Deployment: "d", Usage: llm.Usage{InputTokens: 20, OutputTokens: 40}}, 27)
			t.Finish(ctx, &llm.Response{}, nil)
		}
		b.StopTimer()
		b.ReportMetric(float64(admitting.Nanoseconds())/float64(b.N), "admit-ns/op")
		if rt != nil {
			scripts, cmds := rt.settledCommands(b)
			b.ReportMetric(float64(scripts-scripts0)/float64(b.N), "scripts/op")
			b.ReportMetric(float64(cmds-cmds0)/float64(b.N), "rediscmds/op")
			b.ReportMetric(float64(rt.roundTrips.Load()-trips0)/float64(b.N), "roundtrips/op")
		}
	}
	b.Run("memory", func(b *testing.B) {
		run(b, admit.Options{Limiter: ratelimit.NewMemory(ratelimit.MemoryOptions{}), Budgets: budget.NewMemory(budget.Options{}),
			Idempotency: idempotency.NewMemory(idempotency.Options{})}, nil)
	})
	// The Redis engines' calls one by one: the check and the reservation
	// at once on two connections, the settlement after the answer and the
	// TPM correction on a goroutine of its own.
	b.Run("redis", func(b *testing.B) {
		rt := newRedisTraffic(b)
		run(b, admit.Options{Limiter: ratelimit.NewRedis(rt.client, ratelimit.RedisOptions{}),
			Budgets: budget.NewRedis(rt.client, "", budget.Options{}), Idempotency: idempotency.NewRedis(rt.client, "", idempotency.Options{})}, rt)
	})
	// Pipelined (Options.Combined, as the gateway wires two Redis
	// engines): one round trip in Admit, one in Finish.
	b.Run("redis-pipelined", func(b *testing.B) {
		rt := newRedisTraffic(b)
		limiter, budgets := ratelimit.NewRedis(rt.client, ratelimit.RedisOptions{}), budget.NewRedis(rt.client, "", budget.Options{})
		run(b, admit.Options{Limiter: limiter, Budgets: budgets, Combined: redisadmit.New(rt.client, limiter, budgets),
			Idempotency: idempotency.NewRedis(rt.client, "", idempotency.Options{})}, rt)
	})
}
