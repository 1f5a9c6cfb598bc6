package storetest

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
)

// Run runs the conformance suite of auth.Store: keys, admin credentials,
// teams and users. newStore must return a new, empty store (holding only
// what the migrations create, such as the default team) for each call, and
// arrange its cleanup with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) auth.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s auth.Store)
	}{
		{"Keys/InsertThenReadByIDAndHash", testInsertThenRead},
		{"Keys/OptionalFieldsRoundTrip", testOptionalFields},
		{"Keys/NotFound", testNotFound},
		{"Keys/DuplicateIDOrHash", testDuplicates},
		{"Keys/OwnersAreChecked", testOwnersAreChecked},
		{"Keys/AdminCredentialsAreListedApart", testAdminCredentialsApart},
		{"Keys/ListNewestFirstWithTiesByID", testListOrder},
		{"Keys/ListKeysetPagination", testListPagination},
		{"Keys/ListExcludesRevokedUnlessAsked", testListRevoked},
		{"Keys/ListFilters", testListFilters},
		{"Keys/RevokeKeepsFirstTime", testRevokeIdempotent},
		{"Keys/UpdateAppliesOnlyGivenFields", testUpdate},
		{"Keys/UpdateRefusesRevokedAndUnknown", testUpdateRefusals},
		{"Keys/RotateKeepsOldSecretForGrace", testRotate},
		{"Keys/RotateRefusals", testRotateRefusals},
		{"Keys/RecordUsageOnlyMovesForward", testRecordUsage},
		{"Keys/ConcurrentInserts", testConcurrentInserts},
		{"Keys/ConcurrentRevokesAgree", testConcurrentRevokes},
		{"Teams/DefaultTeamExists", testDefaultTeam},
		{"Teams/InsertReadList", testTeams},
		{"Teams/UniqueNames", testTeamNames},
		{"Teams/UpdateAndNotFound", testTeamUpdate},
		{"Users/InsertReadListByTeam", testUsers},
		{"Users/UnknownTeamAndNotFound", testUserRefusals},
		{"Users/Update", testUserUpdate},
		{"Teams/PayloadCaptureSettings", testTeamPayloadSettings},
		{"Teams/DeleteWithUsersAndKeys", testTeamDelete},
		{"Users/DeleteWithKeys", testUserDelete},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

// base is a fixed instant with a non-zero microsecond part, to catch
// backends that lose sub-second precision.
var base = time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)

func randomHash() []byte {
	h := make([]byte, 32)
	rand.Read(h)
	return h
}

// newRecord is a virtual key of the default team.
func newRecord(name string, created time.Time) auth.KeyRecord {
	secret := auth.GenerateSecret()
	return auth.KeyRecord{
		ID:           auth.NewKeyID(),
		Name:         name,
		TeamID:       auth.DefaultTeamID,
		Hash:         randomHash(),
		SecretPrefix: secret[:10],
		CreatedAt:    created,
		UpdatedAt:    created,
	}
}

func mustInsert(t *testing.T, s auth.Store, recs ...auth.KeyRecord) {
	t.Helper()
	for _, r := range recs {
		if err := s.InsertKey(t.Context(), r); err != nil {
			t.Fatalf("InsertKey(%s): %v", r.ID, err)
		}
	}
}

func mustTeam(t *testing.T, s auth.Store, name string, created time.Time) auth.TeamRecord {
	t.Helper()
	team := auth.TeamRecord{ID: auth.NewTeamID(), Name: name, CreatedAt: created, UpdatedAt: created}
	if err := s.InsertTeam(t.Context(), team); err != nil {
		t.Fatalf("InsertTeam(%s): %v", name, err)
	}
	return team
}

func mustUser(t *testing.T, s auth.Store, teamID, name string, created time.Time) auth.UserRecord {
	t.Helper()
	u := auth.UserRecord{ID: auth.NewUserID(), TeamID: teamID, Name: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com", CreatedAt: created, UpdatedAt: created}
	if err := s.InsertUser(t.Context(), u); err != nil {
		t.Fatalf("InsertUser(%s): %v", name, err)
	}
	return u
}

// assertSameRecord compares field by field, times with Equal (a backend may
// return another *time.Location) and empty lists equal to nil.
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
	check("Role", got.Role == want.Role, got.Role, want.Role)
	check("TeamID", got.TeamID == want.TeamID, got.TeamID, want.TeamID)
	check("UserID", got.UserID == want.UserID, got.UserID, want.UserID)
	check("Hash", slices.Equal(got.Hash, want.Hash), got.Hash, want.Hash)
	check("SecretPrefix", got.SecretPrefix == want.SecretPrefix, got.SecretPrefix, want.SecretPrefix)
	check("AllowedModels", slices.Equal(got.AllowedModels, want.AllowedModels), got.AllowedModels, want.AllowedModels)
	check("Tags", slices.Equal(got.Tags, want.Tags), got.Tags, want.Tags)
	check("Limits", got.Limits == want.Limits, got.Limits, want.Limits)
	check("CreatedAt", got.CreatedAt.Equal(want.CreatedAt), got.CreatedAt, want.CreatedAt)
	check("UpdatedAt", got.UpdatedAt.Equal(want.UpdatedAt), got.UpdatedAt, want.UpdatedAt)
	check("ExpiresAt", got.ExpiresAt.Equal(want.ExpiresAt), got.ExpiresAt, want.ExpiresAt)
	check("RevokedAt", got.RevokedAt.Equal(want.RevokedAt), got.RevokedAt, want.RevokedAt)
	check("RotatedAt", got.RotatedAt.Equal(want.RotatedAt), got.RotatedAt, want.RotatedAt)
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

// insertShuffled inserts n keys whose creation times include ties, in an
// order unrelated to the listing order, and returns them in the order a
// listing must produce: CreatedAt descending, then ID descending. modify,
// when not nil, adjusts each record before insertion.
func insertShuffled(t *testing.T, s auth.Store, n int, modify func(i int, r *auth.KeyRecord)) []auth.KeyRecord {
	t.Helper()
	recs := make([]auth.KeyRecord, n)
	for i := range recs {
		// Three keys per microsecond-distinct instant exercise the id
		// tie-break; the odd offsets make insertion order differ from
		// time order.
		recs[i] = newRecord(fmt.Sprintf("key %d", i), base.Add(time.Duration((i*7)%n/3)*time.Microsecond))
		if modify != nil {
			modify(i, &recs[i])
		}
	}
	mustInsert(t, s, recs...)
	return newestFirst(recs)
}

func newestFirst(recs []auth.KeyRecord) []auth.KeyRecord {
	want := slices.Clone(recs)
	slices.SortFunc(want, func(a, b auth.KeyRecord) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return want
}

// listAll pages through ListKeys with q's filters, four at a time.
func listAll(t *testing.T, s auth.Store, q auth.ListKeysQuery) []auth.KeyRecord {
	t.Helper()
	var got []auth.KeyRecord
	q.Limit, q.After = 4, nil
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatal("pagination does not terminate")
		}
		recs, err := s.ListKeys(t.Context(), q)
		if err != nil {
			t.Fatalf("ListKeys page %d: %v", page, err)
		}
		if len(recs) > 4 {
			t.Fatalf("page %d has %d records, limit is 4", page, len(recs))
		}
		if len(recs) == 0 {
			return got
		}
		got = append(got, recs...)
		last := recs[len(recs)-1]
		q.After = &auth.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}
