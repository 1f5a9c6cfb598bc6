package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-gw/switchboard/internal/pagetoken"
	"github.com/switchboard-gw/switchboard/llm"
)

// Team is a group of users and keys, managed by its team admins.
type Team struct {
	ID        string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
	// PayloadCapture has the audit trail keep the team's request and
	// response bodies, redacted, for PayloadRetentionDays (0: the gateway's
	// default). Off by default.
	PayloadCapture       bool
	PayloadRetentionDays int
}

// MaxPayloadRetentionDays bounds a team's payload retention (ten years).
const MaxPayloadRetentionDays = 3660

// UpdateTeamParams changes a team; nil fields are left as they are.
type UpdateTeamParams struct {
	ID                   string
	Name                 *string
	PayloadCapture       *bool
	PayloadRetentionDays *int
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
	recs, next := pagetoken.Next(pageTokens, recs, size, listingTeams, "", func(r TeamRecord) pagetoken.Position { return pagetoken.Position{Time: r.CreatedAt, ID: r.ID} })
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

// Update changes a team's name or payload capture settings.
func (t *Teams) Update(ctx context.Context, p UpdateTeamParams) (Team, error) {
	if err := checkTeamID(p.ID); err != nil {
		return Team{}, err
	}
	u := TeamUpdate{ID: p.ID, PayloadCapture: p.PayloadCapture, UpdatedAt: storedTime(t.now())}
	if p.Name != nil {
		name, verr := validateName("name", "team", *p.Name)
		if verr != nil {
			return Team{}, verr
		}
		u.Name = &name
	}
	if d := p.PayloadRetentionDays; d != nil {
		if *d < 0 || *d > MaxPayloadRetentionDays {
			return Team{}, invalidParam("payload_retention_days", fmt.Sprintf("payload_retention_days must be between 0 (the gateway's default) and %d", MaxPayloadRetentionDays))
		}
		days := *d
		u.PayloadRetentionDays = &days
	}
	rec, err := t.store.UpdateTeam(ctx, u)
	switch {
	case errors.Is(err, ErrAlreadyExists):
		return Team{}, errTeamNameTaken(*u.Name, err)
	case err != nil:
		return Team{}, notFoundOr(err, "team", p.ID)
	}
	return Team(rec), nil
}

// Delete deletes a team with its users and keys, and returns the team as
// it was and what went with it. A team that still has a live key (an
// admin credential scoped to it counts) is refused unless force is set;
// the default team is never deleted. The caller passes the deleted keys to
// Keys.ForgetDeleted.
func (t *Teams) Delete(ctx context.Context, id string, force bool) (Team, Deletion, error) {
	if err := checkTeamID(id); err != nil {
		return Team{}, Deletion{}, err
	}
	if id == DefaultTeamID {
		return Team{}, Deletion{}, invalidParam("id", "the default team cannot be deleted")
	}
	rec, err := t.store.TeamByID(ctx, id)
	if err != nil {
		return Team{}, Deletion{}, notFoundOr(err, "team", id)
	}
	del, err := t.store.DeleteTeam(ctx, DeleteQuery{ID: id, Force: force, At: storedTime(t.now())})
	if err != nil {
		return Team{}, Deletion{}, deleteError(err, "team", id)
	}
	return Team(rec), del, nil
}

// deleteError explains a store refusing a deletion.
func deleteError(err error, what, id string) *llm.Error {
	if errors.Is(err, ErrHasLiveKeys) {
		return &llm.Error{Kind: llm.KindInvalidRequest, Code: "has_live_keys", Param: "force", Err: err,
			Message: fmt.Sprintf("%s %q still has live keys; revoke them first, or set force to delete them too", what, id)}
	}
	return notFoundOr(err, what, id)
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
