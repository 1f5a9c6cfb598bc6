package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-gw/switchboard/store/postgres"
	"github.com/switchboard-gw/switchboard/store/postgres/pgtest"
	"github.com/switchboard-gw/switchboard/store/storetest"
)

// BenchmarkWriteSpend is the ledger's batch write on PostgreSQL: one
// transaction per batch (unnest insert, counting lookup, one pipelined
// round trip for flags and rollups). It skips without a test server. The
// test server runs with fsync off, so the figures leave out disk flushes.
func BenchmarkWriteSpend(b *testing.B) {
	for _, size := range []int{1, 100, 500} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			s, err := postgres.Open(context.Background(), postgres.Options{DSN: pgtest.NewSchema(b), Migrate: true})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			storetest.BenchmarkWriteSpend(b, s, size)
		})
	}
}
