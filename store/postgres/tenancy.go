package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-gw/switchboard/auth"
)

const teamColumns = `id, name, created_at, updated_at, payload_capture, payload_retention_days`

// InsertTeam stores a team; a taken id or name is auth.ErrAlreadyExists.
func (s *Store) InsertTeam(ctx context.Context, t auth.TeamRecord) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO teams (`+teamColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, t.Name, t.CreatedAt, t.UpdatedAt, t.PayloadCapture, t.PayloadRetentionDays)
	if isUniqueViolation(err) {
		return fmt.Errorf("insert team %s: %w", t.ID, auth.ErrAlreadyExists)
	}
	if err != nil {
		return fmt.Errorf("insert team %s: %w", t.ID, err)
	}
	return nil
}

// TeamByID returns a team or auth.ErrNotFound.
func (s *Store) TeamByID(ctx context.Context, id string) (auth.TeamRecord, error) {
	return scanTeam(s.pool.QueryRow(ctx, `SELECT `+teamColumns+` FROM teams WHERE id = $1`, id))
}

// ListTeams returns teams newest first.
func (s *Store) ListTeams(ctx context.Context, q auth.ListTeamsQuery) ([]auth.TeamRecord, error) {
	query, args := `SELECT `+teamColumns+` FROM teams`, []any{}
	if q.After != nil {
		query += ` WHERE (created_at, id) < ($1, $2)`
		args = append(args, q.After.CreatedAt, q.After.ID)
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT $` + strconv.Itoa(len(args)+1)
	return queryAll(ctx, s, "list teams", scanTeam, query, append(args, q.Limit)...)
}

// UpdateTeam changes a team's name or payload capture settings.
func (s *Store) UpdateTeam(ctx context.Context, u auth.TeamUpdate) (auth.TeamRecord, error) {
	args := []any{u.UpdatedAt, u.ID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	sets := `updated_at = $1`
	if u.Name != nil {
		sets += `, name = ` + arg(*u.Name)
	}
	if u.PayloadCapture != nil {
		sets += `, payload_capture = ` + arg(*u.PayloadCapture)
	}
	if u.PayloadRetentionDays != nil {
		sets += `, payload_retention_days = ` + arg(*u.PayloadRetentionDays)
	}
	rec, err := scanTeam(s.pool.QueryRow(ctx, `UPDATE teams SET `+sets+` WHERE id = $2 RETURNING `+teamColumns, args...))
	if isUniqueViolation(err) {
		return auth.TeamRecord{}, fmt.Errorf("update team %s: %w", u.ID, auth.ErrAlreadyExists)
	}
	return rec, err
}

func scanTeam(row pgx.Row) (auth.TeamRecord, error) {
	var t auth.TeamRecord
	err := row.Scan(&t.ID, &t.Name, &t.CreatedAt, &t.UpdatedAt, &t.PayloadCapture, &t.PayloadRetentionDays)
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.TeamRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.TeamRecord{}, fmt.Errorf("read team: %w", err)
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, nil
}

const userColumns = `id, team_id, name, email, created_at, updated_at`

// InsertUser stores a user of an existing team.
func (s *Store) InsertUser(ctx context.Context, u auth.UserRecord) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		u.ID, u.TeamID, u.Name, u.Email, u.CreatedAt, u.UpdatedAt)
	switch pgCode(err) {
	case "":
	case uniqueViolation:
		return fmt.Errorf("insert user %s: %w", u.ID, auth.ErrAlreadyExists)
	case foreignKeyViolation: // the only foreign key of users is its team
		return fmt.Errorf("insert user %s: %w", u.ID, auth.ErrTeamNotFound)
	}
	if err != nil {
		return fmt.Errorf("insert user %s: %w", u.ID, err)
	}
	return nil
}

// UserByID returns a user or auth.ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id string) (auth.UserRecord, error) {
	return scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// ListUsers returns users newest first, of one team when q.TeamID is set.
func (s *Store) ListUsers(ctx context.Context, q auth.ListUsersQuery) ([]auth.UserRecord, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.TeamID != "" {
		where = append(where, `team_id = `+arg(q.TeamID))
	}
	if q.After != nil {
		where = append(where, `(created_at, id) < (`+arg(q.After.CreatedAt)+`, `+arg(q.After.ID)+`)`)
	}
	query := `SELECT ` + userColumns + ` FROM users`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ` + arg(q.Limit)
	return queryAll(ctx, s, "list users", scanUser, query, args...)
}

// UpdateUser changes a user's name or email.
func (s *Store) UpdateUser(ctx context.Context, u auth.UserUpdate) (auth.UserRecord, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	sets := []string{`updated_at = ` + arg(u.UpdatedAt)}
	if u.Name != nil {
		sets = append(sets, `name = `+arg(*u.Name))
	}
	if u.Email != nil {
		sets = append(sets, `email = `+arg(*u.Email))
	}
	return scanUser(s.pool.QueryRow(ctx, `UPDATE users SET `+strings.Join(sets, `, `)+` WHERE id = `+arg(u.ID)+` RETURNING `+userColumns, args...))
}

func scanUser(row pgx.Row) (auth.UserRecord, error) {
	var u auth.UserRecord
	err := row.Scan(&u.ID, &u.TeamID, &u.Name, &u.Email, &u.CreatedAt, &u.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.UserRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.UserRecord{}, fmt.Errorf("read user: %w", err)
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, nil
}
