package auth_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
)

// countingStore counts RecordKeyUsage calls.
type countingStore struct {
	*observedStore
	usageWrites atomic.Int64
}

func (s *countingStore) RecordKeyUsage(ctx context.Context, usage []auth.KeyUsage) error {
	s.usageWrites.Add(1)
	return s.observedStore.RecordKeyUsage(ctx, usage)
}

func TestLastUsedIsRecordedInBatchesNotPerRequest(t *testing.T) {
	ctx := t.Context()
	clock := newFakeClock()
	store := &countingStore{observedStore: &observedStore{Store: openSQLite(t)}}
	keys := auth.NewKeys(store, testServerSecret, auth.WithClock(clock.Now), auth.WithLogger(quietLogger))
	a, secretA := mustCreate(t, keys, auth.CreateKeyParams{Name: "a"})
	b, secretB := mustCreate(t, keys, auth.CreateKeyParams{Name: "b"})
	unused, _ := mustCreate(t, keys, auth.CreateKeyParams{Name: "unused"})

	for range 100 {
		keys.Verify(ctx, secretA)
	}
	clock.Advance(5 * time.Second)
	keys.Verify(ctx, secretB)
	if n := store.usageWrites.Load(); n != 0 {
		t.Fatalf("%d usage writes during verification, want 0", n)
	}
	if err := keys.FlushUsage(ctx); err != nil {
		t.Fatal(err)
	}
	if n := store.usageWrites.Load(); n != 1 {
		t.Errorf("%d usage writes for one flush of two keys, want 1", n)
	}
	gotA, _ := keys.Get(ctx, a.ID)
	gotB, _ := keys.Get(ctx, b.ID)
	gotUnused, _ := keys.Get(ctx, unused.ID)
	start := clock.Now().Add(-5 * time.Second)
	if !gotA.LastUsedAt.Equal(start.Truncate(time.Microsecond)) || !gotB.LastUsedAt.Equal(clock.Now().Truncate(time.Microsecond)) || !gotUnused.LastUsedAt.IsZero() {
		t.Errorf("LastUsedAt a %v b %v unused %v", gotA.LastUsedAt, gotB.LastUsedAt, gotUnused.LastUsedAt)
	}
	// Nothing new: no write.
	if err := keys.FlushUsage(ctx); err != nil || store.usageWrites.Load() != 1 {
		t.Errorf("idle flush wrote (%d writes, %v)", store.usageWrites.Load(), err)
	}
	// A failed flush keeps the times for the next one.
	clock.Advance(time.Minute)
	keys.Verify(ctx, secretA)
	store.unreachable.Store(true)
	if err := keys.FlushUsage(ctx); err == nil {
		t.Fatal("FlushUsage succeeded against an unreachable store")
	}
	store.unreachable.Store(false)
	if err := keys.FlushUsage(ctx); err != nil {
		t.Fatal(err)
	}
	if gotA, _ := keys.Get(ctx, a.ID); !gotA.LastUsedAt.Equal(clock.Now().Truncate(time.Microsecond)) {
		t.Errorf("after a retried flush: %v", gotA.LastUsedAt)
	}
}

func TestRunFlushesOnStop(t *testing.T) {
	store := openSQLite(t)
	keys := auth.NewKeys(store, testServerSecret, auth.WithUsageFlushInterval(time.Hour), auth.WithLogger(quietLogger))
	key, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "a"})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- keys.Run(ctx) }()
	if _, err := keys.Verify(t.Context(), secret); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, _ := keys.Get(t.Context(), key.ID); got.LastUsedAt.IsZero() {
		t.Error("Run did not write the last-used time when it stopped")
	}
}
