package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
)

// BenchmarkWriteSpend measures WriteSpend with batches of batchSize new
// records (1 to 3 attempts per request, spread over a day, as a gateway
// writes them), and reports records/s. Both backends call it, so their
// figures compare.
func BenchmarkWriteSpend(b *testing.B, s ledger.SpendWriter, batchSize int) {
	ctx := context.Background()
	// Records are made ahead, outside the timer, a few batches at a time
	// so memory stays flat whatever b.N is.
	const pregenerated = 20
	var pool [][]ledger.Record
	refill := func(round int) {
		pool = pool[:0]
		for i := range pregenerated {
			seed := uint64(round*pregenerated + i + 1)
			recs := SpendRecords(seed, batchSize/2+1, spendBase.Add(time.Duration(seed)*time.Hour), 24*time.Hour)
			pool = append(pool, recs[:min(batchSize, len(recs))])
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	records := 0
	for i := range b.N {
		if i%pregenerated == 0 {
			b.StopTimer()
			refill(i / pregenerated)
			b.StartTimer()
		}
		batch := pool[i%pregenerated]
		if err := s.WriteSpend(ctx, batch); err != nil {
			b.Fatal(fmt.Errorf("WriteSpend: %w", err))
		}
		records += len(batch)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
