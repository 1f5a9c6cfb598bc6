package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
)

func testInsertThenRead(t *testing.T, s auth.Store) {
	team := mustTeam(t, s, "ml platform", base)
	user := mustUser(t, s, team.ID, "Ada Lovelace", base)
	rec := newRecord("ci pipeline", base)
	rec.TeamID, rec.UserID = team.ID, user.ID
	rec.AllowedModels = []string{"demo", "openai/*"}
	rec.Tags = []string{"env:prod", "service=billing"}
	rec.Limits = auth.Limits{RPM: 600, TPM: 120_000, BudgetNanoUSD: 25_000_000_000, BudgetPeriod: auth.BudgetMonthly}
	rec.UpdatedAt = base.Add(time.Second)
	rec.ExpiresAt = base.Add(90 * 24 * time.Hour)
	mustInsert(t, s, rec)

	byID, err := s.KeyByID(t.Context(), rec.ID)
	if err != nil {
		t.Fatalf("KeyByID: %v", err)
	}
	assertSameRecord(t, byID, rec)
	if !byID.LastUsedAt.IsZero() {
		t.Errorf("LastUsedAt of a new key: %v, want zero", byID.LastUsedAt)
	}

	m, err := s.KeyByHash(t.Context(), rec.Hash)
	if err != nil {
		t.Fatalf("KeyByHash: %v", err)
	}
	assertSameRecord(t, m.Key, rec)
	if m.Retired {
		t.Error("KeyByHash of a current secret reports it retired")
	}
}

func testOptionalFields(t *testing.T, s auth.Store) {
	bare := newRecord("", base) // no models, no tags, no limits, no expiry, not revoked, empty name
	revoked := newRecord("already revoked", base.Add(time.Second))
	revoked.RevokedAt = base.Add(2 * time.Second)
	rotated := newRecord("rotated", base.Add(time.Second))
	rotated.RotatedAt = base.Add(3 * time.Second)
	unicode := newRecord("équipe données 🚀", base.Add(3*time.Second))
	unicode.Tags = []string{"équipe"}
	lifetimeBudget := newRecord("budget", base.Add(4*time.Second))
	lifetimeBudget.Limits = auth.Limits{BudgetNanoUSD: 1}
	mustInsert(t, s, bare, revoked, rotated, unicode, lifetimeBudget)
	for _, want := range []auth.KeyRecord{bare, revoked, rotated, unicode, lifetimeBudget} {
		got, err := s.KeyByID(t.Context(), want.ID)
		if err != nil {
			t.Fatalf("KeyByID(%s): %v", want.ID, err)
		}
		assertSameRecord(t, got, want)
	}
}

func testNotFound(t *testing.T, s auth.Store) {
	mustInsert(t, s, newRecord("present", base))
	missing := newRecord("missing", base)
	if _, err := s.KeyByID(t.Context(), missing.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("KeyByID(unknown): got %v, want ErrNotFound", err)
	}
	if _, err := s.KeyByHash(t.Context(), missing.Hash); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("KeyByHash(unknown): got %v, want ErrNotFound", err)
	}
	if _, err := s.RevokeKey(t.Context(), missing.ID, base); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("RevokeKey(unknown): got %v, want ErrNotFound", err)
	}
	if _, err := s.KeyByHash(t.Context(), nil); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("KeyByHash(nil): got %v, want ErrNotFound", err)
	}
}

func testDuplicates(t *testing.T, s auth.Store) {
	first := newRecord("first", base)
	mustInsert(t, s, first)

	sameID := newRecord("same id", base)
	sameID.ID = first.ID
	if err := s.InsertKey(t.Context(), sameID); !errors.Is(err, auth.ErrAlreadyExists) {
		t.Errorf("InsertKey(duplicate id): got %v, want ErrAlreadyExists", err)
	}
	sameHash := newRecord("same hash", base)
	sameHash.Hash = slices.Clone(first.Hash)
	if err := s.InsertKey(t.Context(), sameHash); !errors.Is(err, auth.ErrAlreadyExists) {
		t.Errorf("InsertKey(duplicate hash): got %v, want ErrAlreadyExists", err)
	}
	got, err := s.KeyByID(t.Context(), first.ID)
	if err != nil {
		t.Fatalf("KeyByID: %v", err)
	}
	assertSameRecord(t, got, first) // the failed inserts changed nothing
}

func testOwnersAreChecked(t *testing.T, s auth.Store) {
	red := mustTeam(t, s, "red", base)
	blue := mustTeam(t, s, "blue", base)
	alice := mustUser(t, s, red.ID, "Alice", base)

	cases := []struct {
		name         string
		team, user   string
		want         error
		wantInserted bool
	}{
		{"unknown team", auth.NewTeamID(), "", auth.ErrTeamNotFound, false},
		{"unknown user", red.ID, auth.NewUserID(), auth.ErrUserNotFound, false},
		{"user of another team", blue.ID, alice.ID, auth.ErrUserNotInTeam, false},
		{"user of the team", red.ID, alice.ID, nil, true},
		{"team without user", blue.ID, "", nil, true},
	}
	for _, tc := range cases {
		rec := newRecord(tc.name, base)
		rec.TeamID, rec.UserID = tc.team, tc.user
		err := s.InsertKey(t.Context(), rec)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: InsertKey: %v, want %v", tc.name, err, tc.want)
		}
		_, err = s.KeyByID(t.Context(), rec.ID)
		if inserted := err == nil; inserted != tc.wantInserted {
			t.Errorf("%s: key stored %v, want %v", tc.name, inserted, tc.wantInserted)
		}
	}
}

func testAdminCredentialsApart(t *testing.T, s auth.Store) {
	team := mustTeam(t, s, "red", base)
	virtual := newRecord("virtual", base)
	admin := newRecord("root", base.Add(time.Second))
	admin.Role, admin.TeamID = auth.RoleAdmin, ""
	teamAdmin := newRecord("red lead", base.Add(2*time.Second))
	teamAdmin.Role, teamAdmin.TeamID = auth.RoleTeamAdmin, team.ID
	auditor := newRecord("auditor", base.Add(3*time.Second))
	auditor.Role, auditor.TeamID = auth.RoleAuditor, ""
	mustInsert(t, s, virtual, admin, teamAdmin, auditor)

	got, err := s.KeyByID(t.Context(), admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecord(t, got, admin)
	m, err := s.KeyByHash(t.Context(), teamAdmin.Hash)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecord(t, m.Key, teamAdmin)

	if keys := listAll(t, s, auth.ListKeysQuery{}); !slices.Equal(ids(keys), []string{virtual.ID}) {
		t.Errorf("virtual key listing: %v, want only %s", ids(keys), virtual.ID)
	}
	if keys := listAll(t, s, auth.ListKeysQuery{AdminKeys: true}); !slices.Equal(ids(keys), []string{auditor.ID, teamAdmin.ID, admin.ID}) {
		t.Errorf("admin credential listing: %v", ids(keys))
	}
	if keys := listAll(t, s, auth.ListKeysQuery{AdminKeys: true, TeamID: team.ID}); !slices.Equal(ids(keys), []string{teamAdmin.ID}) {
		t.Errorf("admin credentials of a team: %v", ids(keys))
	}
}

func testListOrder(t *testing.T, s auth.Store) {
	want := insertShuffled(t, s, 20, nil)
	got, err := s.ListKeys(t.Context(), auth.ListKeysQuery{Limit: 100})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	if !slices.Equal(ids(got), ids(want)) {
		t.Fatalf("ListKeys order:\n got  %v\n want %v", ids(got), ids(want))
	}
	for i := range got {
		assertSameRecord(t, got[i], want[i])
	}
	limited, err := s.ListKeys(t.Context(), auth.ListKeysQuery{Limit: 5})
	if err != nil {
		t.Fatalf("ListKeys(limit 5): %v", err)
	}
	if !slices.Equal(ids(limited), ids(want[:5])) {
		t.Errorf("ListKeys(limit 5): got %v, want %v", ids(limited), ids(want[:5]))
	}
}

func testListPagination(t *testing.T, s auth.Store) {
	want := insertShuffled(t, s, 23, nil)
	if got := listAll(t, s, auth.ListKeysQuery{}); !slices.Equal(ids(got), ids(want)) {
		t.Fatalf("paged listing:\n got  %v\n want %v", ids(got), ids(want))
	}
}

func testListRevoked(t *testing.T, s auth.Store) {
	want := insertShuffled(t, s, 9, nil)
	revoked := map[string]bool{}
	for i, r := range want {
		if i%3 == 1 {
			if _, err := s.RevokeKey(t.Context(), r.ID, base.Add(time.Hour)); err != nil {
				t.Fatalf("RevokeKey: %v", err)
			}
			revoked[r.ID] = true
		}
	}
	var active []string
	for _, r := range want {
		if !revoked[r.ID] {
			active = append(active, r.ID)
		}
	}

	if got := listAll(t, s, auth.ListKeysQuery{}); !slices.Equal(ids(got), active) {
		t.Errorf("without revoked: got %v, want %v", ids(got), active)
	}
	all := listAll(t, s, auth.ListKeysQuery{IncludeRevoked: true})
	if !slices.Equal(ids(all), ids(want)) {
		t.Errorf("with revoked: got %v, want %v", ids(all), ids(want))
	}
	for _, r := range all {
		if revoked[r.ID] != !r.RevokedAt.IsZero() {
			t.Errorf("key %s: RevokedAt %v, revoked %v", r.ID, r.RevokedAt, revoked[r.ID])
		}
	}
}

func testListFilters(t *testing.T, s auth.Store) {
	red := mustTeam(t, s, "red", base)
	blue := mustTeam(t, s, "blue", base)
	alice := mustUser(t, s, red.ID, "Alice", base)
	want := insertShuffled(t, s, 18, func(i int, r *auth.KeyRecord) {
		switch i % 3 {
		case 0:
			r.TeamID = red.ID
		case 1:
			r.TeamID, r.UserID = red.ID, alice.ID
		case 2:
			r.TeamID = blue.ID
		}
		if i%2 == 0 {
			r.Tags = []string{"env:prod", fmt.Sprintf("n:%d", i)}
		} else {
			r.Tags = []string{"env:dev"}
		}
	})
	keep := func(pred func(r auth.KeyRecord) bool) []string {
		var out []string
		for _, r := range want {
			if pred(r) {
				out = append(out, r.ID)
			}
		}
		return out
	}
	cases := []struct {
		name string
		q    auth.ListKeysQuery
		pred func(r auth.KeyRecord) bool
	}{
		{"team", auth.ListKeysQuery{TeamID: red.ID}, func(r auth.KeyRecord) bool { return r.TeamID == red.ID }},
		{"user", auth.ListKeysQuery{UserID: alice.ID}, func(r auth.KeyRecord) bool { return r.UserID == alice.ID }},
		{"tag", auth.ListKeysQuery{Tag: "env:prod"}, func(r auth.KeyRecord) bool { return slices.Contains(r.Tags, "env:prod") }},
		{"team and tag", auth.ListKeysQuery{TeamID: blue.ID, Tag: "env:dev"}, func(r auth.KeyRecord) bool {
			return r.TeamID == blue.ID && slices.Contains(r.Tags, "env:dev")
		}},
		{"tag prefix is not a match", auth.ListKeysQuery{Tag: "env"}, func(auth.KeyRecord) bool { return false }},
		{"other team", auth.ListKeysQuery{TeamID: auth.DefaultTeamID}, func(auth.KeyRecord) bool { return false }},
	}
	for _, tc := range cases {
		if got, exp := ids(listAll(t, s, tc.q)), keep(tc.pred); !slices.Equal(got, exp) {
			t.Errorf("%s: got %v, want %v", tc.name, got, exp)
		}
	}
}

func testRevokeIdempotent(t *testing.T, s auth.Store) {
	rec := newRecord("to revoke", base)
	other := newRecord("bystander", base)
	mustInsert(t, s, rec, other)

	first := base.Add(time.Hour + 123*time.Microsecond)
	got, err := s.RevokeKey(t.Context(), rec.ID, first)
	if err != nil {
		t.Fatalf("RevokeKey: %v", err)
	}
	want := rec
	want.RevokedAt = first
	assertSameRecord(t, got, want)

	again, err := s.RevokeKey(t.Context(), rec.ID, first.Add(time.Hour))
	if err != nil {
		t.Fatalf("RevokeKey again: %v", err)
	}
	assertSameRecord(t, again, want)

	for name, read := range map[string]func(context.Context) (auth.KeyRecord, error){
		"KeyByID": func(ctx context.Context) (auth.KeyRecord, error) { return s.KeyByID(ctx, rec.ID) },
		"KeyByHash": func(ctx context.Context) (auth.KeyRecord, error) {
			m, err := s.KeyByHash(ctx, rec.Hash)
			return m.Key, err
		},
	} {
		stored, err := read(t.Context())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		assertSameRecord(t, stored, want)
	}
	bystander, err := s.KeyByID(t.Context(), other.ID)
	if err != nil {
		t.Fatalf("KeyByID(bystander): %v", err)
	}
	assertSameRecord(t, bystander, other)
}

func testConcurrentInserts(t *testing.T, s auth.Store) {
	const writers, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				rec := newRecord(fmt.Sprintf("w%d-%d", w, i), base.Add(time.Duration(w*each+i)*time.Microsecond))
				if err := s.InsertKey(context.Background(), rec); err != nil {
					errs <- err
				}
				if _, err := s.KeyByHash(context.Background(), rec.Hash); err != nil {
					errs <- fmt.Errorf("read own write: %w", err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all, err := s.ListKeys(t.Context(), auth.ListKeysQuery{Limit: 1000})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	if len(all) != writers*each {
		t.Errorf("listed %d keys after %d concurrent inserts", len(all), writers*each)
	}
}

func testConcurrentRevokes(t *testing.T, s auth.Store) {
	rec := newRecord("raced", base)
	mustInsert(t, s, rec)
	const n = 8
	results := make([]auth.KeyRecord, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = s.RevokeKey(context.Background(), rec.ID, base.Add(time.Duration(i+1)*time.Second))
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("RevokeKey #%d: %v", i, errs[i])
		}
		if !results[i].RevokedAt.Equal(results[0].RevokedAt) {
			t.Errorf("concurrent revokes disagree: %v vs %v", results[i].RevokedAt, results[0].RevokedAt)
		}
	}
	stored, err := s.KeyByID(t.Context(), rec.ID)
	if err != nil {
		t.Fatalf("KeyByID: %v", err)
	}
	if !stored.RevokedAt.Equal(results[0].RevokedAt) {
		t.Errorf("stored RevokedAt %v, revokes returned %v", stored.RevokedAt, results[0].RevokedAt)
	}
}
