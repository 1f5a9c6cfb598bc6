package ledger_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
)

// discardStore takes every batch at once: it isolates the writer's own
// cost from a database's.
type discardStore struct{ records atomic.Int64 }

func (d *discardStore) WriteSpend(_ context.Context, recs []ledger.Record) error {
	d.records.Add(int64(len(recs)))
	return nil
}

// BenchmarkEnqueue is what metering costs a request: normalizing and
// validating one record and queueing it. The store takes batches
// instantly, so the figure is Enqueue's own; "spilled" counts records that
// found the queue full and took Enqueue's slow path to disk (0 here).
func BenchmarkEnqueue(b *testing.B) {
	store := &discardStore{}
	// A queue deep enough that a descheduled loop never lets it fill: this
	// measures the hot path, not the spill.
	w, err := ledger.NewWriter(store, ledger.WriterOptions{SpoolDir: b.TempDir(), QueueSize: 100_000})
	if err != nil {
		b.Fatal(err)
	}
	recs := records("bench", 1024)
	b.ReportAllocs()
	for i := range b.N {
		if err := w.Enqueue(recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := w.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(w.Stats().Spooled), "spilled")
}

// BenchmarkWriterToSQLite is the whole pipeline into the embedded store:
// b.N records enqueued as fast as possible, timed until all of them are
// stored. Enqueue outruns SQLite here, so the queue fills and records take
// the spool (disk) path too: the figure is the sustained rate into the
// store under overload, spool included.
func BenchmarkWriterToSQLite(b *testing.B) {
	store := newStore(b)
	w, err := ledger.NewWriter(store, ledger.WriterOptions{SpoolDir: b.TempDir(), FlushInterval: 5 * time.Millisecond, RetryMin: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close(context.Background()) })
	recs := records(fmt.Sprint(b.N), b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := w.Enqueue(recs[i]); err != nil {
			b.Fatal(err)
		}
	}
	for w.Stats().Written < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(w.Stats().Spooled), "spooled")
}
