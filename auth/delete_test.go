package auth_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestTeamPayloadCaptureSettings(t *testing.T) {
	ctx := t.Context()
	_, store, clock := newKeys(t)
	teams := auth.NewTeams(store, clock.Now)
	red, _ := teams.Create(ctx, "red")
	if red.PayloadCapture {
		t.Fatal("a new team captures payloads")
	}
	on, days := true, 30
	got, err := teams.Update(ctx, auth.UpdateTeamParams{ID: red.ID, PayloadCapture: &on, PayloadRetentionDays: &days})
	if err != nil || !got.PayloadCapture || got.PayloadRetentionDays != 30 || got.Name != "red" {
		t.Fatalf("Update: %+v, %v", got, err)
	}
	for _, bad := range []int{-1, auth.MaxPayloadRetentionDays + 1} {
		_, err := teams.Update(ctx, auth.UpdateTeamParams{ID: red.ID, PayloadRetentionDays: &bad})
		if e := assertError(t, err, llm.KindInvalidRequest, nil); e.Param != "payload_retention_days" {
			t.Errorf("retention %d: %+v", bad, e)
		}
	}
	blue, _ := teams.Create(ctx, "blue")
	name := "blue"
	_, err = teams.Update(ctx, auth.UpdateTeamParams{ID: red.ID, Name: &name})
	assertError(t, err, llm.KindInvalidRequest, auth.ErrAlreadyExists)
	_, err = teams.Update(ctx, auth.UpdateTeamParams{ID: "team_nope", Name: &name})
	assertError(t, err, llm.KindNotFound, auth.ErrNotFound)
	_ = blue
}

func TestDeletingTeamsAndUsers(t *testing.T) {
	ctx := t.Context()
	keys, store, clock := newKeys(t)
	teams, users := auth.NewTeams(store, clock.Now), auth.NewUsers(store, clock.Now)
	red, _ := teams.Create(ctx, "red")
	ada, _ := users.Create(ctx, auth.CreateUserParams{TeamID: red.ID, Name: "Ada"})
	key, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "ada's", UserID: ada.ID})
	if _, err := keys.Verify(ctx, secret); err != nil {
		t.Fatal(err)
	}

	_, _, err := teams.Delete(ctx, auth.DefaultTeamID, true)
	assertError(t, err, llm.KindInvalidRequest, nil)
	_, _, err = users.Delete(ctx, ada.ID, false)
	if e := assertError(t, err, llm.KindInvalidRequest, auth.ErrHasLiveKeys); e.Code != "has_live_keys" || e.Param != "force" {
		t.Errorf("user with a live key: %+v", e)
	}
	_, _, err = teams.Delete(ctx, red.ID, false)
	assertError(t, err, llm.KindInvalidRequest, auth.ErrHasLiveKeys)

	gone, del, err := users.Delete(ctx, ada.ID, true)
	if err != nil || gone.ID != ada.ID || len(del.KeyIDs) != 1 || del.KeyIDs[0] != key.ID {
		t.Fatalf("users.Delete(force): %+v %+v %v", gone, del, err)
	}
	// A cached verification is refused once the deletion is forgotten.
	keys.ForgetDeleted(del.KeyIDs...)
	_, err = keys.Verify(ctx, secret)
	assertError(t, err, llm.KindUnauthenticated, nil)

	team, del, err := teams.Delete(ctx, red.ID, false)
	if err != nil || team.ID != red.ID || len(del.KeyIDs) != 0 {
		t.Fatalf("teams.Delete of an empty team: %+v %+v %v", team, del, err)
	}
	_, err = teams.Get(ctx, red.ID)
	assertError(t, err, llm.KindNotFound, auth.ErrNotFound)
	_, _, err = users.Delete(ctx, "user_0000000000000000", true)
	assertError(t, err, llm.KindNotFound, auth.ErrNotFound)
	_, _, err = users.Delete(ctx, "not-an-id", true)
	assertError(t, err, llm.KindNotFound, nil)
}
