package postgres_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/store/postgres"
	"github.com/switchboard-gw/switchboard/store/postgres/pgtest"
)

// BenchmarkVerifyUncachedPostgres is a key verification that misses the
// cache and reads PostgreSQL: the first request of a key on an instance, or
// the first after a change was announced. It skips without a test server.
func BenchmarkVerifyUncachedPostgres(b *testing.B) {
	s, err := postgres.Open(context.Background(), postgres.Options{DSN: pgtest.NewSchema(b), Migrate: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	secret := bytes.Repeat([]byte{7}, auth.ServerSecretLen)
	creator := auth.NewKeys(s, secret)
	for range 300 { // a table, not a single row (kept small: setup runs per round)
		if _, _, err := creator.Create(context.Background(), auth.CreateKeyParams{Name: "filler"}); err != nil {
			b.Fatal(err)
		}
	}
	_, key, err := creator.Create(context.Background(), auth.CreateKeyParams{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	keys := auth.NewKeys(s, secret, auth.WithCacheTTL(0))
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := keys.Verify(ctx, key); err != nil {
				b.Fatal(err)
			}
		}
	})
}
