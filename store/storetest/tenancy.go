package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
)

func testDefaultTeam(t *testing.T, s auth.Store) {
	team, err := s.TeamByID(t.Context(), auth.DefaultTeamID)
	if err != nil {
		t.Fatalf("TeamByID(%s): %v: the migrations must create the default team", auth.DefaultTeamID, err)
	}
	if team.Name != "default" {
		t.Errorf("default team name %q", team.Name)
	}
}

func teamIDs(recs []auth.TeamRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func testTeams(t *testing.T, s auth.Store) {
	var want []auth.TeamRecord
	for i := range 7 {
		want = append(want, mustTeam(t, s, fmt.Sprintf("team %d", i), base.Add(time.Duration(i/2)*time.Microsecond)))
	}
	got, err := s.TeamByID(t.Context(), want[3].ID)
	if err != nil || got.ID != want[3].ID || got.Name != want[3].Name || !got.CreatedAt.Equal(want[3].CreatedAt) || !got.UpdatedAt.Equal(want[3].UpdatedAt) {
		t.Errorf("TeamByID: %+v, %v, want %+v", got, err, want[3])
	}
	def, err := s.TeamByID(t.Context(), auth.DefaultTeamID)
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, def)
	slices.SortFunc(want, func(a, b auth.TeamRecord) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		if b.ID < a.ID {
			return -1
		}
		return 1
	})
	var listed []auth.TeamRecord
	var after *auth.Cursor
	for {
		page, err := s.ListTeams(t.Context(), auth.ListTeamsQuery{Limit: 3, After: after})
		if err != nil {
			t.Fatalf("ListTeams: %v", err)
		}
		if len(page) == 0 {
			break
		}
		listed = append(listed, page...)
		last := page[len(page)-1]
		after = &auth.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	wantIDs := teamIDs(want)
	if !slices.Equal(teamIDs(listed), wantIDs) {
		t.Errorf("ListTeams:\n got  %v\n want %v", teamIDs(listed), wantIDs)
	}
}

func testTeamNames(t *testing.T, s auth.Store) {
	red := mustTeam(t, s, "red", base)
	dup := auth.TeamRecord{ID: auth.NewTeamID(), Name: "red", CreatedAt: base, UpdatedAt: base}
	if err := s.InsertTeam(t.Context(), dup); !errors.Is(err, auth.ErrAlreadyExists) {
		t.Errorf("InsertTeam(taken name): %v, want ErrAlreadyExists", err)
	}
	sameID := auth.TeamRecord{ID: red.ID, Name: "other", CreatedAt: base, UpdatedAt: base}
	if err := s.InsertTeam(t.Context(), sameID); !errors.Is(err, auth.ErrAlreadyExists) {
		t.Errorf("InsertTeam(taken id): %v, want ErrAlreadyExists", err)
	}
	blue := mustTeam(t, s, "blue", base)
	name := "red"
	if _, err := s.UpdateTeam(t.Context(), auth.TeamUpdate{ID: blue.ID, Name: &name, UpdatedAt: base.Add(time.Second)}); !errors.Is(err, auth.ErrAlreadyExists) {
		t.Errorf("UpdateTeam(to a taken name): %v, want ErrAlreadyExists", err)
	}
	if got, _ := s.TeamByID(t.Context(), blue.ID); got.Name != "blue" {
		t.Errorf("a refused rename changed the name to %q", got.Name)
	}
}

func testTeamUpdate(t *testing.T, s auth.Store) {
	team := mustTeam(t, s, "before", base)
	name, at := "after", base.Add(time.Minute)
	got, err := s.UpdateTeam(t.Context(), auth.TeamUpdate{ID: team.ID, Name: &name, UpdatedAt: at})
	if err != nil {
		t.Fatalf("UpdateTeam: %v", err)
	}
	if got.Name != name || !got.UpdatedAt.Equal(at) || !got.CreatedAt.Equal(team.CreatedAt) {
		t.Errorf("UpdateTeam: %+v", got)
	}
	if _, err := s.UpdateTeam(t.Context(), auth.TeamUpdate{ID: auth.NewTeamID(), Name: &name, UpdatedAt: at}); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("UpdateTeam(unknown): %v, want ErrNotFound", err)
	}
	if _, err := s.TeamByID(t.Context(), auth.NewTeamID()); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("TeamByID(unknown): %v, want ErrNotFound", err)
	}
}

func userIDs(recs []auth.UserRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func testUsers(t *testing.T, s auth.Store) {
	red := mustTeam(t, s, "red", base)
	blue := mustTeam(t, s, "blue", base)
	var all []auth.UserRecord
	for i := range 9 {
		team := red.ID
		if i%3 == 2 {
			team = blue.ID
		}
		all = append(all, mustUser(t, s, team, fmt.Sprintf("User %d", i), base.Add(time.Duration(i/2)*time.Microsecond)))
	}
	got, err := s.UserByID(t.Context(), all[4].ID)
	if err != nil {
		t.Fatalf("UserByID: %v", err)
	}
	if got.ID != all[4].ID || got.TeamID != all[4].TeamID || got.Name != all[4].Name || got.Email != all[4].Email ||
		!got.CreatedAt.Equal(all[4].CreatedAt) || !got.UpdatedAt.Equal(all[4].UpdatedAt) {
		t.Errorf("UserByID: %+v, want %+v", got, all[4])
	}
	slices.SortFunc(all, func(a, b auth.UserRecord) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		if b.ID < a.ID {
			return -1
		}
		return 1
	})
	for _, filter := range []string{"", red.ID, blue.ID} {
		var want []string
		for _, u := range all {
			if filter == "" || u.TeamID == filter {
				want = append(want, u.ID)
			}
		}
		var listed []auth.UserRecord
		var after *auth.Cursor
		for {
			page, err := s.ListUsers(t.Context(), auth.ListUsersQuery{Limit: 2, After: after, TeamID: filter})
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			if len(page) == 0 {
				break
			}
			listed = append(listed, page...)
			last := page[len(page)-1]
			after = &auth.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
		}
		if !slices.Equal(userIDs(listed), want) {
			t.Errorf("ListUsers(team %q):\n got  %v\n want %v", filter, userIDs(listed), want)
		}
	}
}

func testUserRefusals(t *testing.T, s auth.Store) {
	u := auth.UserRecord{ID: auth.NewUserID(), TeamID: auth.NewTeamID(), Name: "orphan", CreatedAt: base, UpdatedAt: base}
	if err := s.InsertUser(t.Context(), u); !errors.Is(err, auth.ErrTeamNotFound) {
		t.Errorf("InsertUser(unknown team): %v, want ErrTeamNotFound", err)
	}
	if _, err := s.UserByID(t.Context(), u.ID); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("UserByID(unknown): %v, want ErrNotFound", err)
	}
	existing := mustUser(t, s, auth.DefaultTeamID, "Someone", base)
	dup := existing
	dup.Name = "Someone else"
	if err := s.InsertUser(t.Context(), dup); !errors.Is(err, auth.ErrAlreadyExists) {
		t.Errorf("InsertUser(taken id): %v, want ErrAlreadyExists", err)
	}
	name := "x"
	if _, err := s.UpdateUser(t.Context(), auth.UserUpdate{ID: u.ID, Name: &name, UpdatedAt: base}); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("UpdateUser(unknown): %v, want ErrNotFound", err)
	}
}

func testUserUpdate(t *testing.T, s auth.Store) {
	u := mustUser(t, s, auth.DefaultTeamID, "Grace Hopper", base)
	email, at := "", base.Add(time.Minute)
	got, err := s.UpdateUser(t.Context(), auth.UserUpdate{ID: u.ID, Email: &email, UpdatedAt: at})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	if got.Name != u.Name || got.Email != "" || !got.UpdatedAt.Equal(at) || got.TeamID != u.TeamID {
		t.Errorf("UpdateUser(email only): %+v", got)
	}
	name := "Rear Admiral Hopper"
	got, err = s.UpdateUser(t.Context(), auth.UserUpdate{ID: u.ID, Name: &name, UpdatedAt: at})
	if err != nil || got.Name != name || got.Email != "" {
		t.Errorf("UpdateUser(name only): %+v, %v", got, err)
	}
}
