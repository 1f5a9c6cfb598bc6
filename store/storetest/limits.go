package storetest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/limits"
)

// RunLimits runs the conformance suite of limits.Store. newStore must
// return a new, empty store for each call and arrange its cleanup.
func RunLimits(t *testing.T, newStore func(t *testing.T) limits.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s limits.Store)
	}{
		{"Limits/PutThenRead", testLimitsPutThenRead},
		{"Limits/ReplaceAndDelete", testLimitsReplaceAndDelete},
		{"Limits/ManyScopesAtOnce", testLimitsManyScopes},
		{"Limits/ConcurrentWriters", testLimitsConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

var limitsTime = time.Date(2026, 3, 10, 9, 26, 53, 589793000, time.UTC)

func sampleSettings(scope limits.Scope) limits.Settings {
	return limits.Settings{
		Scope: scope, RPM: 60, TPM: 90_000,
		Budgets: []limits.Budget{
			{Window: limits.Daily, LimitNanoUSD: 5_000_000_000, Policy: limits.Downgrade, Target: "cheap"},
			{Window: limits.Monthly, LimitNanoUSD: 100_000_000_000, Policy: limits.Hard},
			{Window: limits.Lifetime, LimitNanoUSD: 1, Policy: limits.Soft},
		},
		UpdatedAt: limitsTime,
	}
}

func readOne(t *testing.T, s limits.Store, scope limits.Scope) (limits.Settings, bool) {
	t.Helper()
	got, err := s.LimitSettings(context.Background(), []limits.Scope{scope})
	if err != nil {
		t.Fatalf("LimitSettings: %v", err)
	}
	switch len(got) {
	case 0:
		return limits.Settings{}, false
	case 1:
		return got[0], true
	}
	t.Fatalf("LimitSettings(%s) = %d records, want at most 1", scope, len(got))
	return limits.Settings{}, false
}

func sameSettings(t *testing.T, got, want limits.Settings) {
	t.Helper()
	if got.Scope != want.Scope || got.RPM != want.RPM || got.TPM != want.TPM || !slices.Equal(got.Budgets, want.Budgets) {
		t.Fatalf("settings = %+v, want %+v", got, want)
	}
	// Stores keep microseconds.
	if !got.UpdatedAt.Equal(want.UpdatedAt.Truncate(time.Microsecond)) || got.UpdatedAt.Location() != time.UTC {
		t.Fatalf("UpdatedAt = %v, want %v in UTC", got.UpdatedAt, want.UpdatedAt.Truncate(time.Microsecond))
	}
}

func testLimitsPutThenRead(t *testing.T, s limits.Store) {
	ctx := context.Background()
	if _, ok := readOne(t, s, "team:team_none"); ok {
		t.Fatal("an empty store has settings")
	}
	want := sampleSettings("team:team_a")
	if err := s.PutLimitSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, ok := readOne(t, s, want.Scope)
	if !ok {
		t.Fatal("settings not found after Put")
	}
	sameSettings(t, got, want)
	// Rate limits alone, no budget.
	rates := limits.Settings{Scope: "key:key_r", RPM: 1, UpdatedAt: limitsTime}
	if err := s.PutLimitSettings(ctx, rates); err != nil {
		t.Fatal(err)
	}
	got, _ = readOne(t, s, rates.Scope)
	sameSettings(t, got, rates)
	if got.Budgets != nil {
		t.Fatalf("budgets = %#v, want nil", got.Budgets)
	}
}

func testLimitsReplaceAndDelete(t *testing.T, s limits.Store) {
	ctx := context.Background()
	first := sampleSettings("user:user_a")
	if err := s.PutLimitSettings(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := limits.Settings{Scope: first.Scope, TPM: 7, UpdatedAt: limitsTime.Add(time.Hour),
		Budgets: []limits.Budget{{Window: limits.Monthly, LimitNanoUSD: 3, Policy: limits.Hard}}}
	if err := s.PutLimitSettings(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, _ := readOne(t, s, first.Scope)
	sameSettings(t, got, second)
	if err := s.PutLimitSettings(ctx, limits.Settings{Scope: first.Scope, UpdatedAt: limitsTime}); err != nil {
		t.Fatal(err)
	}
	if _, ok := readOne(t, s, first.Scope); ok {
		t.Fatal("zero settings did not delete the scope's record")
	}
	// Deleting what does not exist is fine.
	if err := s.PutLimitSettings(ctx, limits.Settings{Scope: "team:team_never"}); err != nil {
		t.Fatal(err)
	}
}

func testLimitsManyScopes(t *testing.T, s limits.Store) {
	ctx := context.Background()
	scopes := []limits.Scope{"key:key_1", "team:team_1", "user:user_1"}
	for i, sc := range scopes {
		set := sampleSettings(sc)
		set.RPM = int64(i + 1)
		if err := s.PutLimitSettings(ctx, set); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.LimitSettings(ctx, append([]limits.Scope{"key:key_absent"}, scopes...))
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b limits.Settings) int { return strings.Compare(string(a.Scope), string(b.Scope)) })
	if len(got) != 3 || got[0].Scope != "key:key_1" || got[0].RPM != 1 || got[1].Scope != "team:team_1" || got[1].RPM != 2 || got[2].RPM != 3 {
		t.Fatalf("LimitSettings = %+v", got)
	}
	if none, err := s.LimitSettings(ctx, nil); err != nil || len(none) != 0 {
		t.Fatalf("LimitSettings(nil) = %v, %v", none, err)
	}
}

func testLimitsConcurrent(t *testing.T, s limits.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			set := sampleSettings("team:team_busy")
			set.RPM = int64(i + 1)
			errs <- s.PutLimitSettings(ctx, set)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, ok := readOne(t, s, "team:team_busy")
	if !ok || got.RPM < 1 || got.RPM > 16 {
		t.Fatalf("after concurrent writes: %+v, %v", got, ok)
	}
}
