package storetest

import (
	"context"
	"testing"
	"time"
)

// writerContext is the context a batch is written with: like the ledger
// Writer's and the audit RequestLog's, it has a deadline, which costs the
// SQLite driver a watcher per statement, so the benchmarks count it.
func writerContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), time.Minute)
}

// recordTimer stops and starts a benchmark's timer around untimed setup
// and reports per-record metrics: records/s, wall ns/record and, where it
// can be measured, the process's CPU ns/record while the timer ran.
type recordTimer struct {
	b       *testing.B
	records int
	cpu     int64 // CPU used while the timer ran, up to the last stop
	started int64 // CPU reading at the last start
	ok      bool
}

func startRecordTimer(b *testing.B) *recordTimer {
	b.ReportAllocs()
	t := &recordTimer{b: b}
	b.ResetTimer()
	t.started, t.ok = processCPUNanos()
	return t
}

func (t *recordTimer) stop() {
	t.b.StopTimer()
	now, ok := processCPUNanos()
	t.cpu += now - t.started
	t.ok = t.ok && ok
}

func (t *recordTimer) start() {
	t.started, _ = processCPUNanos()
	t.b.StartTimer()
}

func (t *recordTimer) report() {
	t.stop()
	if t.records == 0 {
		return
	}
	t.b.ReportMetric(float64(t.records)/t.b.Elapsed().Seconds(), "records/s")
	t.b.ReportMetric(float64(t.b.Elapsed().Nanoseconds())/float64(t.records), "ns/record")
	if t.ok {
		t.b.ReportMetric(float64(t.cpu)/float64(t.records), "cpu-ns/record")
	}
}
