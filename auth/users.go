package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-gw/switchboard/internal/pagetoken"
	"github.com/switchboard-gw/switchboard/llm"
)

// User is a member of a team; keys can be issued to a user.
type User struct {
	ID        string
	TeamID    string
	Name      string
	Email     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CreateUserParams describes a new user.
type CreateUserParams struct {
	TeamID string
	Name   string
	Email  string // optional
}

// UpdateUserParams changes a user; nil fields are left as they are. A user
// never changes team.
type UpdateUserParams struct {
	ID    string
	Name  *string
	Email *string // pointing at "": forget the address
}

// ListUsersParams pages through users.
type ListUsersParams struct {
	PageSize  int
	PageToken string
	TeamID    string // empty: every team
}

// Users creates, reads, lists and changes users. It is safe for concurrent
// use.
type Users struct {
	store UserStore
	now   func() time.Time
}

// NewUsers returns Users over store; now may be nil (time.Now).
func NewUsers(store UserStore, now func() time.Time) *Users {
	if now == nil {
		now = time.Now
	}
	return &Users{store: store, now: now}
}

// Create adds a user to a team.
func (u *Users) Create(ctx context.Context, p CreateUserParams) (User, error) {
	switch {
	case p.TeamID == "":
		return User{}, invalidParam("team_id", "team_id is required: a user belongs to a team")
	case !looksLikeTeamID(p.TeamID):
		return User{}, invalidParam("team_id", `team_id must look like "team_" followed by letters and digits`)
	}
	name, verr := validateName("name", "user", p.Name)
	if verr != nil {
		return User{}, verr
	}
	email, verr := validateEmail(p.Email)
	if verr != nil {
		return User{}, verr
	}
	now := storedTime(u.now())
	for range createAttempts {
		rec := UserRecord{ID: NewUserID(), TeamID: p.TeamID, Name: name, Email: email, CreatedAt: now, UpdatedAt: now}
		err := u.store.InsertUser(ctx, rec)
		switch {
		case errors.Is(err, ErrAlreadyExists):
			continue
		case errors.Is(err, ErrTeamNotFound):
			return User{}, &llm.Error{Kind: llm.KindInvalidRequest, Param: "team_id", Err: err, Message: fmt.Sprintf("team %q not found", p.TeamID)}
		case err != nil:
			return User{}, storeError(err)
		}
		return User(rec), nil
	}
	return User{}, &llm.Error{Kind: llm.KindInternal, Message: "could not allocate a unique user id; try again"}
}

// Get returns a user by id.
func (u *Users) Get(ctx context.Context, id string) (User, error) {
	if err := checkUserID(id); err != nil {
		return User{}, err
	}
	rec, err := u.store.UserByID(ctx, id)
	if err != nil {
		return User{}, notFoundOr(err, "user", id)
	}
	return User(rec), nil
}

// List returns a page of users, newest first.
func (u *Users) List(ctx context.Context, p ListUsersParams) ([]User, string, error) {
	if p.TeamID != "" && !looksLikeTeamID(p.TeamID) {
		return nil, "", invalidParam("team_id", `team_id must look like "team_" followed by letters and digits`)
	}
	size, verr := pageSize(p.PageSize)
	if verr != nil {
		return nil, "", verr
	}
	after, verr := decodePageToken(p.PageToken, listingUsers, p.TeamID, looksLikeUserID)
	if verr != nil {
		return nil, "", verr
	}
	recs, err := u.store.ListUsers(ctx, ListUsersQuery{Limit: size + 1, After: after, TeamID: p.TeamID})
	if err != nil {
		return nil, "", storeError(err)
	}
	recs, next := pagetoken.Next(pageTokens, recs, size, listingUsers, p.TeamID, func(r UserRecord) pagetoken.Position { return pagetoken.Position{Time: r.CreatedAt, ID: r.ID} })
	out := make([]User, len(recs))
	for i, r := range recs {
		out[i] = User(r)
	}
	return out, next, nil
}

// Update changes a user's name or email.
func (u *Users) Update(ctx context.Context, p UpdateUserParams) (User, error) {
	if err := checkUserID(p.ID); err != nil {
		return User{}, err
	}
	upd := UserUpdate{ID: p.ID, UpdatedAt: storedTime(u.now())}
	if p.Name != nil {
		name, verr := validateName("name", "user", *p.Name)
		if verr != nil {
			return User{}, verr
		}
		upd.Name = &name
	}
	if p.Email != nil {
		email, verr := validateEmail(*p.Email)
		if verr != nil {
			return User{}, verr
		}
		upd.Email = &email
	}
	rec, err := u.store.UpdateUser(ctx, upd)
	if err != nil {
		return User{}, notFoundOr(err, "user", p.ID)
	}
	return User(rec), nil
}

// Delete deletes a user and every key issued to them, and returns the user
// as it was and what went with it. A user with a live key is refused
// unless force is set. The caller passes the deleted keys to
// Keys.ForgetDeleted.
func (u *Users) Delete(ctx context.Context, id string, force bool) (User, Deletion, error) {
	if err := checkUserID(id); err != nil {
		return User{}, Deletion{}, err
	}
	rec, err := u.store.UserByID(ctx, id)
	if err != nil {
		return User{}, Deletion{}, notFoundOr(err, "user", id)
	}
	del, err := u.store.DeleteUser(ctx, DeleteQuery{ID: id, Force: force, At: storedTime(u.now())})
	if err != nil {
		return User{}, Deletion{}, deleteError(err, "user", id)
	}
	return User(rec), del, nil
}

func checkUserID(id string) *llm.Error {
	switch {
	case id == "":
		return invalidParam("id", "id is required")
	case !looksLikeUserID(id):
		return &llm.Error{Kind: llm.KindNotFound, Err: ErrNotFound,
			Message: `user not found: ids look like "user_" followed by 16 letters and digits`}
	}
	return nil
}
