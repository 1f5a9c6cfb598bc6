package auth_test

import (
	"context"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
)

func BenchmarkParseSecret(b *testing.B) {
	secret := auth.GenerateSecret()
	b.ReportAllocs()
	for b.Loop() {
		if err := auth.ParseSecret(secret); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyCached is the steady state of the request path: a key seen
// within the cache TTL.
func BenchmarkVerifyCached(b *testing.B) {
	keys := auth.NewKeys(openSQLite(b), testServerSecret)
	_, secret := mustCreate(b, keys, auth.CreateKeyParams{Name: "bench", AllowedModels: []string{"demo"}})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := keys.Verify(ctx, secret); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerifyUncached measures a SQLite lookup on every call (cache
// disabled): the cost of the first request of a key and of a cache miss.
func BenchmarkVerifyUncached(b *testing.B) {
	store := openSQLite(b)
	creator := auth.NewKeys(store, testServerSecret)
	for range 1000 { // a realistic table, not a single row
		mustCreate(b, creator, auth.CreateKeyParams{Name: "filler"})
	}
	_, secret := mustCreate(b, creator, auth.CreateKeyParams{Name: "bench"})
	keys := auth.NewKeys(store, testServerSecret, auth.WithCacheTTL(0))
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := keys.Verify(ctx, secret); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerifyRejectsTypo is the cost of refusing a mistyped key, which
// never reaches the store.
func BenchmarkVerifyRejectsTypo(b *testing.B) {
	keys := auth.NewKeys(openSQLite(b), testServerSecret)
	secret := auth.GenerateSecret()
	typo := secret[:20] + flip(secret[20]) + secret[21:]
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := keys.Verify(ctx, typo); err == nil {
			b.Fatal("typo accepted")
		}
	}
}

// BenchmarkVerifyFromCached is the request path as the transports run it:
// the failed-authentication limiter (no address tracked) and a cached key.
func BenchmarkVerifyFromCached(b *testing.B) {
	keys := auth.NewKeys(openSQLite(b), testServerSecret, auth.WithFailureLimiter(auth.NewFailureLimiter(auth.DefaultMaxAuthFailures, auth.DefaultAuthFailureWindow)))
	_, secret := mustCreate(b, keys, auth.CreateKeyParams{Name: "bench", AllowedModels: []string{"demo"}})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := keys.VerifyFrom(ctx, secret, "192.0.2.10:54321"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
