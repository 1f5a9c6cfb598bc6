package meter_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/billing/meter"
	"github.com/switchboard-gw/switchboard/llm"
)

// discardStore stores nothing: the benchmark measures the request path
// (pricing, the record, Enqueue), not the database.
type discardStore struct{}

func (discardStore) WriteSpend(context.Context, []ledger.Record) error { return nil }

// BenchmarkObserve is what metering adds to each attempt on the request's
// goroutine: pricing, building the record, and enqueueing it on a real
// ledger.Writer. A gateway enqueues far fewer records a second than this
// loop can, so the loop waits, off the clock, whenever the writer's queue
// is half full: the figure is the request path's cost, not the
// background loop's throughput.
func BenchmarkObserve(b *testing.B) {
	opts := ledger.WriterOptions{SpoolDir: b.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	w, err := ledger.NewWriter(discardStore{}, opts)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close(context.Background())
	m := meter.New(meter.Options{Records: w, Pricer: embedded()})
	ctx, _ := meter.Begin(background(), meter.Caller{KeyID: "key_bench", TeamID: "team_bench", Stream: true})
	a := llm.Attempt{Number: 1, Alias: "chat", Deployment: "gpt-4o-mini", Provider: "openai", Model: "gpt-4o-mini",
		Reason: llm.AttemptFirst, Outcome: llm.OutcomeOK, Start: time.Now(),
		Usage: llm.Usage{InputTokens: 1200, CachedInputTokens: 1024, OutputTokens: 300}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Observe(ctx, a)
		if i++; i%1000 == 0 {
			b.StopTimer()
			for w.Stats().QueueLength > ledger.DefaultQueueSize/2 {
				time.Sleep(100 * time.Microsecond)
			}
			b.StartTimer()
		}
	}
	b.StopTimer()
	if s := w.Stats(); s.Dropped != 0 || s.Spooled != 0 {
		b.Fatalf("the writer spooled or dropped records: %+v", s)
	}
}

// BenchmarkBegin is the per-request cost of starting a Call.
func BenchmarkBegin(b *testing.B) {
	ctx := background()
	b.ReportAllocs()
	for b.Loop() {
		_, call := meter.Begin(ctx, meter.Caller{KeyID: "key_bench"})
		if call == nil {
			b.Fatal("nil call")
		}
	}
}

// BenchmarkCostOf is the pricing alone.
func BenchmarkCostOf(b *testing.B) {
	m := meter.New(meter.Options{Pricer: embedded()})
	a := llm.Attempt{Number: 1, Model: "gpt-4o-mini", Outcome: llm.OutcomeOK, Start: time.Now(),
		Usage: llm.Usage{InputTokens: 1200, CachedInputTokens: 1024, OutputTokens: 300}}
	b.ReportAllocs()
	for b.Loop() {
		m.CostOf(&a)
	}
}
