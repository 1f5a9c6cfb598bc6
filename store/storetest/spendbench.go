package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
)

// BenchmarkWriteSpend measures WriteSpend with batches of batchSize new
// records (1 to 3 attempts per request), each batch spread over a day and
// overlapping the day of the batches before it, so that its rows land all
// over the recent part of every time-ordered index (a harsh case: see
// BenchmarkWriteSpendRecent for a gateway's pattern), and reports
// records/s. Both backends call it, so their figures compare.
func BenchmarkWriteSpend(b *testing.B, s ledger.SpendWriter, batchSize int) {
	benchmarkWriteSpend(b, s, batchSize, func(seed uint64) (time.Time, time.Duration) {
		return spendBase.Add(time.Duration(seed) * time.Hour), 24 * time.Hour
	})
}

// BenchmarkWriteSpendRecent is BenchmarkWriteSpend with the records a
// gateway under steady load writes: the ledger Writer flushes every 500 ms
// the attempts that ended since, which started up to a minute before.
func BenchmarkWriteSpendRecent(b *testing.B, s ledger.SpendWriter, batchSize int) {
	benchmarkWriteSpend(b, s, batchSize, func(seed uint64) (time.Time, time.Duration) {
		return spendBase.Add(time.Duration(seed) * 500 * time.Millisecond), 10 * time.Second
	})
}

// benchmarkWriteSpend writes batches whose records start in the span
// window returns for each batch's seed (1, 2, 3...).
func benchmarkWriteSpend(b *testing.B, s ledger.SpendWriter, batchSize int, window func(seed uint64) (time.Time, time.Duration)) {
	// Records are made ahead, outside the timer, a few batches at a time
	// so memory stays flat whatever b.N is.
	const pregenerated = 20
	var pool [][]ledger.Record
	refill := func(round int) {
		pool = pool[:0]
		for i := range pregenerated {
			seed := uint64(round*pregenerated + i + 1)
			from, span := window(seed)
			recs := SpendRecords(seed, batchSize/2+1, from, span)
			pool = append(pool, recs[:min(batchSize, len(recs))])
		}
	}
	timer := startRecordTimer(b)
	for i := range b.N {
		if i%pregenerated == 0 {
			timer.stop()
			refill(i / pregenerated)
			timer.start()
		}
		batch := pool[i%pregenerated]
		ctx, cancel := writerContext()
		err := s.WriteSpend(ctx, batch)
		cancel()
		if err != nil {
			b.Fatal(fmt.Errorf("WriteSpend: %w", err))
		}
		timer.records += len(batch)
	}
	timer.report()
}
