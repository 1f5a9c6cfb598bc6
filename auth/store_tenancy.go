package auth

import (
	"context"
	"time"
)

// TeamRecord is a team as stored. Team names are unique.
type TeamRecord struct {
	ID        string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
	// PayloadCapture turns on the capture of the team's request and
	// response bodies (redacted) by the audit trail; off by default.
	PayloadCapture bool
	// PayloadRetentionDays is how long captured payloads are kept; 0 means
	// the gateway's default.
	PayloadRetentionDays int
}

// ListTeamsQuery selects one page of teams.
type ListTeamsQuery struct {
	Limit int
	After *Cursor
}

// TeamUpdate changes some fields of a team; nil fields are left as they are.
type TeamUpdate struct {
	ID                   string
	Name                 *string
	PayloadCapture       *bool
	PayloadRetentionDays *int
	UpdatedAt            time.Time
}

// Deletion is what went with a deleted team or user.
type Deletion struct {
	// KeyIDs are the keys and admin credentials deleted with it, revoked
	// or not. Pass them to Keys.ForgetDeleted.
	KeyIDs []string
	// UserIDs are the users deleted with a team.
	UserIDs []string
}

// DeleteQuery names a team or user to delete.
type DeleteQuery struct {
	ID string
	// Force deletes live keys too; otherwise a team or user that still has
	// a live key (neither revoked nor expired at At) is not deleted and
	// ErrHasLiveKeys is returned.
	Force bool
	At    time.Time
}

// TeamStore persists teams. Inserting, or renaming to, a name another team
// has returns ErrAlreadyExists.
type TeamStore interface {
	InsertTeam(ctx context.Context, t TeamRecord) error
	TeamByID(ctx context.Context, id string) (TeamRecord, error)
	// ListTeams returns teams newest first, like ListKeys.
	ListTeams(ctx context.Context, q ListTeamsQuery) ([]TeamRecord, error)
	UpdateTeam(ctx context.Context, u TeamUpdate) (TeamRecord, error)
	// DeleteTeam deletes a team with its users and every key it owns
	// (with their retired secrets and last-used times), in one
	// transaction, and returns what went with it: ErrNotFound when there
	// is no such team, ErrHasLiveKeys (nothing deleted) when it owns a
	// live key and q.Force is not set.
	DeleteTeam(ctx context.Context, q DeleteQuery) (Deletion, error)
}

// UserRecord is a member of a team as stored. A user never changes team.
type UserRecord struct {
	ID        string
	TeamID    string
	Name      string
	Email     string // empty when unknown
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ListUsersQuery selects one page of users.
type ListUsersQuery struct {
	Limit int
	After *Cursor
	// TeamID, when set, keeps only the members of that team.
	TeamID string
}

// UserUpdate changes some fields of a user; nil fields are left as they are.
type UserUpdate struct {
	ID        string
	Name      *string
	Email     *string
	UpdatedAt time.Time
}

// UserStore persists users. InsertUser returns ErrTeamNotFound when the
// team does not exist.
type UserStore interface {
	InsertUser(ctx context.Context, u UserRecord) error
	UserByID(ctx context.Context, id string) (UserRecord, error)
	// ListUsers returns users newest first, like ListKeys.
	ListUsers(ctx context.Context, q ListUsersQuery) ([]UserRecord, error)
	UpdateUser(ctx context.Context, u UserUpdate) (UserRecord, error)
	// DeleteUser deletes a user and every key issued to them, like
	// DeleteTeam: ErrNotFound, or ErrHasLiveKeys unless q.Force.
	DeleteUser(ctx context.Context, q DeleteQuery) (Deletion, error)
}

// Store is everything a backend implements: store/sqlite and
// store/postgres do.
type Store interface {
	KeyStore
	TeamStore
	UserStore
}
