package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
)

func testTeamPayloadSettings(t *testing.T, s auth.Store) {
	team := mustTeam(t, s, "captured", base)
	if team.PayloadCapture || team.PayloadRetentionDays != 0 {
		t.Fatalf("a new team captures payloads: %+v", team)
	}
	on, days := true, 14
	got, err := s.UpdateTeam(t.Context(), auth.TeamUpdate{ID: team.ID, PayloadCapture: &on, PayloadRetentionDays: &days, UpdatedAt: base.Add(time.Second)})
	if err != nil || !got.PayloadCapture || got.PayloadRetentionDays != 14 || got.Name != "captured" {
		t.Fatalf("UpdateTeam(capture on, 14 days): %+v, %v", got, err)
	}
	name := "renamed"
	got, err = s.UpdateTeam(t.Context(), auth.TeamUpdate{ID: team.ID, Name: &name, UpdatedAt: base.Add(2 * time.Second)})
	if err != nil || !got.PayloadCapture || got.PayloadRetentionDays != 14 {
		t.Errorf("a rename changed the capture settings: %+v, %v", got, err)
	}
	read, err := s.TeamByID(t.Context(), team.ID)
	if err != nil || read != got {
		t.Errorf("TeamByID: %+v, %v; want %+v", read, err, got)
	}
	withCapture := auth.TeamRecord{ID: auth.NewTeamID(), Name: "born captured", CreatedAt: base, UpdatedAt: base, PayloadCapture: true, PayloadRetentionDays: 3}
	if err := s.InsertTeam(t.Context(), withCapture); err != nil {
		t.Fatal(err)
	}
	if read, _ := s.TeamByID(t.Context(), withCapture.ID); !read.PayloadCapture || read.PayloadRetentionDays != 3 {
		t.Errorf("InsertTeam lost the capture settings: %+v", read)
	}
}

// deletionFixture is a team with two users, a key each, a key of the team
// alone, and an admin credential scoped to it; the default team has a key
// that must survive.
type deletionFixture struct {
	team                    auth.TeamRecord
	ada, bob                auth.UserRecord
	adaKey, bobKey, teamKey auth.KeyRecord
	lead, survivor          auth.KeyRecord
}

func newDeletionFixture(t *testing.T, s auth.Store, teamName string) deletionFixture {
	f := deletionFixture{team: mustTeam(t, s, teamName, base)}
	f.ada = mustUser(t, s, f.team.ID, "Ada", base)
	f.bob = mustUser(t, s, f.team.ID, "Bob", base)
	key := func(name, userID string) auth.KeyRecord {
		r := newRecord(name, base)
		r.TeamID, r.UserID = f.team.ID, userID
		mustInsert(t, s, r)
		return r
	}
	f.adaKey, f.bobKey, f.teamKey = key("ada's", f.ada.ID), key("bob's", f.bob.ID), key("team's", "")
	f.lead = newRecord("lead", base)
	f.lead.Role, f.lead.TeamID = auth.RoleTeamAdmin, f.team.ID
	f.survivor = newRecord("survivor", base)
	mustInsert(t, s, f.lead, f.survivor)
	// Rotated, so the key has a retired secret that goes too.
	if _, err := s.RotateKey(t.Context(), auth.KeyRotation{ID: f.adaKey.ID, NewHash: randomHash(), SecretPrefix: "sk-sb-new", At: base, RetireUntil: base.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordKeyUsage(t.Context(), []auth.KeyUsage{{KeyID: f.bobKey.ID, UsedAt: base}}); err != nil {
		t.Fatal(err)
	}
	return f
}

func testUserDelete(t *testing.T, s auth.Store) {
	f := newDeletionFixture(t, s, "doomed")
	at := base.Add(time.Minute)
	if _, err := s.DeleteUser(t.Context(), auth.DeleteQuery{ID: f.ada.ID, At: at}); !errors.Is(err, auth.ErrHasLiveKeys) {
		t.Fatalf("DeleteUser(live key): %v, want ErrHasLiveKeys", err)
	}
	if _, err := s.UserByID(t.Context(), f.ada.ID); err != nil {
		t.Fatalf("a refused deletion deleted the user: %v", err)
	}
	// A revoked key no longer holds the user back.
	if _, err := s.RevokeKey(t.Context(), f.adaKey.ID, at); err != nil {
		t.Fatal(err)
	}
	del, err := s.DeleteUser(t.Context(), auth.DeleteQuery{ID: f.ada.ID, At: at})
	if err != nil || !slices.Equal(del.KeyIDs, []string{f.adaKey.ID}) || len(del.UserIDs) != 0 {
		t.Fatalf("DeleteUser: %+v, %v", del, err)
	}
	for _, check := range []error{
		func() error { _, err := s.UserByID(t.Context(), f.ada.ID); return err }(),
		func() error { _, err := s.KeyByID(t.Context(), f.adaKey.ID); return err }(),
		func() error { _, err := s.DeleteUser(t.Context(), auth.DeleteQuery{ID: f.ada.ID, At: at}); return err }(),
	} {
		if !errors.Is(check, auth.ErrNotFound) {
			t.Errorf("after DeleteUser: %v, want ErrNotFound", check)
		}
	}
	// Forced: a live key goes with its user.
	del, err = s.DeleteUser(t.Context(), auth.DeleteQuery{ID: f.bob.ID, Force: true, At: at})
	if err != nil || !slices.Equal(del.KeyIDs, []string{f.bobKey.ID}) {
		t.Fatalf("DeleteUser(force): %+v, %v", del, err)
	}
	if _, err := s.KeyByID(t.Context(), f.teamKey.ID); err != nil {
		t.Errorf("the team's own key went with a user: %v", err)
	}
}

func testTeamDelete(t *testing.T, s auth.Store) {
	f := newDeletionFixture(t, s, "doomed")
	at := base.Add(time.Minute)
	if _, err := s.DeleteTeam(t.Context(), auth.DeleteQuery{ID: f.team.ID, At: at}); !errors.Is(err, auth.ErrHasLiveKeys) {
		t.Fatalf("DeleteTeam(live keys): %v, want ErrHasLiveKeys", err)
	}
	// Expired keys are not live.
	past := at.Add(-time.Second)
	for _, k := range []auth.KeyRecord{f.adaKey, f.bobKey, f.teamKey, f.lead} {
		if _, err := s.UpdateKey(t.Context(), auth.KeyUpdate{ID: k.ID, ExpiresAt: &past, UpdatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	del, err := s.DeleteTeam(t.Context(), auth.DeleteQuery{ID: f.team.ID, At: at})
	if err != nil {
		t.Fatalf("DeleteTeam: %v", err)
	}
	wantKeys := []string{f.adaKey.ID, f.bobKey.ID, f.teamKey.ID, f.lead.ID}
	slices.Sort(wantKeys)
	wantUsers := []string{f.ada.ID, f.bob.ID}
	slices.Sort(wantUsers)
	slices.Sort(del.KeyIDs)
	slices.Sort(del.UserIDs)
	if !slices.Equal(del.KeyIDs, wantKeys) || !slices.Equal(del.UserIDs, wantUsers) {
		t.Errorf("DeleteTeam: %+v, want keys %v users %v", del, wantKeys, wantUsers)
	}
	if _, err := s.TeamByID(t.Context(), f.team.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("TeamByID after DeleteTeam: %v", err)
	}
	if _, err := s.UserByID(t.Context(), f.bob.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("UserByID after DeleteTeam: %v", err)
	}
	if _, err := s.KeyByID(t.Context(), f.survivor.ID); err != nil {
		t.Errorf("another team's key went too: %v", err)
	}
	// The name is free again, and keys cannot be issued to the old team.
	mustTeam(t, s, "doomed", base)
	stray := newRecord("stray", base)
	stray.TeamID = f.team.ID
	if err := s.InsertKey(t.Context(), stray); !errors.Is(err, auth.ErrTeamNotFound) {
		t.Errorf("InsertKey into a deleted team: %v", err)
	}
	if _, err := s.DeleteTeam(t.Context(), auth.DeleteQuery{ID: f.team.ID, Force: true, At: at}); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("DeleteTeam twice: %v", err)
	}
	// Forced deletion of a team with live keys.
	g := newDeletionFixture(t, s, "doomed too")
	if _, err := s.DeleteTeam(t.Context(), auth.DeleteQuery{ID: g.team.ID, Force: true, At: at}); err != nil {
		t.Errorf("DeleteTeam(force): %v", err)
	}
}
