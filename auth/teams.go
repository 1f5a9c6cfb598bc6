package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Team is a group of users and keys, managed by its team admins.
type Team struct {
	ID        string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ListTeamsParams pages through teams.
type ListTeamsParams struct {
	PageSize  int
	PageToken string
}

// Teams creates, reads, lists and renames teams. It is safe for concurrent
// use.
type Teams struct {
	store TeamStore
	now   func() time.Time
}

// NewTeams returns Teams over store; now may be nil (time.Now).
func NewTeams(store TeamStore, now func() time.Time) *Teams {
	if now == nil {
		now = time.Now
	}
	return &Teams{store: store, now: now}
}

// Create makes a team. Names are unique.
func (t *Teams) Create(ctx context.Context, name string) (Team, error) {
	name, verr := validateName("name", "team", name)
	if verr != nil {
		return Team{}, verr
	}
	now := storedTime(t.now())
	rec := TeamRecord{ID: NewTeamID(), Name: name, CreatedAt: now, UpdatedAt: now}
	// Ids carry 95 random bits, so a conflict is the name's.
	switch err := t.store.InsertTeam(ctx, rec); {
	case errors.Is(err, ErrAlreadyExists):
		return Team{}, errTeamNameTaken(name, err)
	case err != nil:
		return Team{}, storeError(err)
	}
	return Team(rec), nil
}

func errTeamNameTaken(name string, cause error) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Code: "already_exists", Param: "name", Err: cause,
		Message: fmt.Sprintf("a team named %q already exists", name)}
}

// Get returns a team by id.
func (t *Teams) Get(ctx context.Context, id string) (Team, error) {
	if err := checkTeamID(id); err != nil {
		return Team{}, err
	}
	rec, err := t.store.TeamByID(ctx, id)
	if err != nil {
		return Team{}, notFoundOr(err, "team", id)
	}
	return Team(rec), nil
}

// List returns a page of teams, newest first.
func (t *Teams) List(ctx context.Context, p ListTeamsParams) ([]Team, string, error) {
	size, verr := pageSize(p.PageSize)
	if verr != nil {
		return nil, "", verr
	}
	after, verr := decodePageToken(p.PageToken, listingTeams, "", looksLikeTeamID)
	if verr != nil {
		return nil, "", verr
	}
	recs, err := t.store.ListTeams(ctx, ListTeamsQuery{Limit: size + 1, After: after})
	if err != nil {
		return nil, "", storeError(err)
	}
	recs, next := nextPageToken(recs, size, listingTeams, "", func(r TeamRecord) Cursor { return Cursor{CreatedAt: r.CreatedAt, ID: r.ID} })
	out := make([]Team, len(recs))
	for i, r := range recs {
		out[i] = Team(r)
	}
	return out, next, nil
}

// Rename changes a team's name.
func (t *Teams) Rename(ctx context.Context, id, name string) (Team, error) {
	if err := checkTeamID(id); err != nil {
		return Team{}, err
	}
	name, verr := validateName("name", "team", name)
	if verr != nil {
		return Team{}, verr
	}
	rec, err := t.store.UpdateTeam(ctx, TeamUpdate{ID: id, Name: &name, UpdatedAt: storedTime(t.now())})
	switch {
	case errors.Is(err, ErrAlreadyExists):
		return Team{}, errTeamNameTaken(name, err)
	case err != nil:
		return Team{}, notFoundOr(err, "team", id)
	}
	return Team(rec), nil
}

func checkTeamID(id string) *llm.Error {
	switch {
	case id == "":
		return invalidParam("id", "id is required")
	case !looksLikeTeamID(id):
		return &llm.Error{Kind: llm.KindNotFound, Err: ErrNotFound,
			Message: `team not found: ids look like "team_" followed by letters and digits`}
	}
	return nil
}

// notFoundOr reports a missing record by its id (already checked to have
// the shape of an id, so safe to show), or a failing store.
func notFoundOr(err error, what, id string) *llm.Error {
	if errors.Is(err, ErrNotFound) {
		return &llm.Error{Kind: llm.KindNotFound, Err: err, Message: fmt.Sprintf("%s %q not found", what, id)}
	}
	return storeError(err)
}
