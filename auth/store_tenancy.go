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
}

// ListTeamsQuery selects one page of teams.
type ListTeamsQuery struct {
	Limit int
	After *Cursor
}

// TeamUpdate changes some fields of a team; nil fields are left as they are.
type TeamUpdate struct {
	ID        string
	Name      *string
	UpdatedAt time.Time
}

// TeamStore persists teams. Teams are never deleted, so a key or user that
// names a team can rely on it. Inserting, or renaming to, a name another
// team has returns ErrAlreadyExists.
type TeamStore interface {
	InsertTeam(ctx context.Context, t TeamRecord) error
	TeamByID(ctx context.Context, id string) (TeamRecord, error)
	// ListTeams returns teams newest first, like ListKeys.
	ListTeams(ctx context.Context, q ListTeamsQuery) ([]TeamRecord, error)
	UpdateTeam(ctx context.Context, u TeamUpdate) (TeamRecord, error)
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
}

// Store is everything a backend implements: store/sqlite and
// store/postgres do.
type Store interface {
	KeyStore
	TeamStore
	UserStore
}
