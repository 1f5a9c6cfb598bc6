package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/store/sqlite"
	"github.com/switchboard-gw/switchboard/store/storetest"
)

// BenchmarkWriteSpend is the ledger's batch write on the embedded store:
// one transaction (synchronous=FULL: one fsync) per batch.
func BenchmarkWriteSpend(b *testing.B) {
	benchmarkSpendBatches(b, storetest.BenchmarkWriteSpend)
}

// BenchmarkWriteSpendRecent is BenchmarkWriteSpend with a gateway's
// pattern of times (see storetest.BenchmarkWriteSpendRecent).
func BenchmarkWriteSpendRecent(b *testing.B) {
	benchmarkSpendBatches(b, storetest.BenchmarkWriteSpendRecent)
}

func benchmarkSpendBatches(b *testing.B, bench func(*testing.B, ledger.SpendWriter, int)) {
	for _, size := range []int{1, 100, 500} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			bench(b, s, size)
		})
	}
}
