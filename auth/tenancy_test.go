package auth_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestTeams(t *testing.T) {
	ctx := t.Context()
	_, store, clock := newKeys(t)
	teams := auth.NewTeams(store, clock.Now)
	red, err := teams.Create(ctx, "  red  ")
	if err != nil || red.Name != "red" || !strings.HasPrefix(red.ID, auth.TeamIDPrefix) {
		t.Fatalf("Create: %+v, %v", red, err)
	}
	_, err = teams.Create(ctx, "red")
	if e := assertError(t, err, llm.KindInvalidRequest, auth.ErrAlreadyExists); e.Param != "name" || e.Code != "already_exists" {
		t.Errorf("taken name: %+v", e)
	}
	_, err = teams.Create(ctx, "a\x1bb")
	assertError(t, err, llm.KindInvalidRequest, nil)

	var want []string
	for i := range 4 {
		clock.Advance(time.Millisecond)
		tm, err := teams.Create(ctx, "team "+string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		want = append([]string{tm.ID}, want...)
	}
	var got []string
	token := ""
	for {
		page, next, err := teams.List(ctx, auth.ListTeamsParams{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, tm := range page {
			got = append(got, tm.ID)
		}
		if token = next; token == "" {
			break
		}
	}
	// Also listed: red and the default team (made by the migration at the
	// wall-clock time, which the fake clock does not govern).
	ours := slices.DeleteFunc(slices.Clone(got), func(id string) bool { return !slices.Contains(want, id) })
	if !slices.Equal(ours, want) || len(got) != 6 {
		t.Errorf("List: %v, want %v in this order among 6", got, want)
	}

	renamed, err := teams.Rename(ctx, red.ID, "crimson")
	if err != nil || renamed.Name != "crimson" {
		t.Errorf("Rename: %+v, %v", renamed, err)
	}
	_, err = teams.Rename(ctx, red.ID, "default")
	assertError(t, err, llm.KindInvalidRequest, auth.ErrAlreadyExists)
	_, err = teams.Get(ctx, auth.NewTeamID())
	assertError(t, err, llm.KindNotFound, auth.ErrNotFound)
	_, err = teams.Get(ctx, "sk-sb-not-an-id")
	if e := assertError(t, err, llm.KindNotFound, nil); strings.Contains(e.Message, "sk-sb") {
		t.Errorf("echoed a malformed id: %q", e.Message)
	}
}

func TestUsers(t *testing.T) {
	ctx := t.Context()
	_, store, clock := newKeys(t)
	red, _ := auth.NewTeams(store, clock.Now).Create(ctx, "red")
	users := auth.NewUsers(store, clock.Now)
	ada, err := users.Create(ctx, auth.CreateUserParams{TeamID: red.ID, Name: "Ada", Email: "ada@example.com"})
	if err != nil || ada.TeamID != red.ID || !strings.HasPrefix(ada.ID, auth.UserIDPrefix) {
		t.Fatalf("Create: %+v, %v", ada, err)
	}
	clock.Advance(time.Millisecond)
	bob, _ := users.Create(ctx, auth.CreateUserParams{TeamID: auth.DefaultTeamID, Name: "Bob"})

	for _, tc := range []struct {
		p     auth.CreateUserParams
		param string
	}{
		{auth.CreateUserParams{Name: "x"}, "team_id"},
		{auth.CreateUserParams{TeamID: red.ID}, "name"},
		{auth.CreateUserParams{TeamID: red.ID, Name: "x", Email: "not an address"}, "email"},
		{auth.CreateUserParams{TeamID: red.ID, Name: "x", Email: "X <x@example.com>"}, "email"},
		{auth.CreateUserParams{TeamID: auth.NewTeamID(), Name: "x"}, "team_id"},
	} {
		_, err := users.Create(ctx, tc.p)
		if e := assertError(t, err, llm.KindInvalidRequest, nil); e.Param != tc.param {
			t.Errorf("%+v: param %q, want %q", tc.p, e.Param, tc.param)
		}
	}

	all, _, err := users.List(ctx, auth.ListUsersParams{})
	if err != nil || len(all) != 2 || all[0].ID != bob.ID {
		t.Errorf("List: %+v, %v", all, err)
	}
	reds, _, _ := users.List(ctx, auth.ListUsersParams{TeamID: red.ID})
	if len(reds) != 1 || reds[0].ID != ada.ID {
		t.Errorf("List(team): %+v", reds)
	}

	name, email := "Ada Lovelace", ""
	got, err := users.Update(ctx, auth.UpdateUserParams{ID: ada.ID, Name: &name, Email: &email})
	if err != nil || got.Name != name || got.Email != "" || got.TeamID != red.ID {
		t.Errorf("Update: %+v, %v", got, err)
	}
	_, err = users.Get(ctx, auth.NewUserID())
	assertError(t, err, llm.KindNotFound, auth.ErrNotFound)
}
