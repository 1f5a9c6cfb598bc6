package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
)

// RunKeyStore runs the auth.KeyStore conformance suite. newStore must return
// a new, empty store for each call, and arrange its cleanup with t.Cleanup.
func RunKeyStore(t *testing.T, newStore func(t *testing.T) auth.KeyStore) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s auth.KeyStore)
	}{
		{"InsertThenReadByIDAndHash", testInsertThenRead},
		{"OptionalFieldsRoundTrip", testOptionalFields},
		{"NotFound", testNotFound},
		{"DuplicateIDOrHash", testDuplicates},
		{"ListNewestFirstWithTiesByID", testListOrder},
		{"ListKeysetPagination", testListPagination},
		{"ListExcludesRevokedUnlessAsked", testListRevoked},
		{"RevokeKeepsFirstTime", testRevokeIdempotent},
		{"ConcurrentInserts", testConcurrentInserts},
		{"ConcurrentRevokesAgree", testConcurrentRevokes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

// base is a fixed instant with a non-zero microsecond part, to catch
// backends that lose sub-second precision.
var base = time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)

func newRecord(name string, created time.Time) auth.KeyRecord {
	hash := make([]byte, 32)
	rand.Read(hash)
	secret := auth.GenerateSecret()
	return auth.KeyRecord{
		ID:           auth.NewKeyID(),
		Name:         name,
		Hash:         hash,
		SecretPrefix: secret[:10],
		CreatedAt:    created,
	}
}

func mustInsert(t *testing.T, s auth.KeyStore, recs ...auth.KeyRecord) {
	t.Helper()
	for _, r := range recs {
		if err := s.InsertKey(t.Context(), r); err != nil {
			t.Fatalf("InsertKey(%s): %v", r.ID, err)
		}
	}
}

// assertSameRecord compares field by field, times with Equal (a backend may
// return another *time.Location) and an empty AllowedModels equal to nil.
func assertSameRecord(t *testing.T, got, want auth.KeyRecord) {
	t.Helper()
	var diffs []string
	check := func(field string, ok bool, g, w any) {
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s: got %v, want %v", field, g, w))
		}
	}
	check("ID", got.ID == want.ID, got.ID, want.ID)
	check("Name", got.Name == want.Name, got.Name, want.Name)
	check("Hash", slices.Equal(got.Hash, want.Hash), got.Hash, want.Hash)
	check("SecretPrefix", got.SecretPrefix == want.SecretPrefix, got.SecretPrefix, want.SecretPrefix)
	check("AllowedModels", slices.Equal(got.AllowedModels, want.AllowedModels), got.AllowedModels, want.AllowedModels)
	check("CreatedAt", got.CreatedAt.Equal(want.CreatedAt), got.CreatedAt, want.CreatedAt)
	check("ExpiresAt", got.ExpiresAt.Equal(want.ExpiresAt), got.ExpiresAt, want.ExpiresAt)
	check("RevokedAt", got.RevokedAt.Equal(want.RevokedAt), got.RevokedAt, want.RevokedAt)
	for _, d := range diffs {
		t.Error(d)
	}
}

func ids(recs []auth.KeyRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func testInsertThenRead(t *testing.T, s auth.KeyStore) {
	rec := newRecord("ci pipeline", base)
	rec.AllowedModels = []string{"demo", "openai/*"}
	rec.ExpiresAt = base.Add(90 * 24 * time.Hour)
	mustInsert(t, s, rec)

	byID, err := s.KeyByID(t.Context(), rec.ID)
	if err != nil {
		t.Fatalf("KeyByID: %v", err)
	}
	assertSameRecord(t, byID, rec)

	byHash, err := s.KeyByHash(t.Context(), rec.Hash)
	if err != nil {
		t.Fatalf("KeyByHash: %v", err)
	}
	assertSameRecord(t, byHash, rec)
}

func testOptionalFields(t *testing.T, s auth.KeyStore) {
	bare := newRecord("", base) // no models, no expiry, not revoked, empty name
	revoked := newRecord("already revoked", base.Add(time.Second))
	revoked.RevokedAt = base.Add(2 * time.Second)
	unicode := newRecord("équipe données 🚀", base.Add(3*time.Second))
	mustInsert(t, s, bare, revoked, unicode)
	for _, want := range []auth.KeyRecord{bare, revoked, unicode} {
		got, err := s.KeyByID(t.Context(), want.ID)
		if err != nil {
			t.Fatalf("KeyByID(%s): %v", want.ID, err)
		}
		assertSameRecord(t, got, want)
	}
}

func testNotFound(t *testing.T, s auth.KeyStore) {
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

func testDuplicates(t *testing.T, s auth.KeyStore) {
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

// insertShuffled inserts n keys whose creation times include ties, in an
// order unrelated to the listing order, and returns them in the order a
// listing must produce: CreatedAt descending, then ID descending.
func insertShuffled(t *testing.T, s auth.KeyStore, n int) []auth.KeyRecord {
	t.Helper()
	recs := make([]auth.KeyRecord, n)
	for i := range recs {
		// Three keys per microsecond-distinct instant exercise the id
		// tie-break; the odd offsets make insertion order differ from
		// time order.
		recs[i] = newRecord(fmt.Sprintf("key %d", i), base.Add(time.Duration((i*7)%n/3)*time.Microsecond))
	}
	mustInsert(t, s, recs...)
	want := slices.Clone(recs)
	slices.SortFunc(want, func(a, b auth.KeyRecord) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return want
}

func testListOrder(t *testing.T, s auth.KeyStore) {
	want := insertShuffled(t, s, 20)
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

func testListPagination(t *testing.T, s auth.KeyStore) {
	want := insertShuffled(t, s, 23)
	var got []auth.KeyRecord
	var after *auth.KeyCursor
	for page := 0; ; page++ {
		if page > len(want) {
			t.Fatal("pagination does not terminate")
		}
		recs, err := s.ListKeys(t.Context(), auth.ListKeysQuery{Limit: 4, After: after})
		if err != nil {
			t.Fatalf("ListKeys page %d: %v", page, err)
		}
		if len(recs) > 4 {
			t.Fatalf("page %d has %d records, limit is 4", page, len(recs))
		}
		if len(recs) == 0 {
			break
		}
		got = append(got, recs...)
		last := recs[len(recs)-1]
		after = &auth.KeyCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	if !slices.Equal(ids(got), ids(want)) {
		t.Fatalf("paged listing:\n got  %v\n want %v", ids(got), ids(want))
	}
}

func testListRevoked(t *testing.T, s auth.KeyStore) {
	want := insertShuffled(t, s, 9)
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

	got, err := s.ListKeys(t.Context(), auth.ListKeysQuery{Limit: 100})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	if !slices.Equal(ids(got), active) {
		t.Errorf("without revoked: got %v, want %v", ids(got), active)
	}
	all, err := s.ListKeys(t.Context(), auth.ListKeysQuery{Limit: 100, IncludeRevoked: true})
	if err != nil {
		t.Fatalf("ListKeys(include revoked): %v", err)
	}
	if !slices.Equal(ids(all), ids(want)) {
		t.Errorf("with revoked: got %v, want %v", ids(all), ids(want))
	}
	for _, r := range all {
		if revoked[r.ID] != !r.RevokedAt.IsZero() {
			t.Errorf("key %s: RevokedAt %v, revoked %v", r.ID, r.RevokedAt, revoked[r.ID])
		}
	}

	// Paging past revoked keys with a cursor taken from an active one.
	page1, err := s.ListKeys(t.Context(), auth.ListKeysQuery{Limit: 2})
	if err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	last := page1[len(page1)-1]
	page2, err := s.ListKeys(t.Context(), auth.ListKeysQuery{Limit: 100, After: &auth.KeyCursor{CreatedAt: last.CreatedAt, ID: last.ID}})
	if err != nil {
		t.Fatalf("ListKeys page 2: %v", err)
	}
	if got := append(ids(page1), ids(page2)...); !slices.Equal(got, active) {
		t.Errorf("paged without revoked: got %v, want %v", got, active)
	}
}

func testRevokeIdempotent(t *testing.T, s auth.KeyStore) {
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
		"KeyByID":   func(ctx context.Context) (auth.KeyRecord, error) { return s.KeyByID(ctx, rec.ID) },
		"KeyByHash": func(ctx context.Context) (auth.KeyRecord, error) { return s.KeyByHash(ctx, rec.Hash) },
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

func testConcurrentInserts(t *testing.T, s auth.KeyStore) {
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

func testConcurrentRevokes(t *testing.T, s auth.KeyStore) {
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
