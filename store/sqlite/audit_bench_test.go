package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/switchboard-gw/switchboard/store/sqlite"
	"github.com/switchboard-gw/switchboard/store/storetest"
)

// BenchmarkWriteRequests is the audit request log's batch write on the
// embedded store: one transaction (one fsync) per batch; the log writes up
// to 200 records a second.
func BenchmarkWriteRequests(b *testing.B) {
	for _, size := range []int{1, 200} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			storetest.BenchmarkWriteRequests(b, s, size)
		})
	}
}
