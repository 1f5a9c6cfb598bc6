package auth_test

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestRotationKeepsTheOldSecretForTheGracePeriod(t *testing.T) {
	ctx := t.Context()
	keys, _, clock := newKeys(t)
	key, old := mustCreate(t, keys, auth.CreateKeyParams{Name: "rotating"})
	if _, err := keys.Verify(ctx, old); err != nil {
		t.Fatal(err)
	}

	rotated, fresh, err := keys.Rotate(ctx, key.ID, time.Hour)
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if fresh == old || auth.ParseSecret(fresh) != nil || rotated.SecretPrefix != fresh[:10] || rotated.RotatedAt.IsZero() {
		t.Fatalf("Rotate returned %+v and a secret that is not a new valid one", rotated)
	}
	for _, s := range []string{old, fresh} {
		p, err := keys.Verify(ctx, s)
		if err != nil || p.KeyID != key.ID {
			t.Fatalf("within the grace period: %+v, %v", p, err)
		}
	}
	clock.Advance(time.Hour)
	_, err = keys.Verify(ctx, old)
	assertError(t, err, llm.KindUnauthenticated, auth.ErrSecretRotated)
	if _, err := keys.Verify(ctx, fresh); err != nil {
		t.Errorf("new secret after the grace period: %v", err)
	}

	// Without grace the secret it replaces stops at once, cached or not.
	_, newest, err := keys.Rotate(ctx, key.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = keys.Verify(ctx, fresh)
	assertError(t, err, llm.KindUnauthenticated, auth.ErrUnknownKey)
	if _, err := keys.Verify(ctx, newest); err != nil {
		t.Errorf("newest secret: %v", err)
	}

	// A revoked key is neither rotated nor accepted under any secret.
	if _, err := keys.Revoke(ctx, key.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = keys.Rotate(ctx, key.ID, time.Hour)
	if e := assertError(t, err, llm.KindInvalidRequest, auth.ErrRevoked); e.Code != "key_revoked" {
		t.Errorf("code %q", e.Code)
	}
}

func TestRotationValidation(t *testing.T) {
	keys, _, _ := newKeys(t)
	key, _ := mustCreate(t, keys, auth.CreateKeyParams{Name: "x"})
	for _, grace := range []time.Duration{-time.Second, auth.MaxRotationGrace + time.Second} {
		_, secret, err := keys.Rotate(t.Context(), key.ID, grace)
		if e := assertError(t, err, llm.KindInvalidRequest, nil); e.Param != "grace_period" || secret != "" {
			t.Errorf("grace %s: param %q", grace, e.Param)
		}
	}
	_, _, err := keys.Rotate(t.Context(), auth.NewKeyID(), time.Hour)
	assertError(t, err, llm.KindNotFound, auth.ErrNotFound)
}

func TestUpdateAppliesAtOnce(t *testing.T) {
	ctx := t.Context()
	keys, _, clock := newKeys(t)
	key, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "scoped", AllowedModels: []string{"demo"}, Tags: []string{"a"}})
	if p, err := keys.Verify(ctx, secret); err != nil || !p.Allows("demo") || p.Allows("other") {
		t.Fatalf("before: %+v, %v", p, err)
	}
	clock.Advance(time.Minute)
	name, models, tags := "  renamed ", []string{"other", "other"}, []string{"b", "b", "c"}
	limits := auth.Limits{RPM: 60, TPM: 1000, BudgetNanoUSD: 5e9, BudgetPeriod: auth.BudgetMonthly}
	expires := clock.Now().Add(time.Hour)
	got, err := keys.Update(ctx, auth.UpdateKeyParams{ID: key.ID, Name: &name, AllowedModels: &models, Tags: &tags, Limits: &limits, ExpiresAt: &expires})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got.Name != "renamed" || !slices.Equal(got.AllowedModels, []string{"other"}) || !slices.Equal(got.Tags, []string{"b", "c"}) ||
		got.Limits != limits || !got.ExpiresAt.Equal(expires.Truncate(time.Microsecond)) || !got.UpdatedAt.After(key.UpdatedAt) {
		t.Errorf("Update returned %+v", got)
	}
	// The cached verification was dropped: the new scope holds now.
	p, err := keys.Verify(ctx, secret)
	if err != nil || p.Allows("demo") || !p.Allows("other") || p.KeyName != "renamed" || p.Limits != limits || !slices.Equal(p.Tags, []string{"b", "c"}) {
		t.Errorf("after Update: %+v, %v", p, err)
	}
	// Clearing: no expiry, all models.
	never, all := time.Time{}, []string{}
	if got, err := keys.Update(ctx, auth.UpdateKeyParams{ID: key.ID, ExpiresAt: &never, AllowedModels: &all}); err != nil || !got.ExpiresAt.IsZero() || len(got.AllowedModels) != 0 {
		t.Errorf("clearing: %+v, %v", got, err)
	}
}

func TestUpdateRefusals(t *testing.T) {
	ctx := t.Context()
	keys, _, clock := newKeys(t)
	key, _ := mustCreate(t, keys, auth.CreateKeyParams{Name: "x"})
	empty, past, badModels := " ", clock.Now().Add(-time.Second), []string{"a*b"}
	badLimits := auth.Limits{BudgetPeriod: auth.BudgetDaily}
	for param, p := range map[string]auth.UpdateKeyParams{
		"name":                 {ID: key.ID, Name: &empty},
		"expire_time":          {ID: key.ID, ExpiresAt: &past},
		"allowed_models":       {ID: key.ID, AllowedModels: &badModels},
		"limits.budget_period": {ID: key.ID, Limits: &badLimits},
	} {
		_, err := keys.Update(ctx, p)
		if e := assertError(t, err, llm.KindInvalidRequest, nil); e.Param != param {
			t.Errorf("param %q, want %q", e.Param, param)
		}
	}
	if _, err := keys.Revoke(ctx, key.ID); err != nil {
		t.Fatal(err)
	}
	name := "y"
	_, err := keys.Update(ctx, auth.UpdateKeyParams{ID: key.ID, Name: &name})
	assertError(t, err, llm.KindInvalidRequest, auth.ErrRevoked)
}

func TestKeysBelongToTeamsAndUsers(t *testing.T) {
	ctx := t.Context()
	keys, store, _ := newKeys(t)
	teams, users := auth.NewTeams(store, nil), auth.NewUsers(store, nil)
	red, err := teams.Create(ctx, "red")
	if err != nil {
		t.Fatal(err)
	}
	blue, _ := teams.Create(ctx, "blue")
	alice, err := users.Create(ctx, auth.CreateUserParams{TeamID: red.ID, Name: "Alice", Email: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}

	defaulted, _ := mustCreate(t, keys, auth.CreateKeyParams{Name: "no team"})
	if defaulted.TeamID != auth.DefaultTeamID {
		t.Errorf("key without a team: team %q", defaulted.TeamID)
	}
	inferred, secret := mustCreate(t, keys, auth.CreateKeyParams{Name: "alice's", UserID: alice.ID, Tags: []string{"env:prod"},
		Limits: auth.Limits{RPM: 10}})
	if inferred.TeamID != red.ID || inferred.UserID != alice.ID {
		t.Errorf("key of a user: team %q user %q", inferred.TeamID, inferred.UserID)
	}
	p, err := keys.Verify(ctx, secret)
	if err != nil || p.TeamID != red.ID || p.UserID != alice.ID || p.Limits.RPM != 10 || !slices.Equal(p.Tags, []string{"env:prod"}) {
		t.Errorf("principal %+v, %v", p, err)
	}
	mustCreate(t, keys, auth.CreateKeyParams{Name: "blue's", TeamID: blue.ID})

	for _, tc := range []struct {
		p     auth.CreateKeyParams
		param string
		cause error
	}{
		{auth.CreateKeyParams{Name: "x", TeamID: blue.ID, UserID: alice.ID}, "user_id", auth.ErrUserNotInTeam},
		{auth.CreateKeyParams{Name: "x", TeamID: auth.NewTeamID()}, "team_id", auth.ErrTeamNotFound},
		{auth.CreateKeyParams{Name: "x", UserID: auth.NewUserID()}, "user_id", nil},
		{auth.CreateKeyParams{Name: "x", TeamID: "red"}, "team_id", nil},
		{auth.CreateKeyParams{Name: "x", Tags: []string{"has space"}}, "tags", nil},
		{auth.CreateKeyParams{Name: "x", Limits: auth.Limits{RPM: -1}}, "limits.requests_per_minute", nil},
	} {
		_, _, err := keys.Create(ctx, tc.p)
		if e := assertError(t, err, llm.KindInvalidRequest, tc.cause); e.Param != tc.param {
			t.Errorf("%+v: param %q, want %q", tc.p, e.Param, tc.param)
		}
	}

	byTeam, _ := listAll(t, keys, auth.ListKeysParams{TeamID: red.ID})
	byUser, _ := listAll(t, keys, auth.ListKeysParams{UserID: alice.ID})
	byTag, _ := listAll(t, keys, auth.ListKeysParams{Tag: "env:prod"})
	for name, got := range map[string][]string{"team": byTeam, "user": byUser, "tag": byTag} {
		if !slices.Equal(got, []string{inferred.ID}) {
			t.Errorf("filter by %s: %v, want [%s]", name, got, inferred.ID)
		}
	}
	_, next, err := keys.List(ctx, auth.ListKeysParams{PageSize: 1})
	if err != nil || next == "" {
		t.Fatal(err)
	}
	_, _, err = keys.List(ctx, auth.ListKeysParams{PageSize: 1, PageToken: next, TeamID: red.ID})
	if e := assertError(t, err, llm.KindInvalidRequest, nil); e.Param != "page_token" {
		t.Errorf("token replayed with another filter: param %q", e.Param)
	}
}
