package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-gw/switchboard/auth"
)

const teamColumns = `id, name, created_at, updated_at, payload_capture, payload_retention_days`

// InsertTeam stores a team; a taken id or name is auth.ErrAlreadyExists.
func (s *Store) InsertTeam(ctx context.Context, t auth.TeamRecord) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO teams (`+teamColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, t.Name, micros(t.CreatedAt), micros(t.UpdatedAt), t.PayloadCapture, t.PayloadRetentionDays)
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
	return scanTeam(s.reader.QueryRowContext(ctx, `SELECT `+teamColumns+` FROM teams WHERE id = ?`, id))
}

// ListTeams returns teams newest first.
func (s *Store) ListTeams(ctx context.Context, q auth.ListTeamsQuery) ([]auth.TeamRecord, error) {
	query, args := `SELECT `+teamColumns+` FROM teams`, []any{}
	if q.After != nil {
		query += ` WHERE (created_at, id) < (?, ?)`
		args = append(args, micros(q.After.CreatedAt), q.After.ID)
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	return queryAll(ctx, s.reader, "list teams", scanTeam, query, append(args, q.Limit)...)
}

// UpdateTeam changes a team's name or payload capture settings.
func (s *Store) UpdateTeam(ctx context.Context, u auth.TeamUpdate) (auth.TeamRecord, error) {
	sets, args := []string{`updated_at = ?`}, []any{micros(u.UpdatedAt)}
	if u.Name != nil {
		sets, args = append(sets, `name = ?`), append(args, *u.Name)
	}
	if u.PayloadCapture != nil {
		sets, args = append(sets, `payload_capture = ?`), append(args, *u.PayloadCapture)
	}
	if u.PayloadRetentionDays != nil {
		sets, args = append(sets, `payload_retention_days = ?`), append(args, *u.PayloadRetentionDays)
	}
	rec, err := scanTeam(s.writer.QueryRowContext(ctx,
		`UPDATE teams SET `+strings.Join(sets, `, `)+` WHERE id = ? RETURNING `+teamColumns, append(args, u.ID)...))
	if isUniqueViolation(err) {
		return auth.TeamRecord{}, fmt.Errorf("update team %s: %w", u.ID, auth.ErrAlreadyExists)
	}
	return rec, err
}

func scanTeam(row scanner) (auth.TeamRecord, error) {
	var t auth.TeamRecord
	var created, updated int64
	err := row.Scan(&t.ID, &t.Name, &created, &updated, &t.PayloadCapture, &t.PayloadRetentionDays)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.TeamRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.TeamRecord{}, fmt.Errorf("read team: %w", err)
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return t, nil
}

const userColumns = `id, team_id, name, email, created_at, updated_at`

// InsertUser stores a user of an existing team.
func (s *Store) InsertUser(ctx context.Context, u auth.UserRecord) error {
	return s.inTx(ctx, "insert user "+u.ID, func(tx *sql.Tx) error {
		if err := checkOwners(ctx, tx, u.TeamID, ""); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			u.ID, u.TeamID, u.Name, u.Email, micros(u.CreatedAt), micros(u.UpdatedAt))
		if isUniqueViolation(err) {
			return auth.ErrAlreadyExists
		}
		return err
	})
}

// UserByID returns a user or auth.ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id string) (auth.UserRecord, error) {
	return scanUser(s.reader.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// ListUsers returns users newest first, of one team when q.TeamID is set.
func (s *Store) ListUsers(ctx context.Context, q auth.ListUsersQuery) ([]auth.UserRecord, error) {
	var where []string
	var args []any
	if q.TeamID != "" {
		where, args = append(where, `team_id = ?`), append(args, q.TeamID)
	}
	if q.After != nil {
		where = append(where, `(created_at, id) < (?, ?)`)
		args = append(args, micros(q.After.CreatedAt), q.After.ID)
	}
	query := `SELECT ` + userColumns + ` FROM users`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	return queryAll(ctx, s.reader, "list users", scanUser, query, append(args, q.Limit)...)
}

// UpdateUser changes a user's name or email.
func (s *Store) UpdateUser(ctx context.Context, u auth.UserUpdate) (auth.UserRecord, error) {
	sets, args := []string{`updated_at = ?`}, []any{micros(u.UpdatedAt)}
	if u.Name != nil {
		sets, args = append(sets, `name = ?`), append(args, *u.Name)
	}
	if u.Email != nil {
		sets, args = append(sets, `email = ?`), append(args, *u.Email)
	}
	return scanUser(s.writer.QueryRowContext(ctx,
		`UPDATE users SET `+strings.Join(sets, `, `)+` WHERE id = ? RETURNING `+userColumns, append(args, u.ID)...))
}

func scanUser(row scanner) (auth.UserRecord, error) {
	var u auth.UserRecord
	var created, updated int64
	err := row.Scan(&u.ID, &u.TeamID, &u.Name, &u.Email, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.UserRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.UserRecord{}, fmt.Errorf("read user: %w", err)
	}
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return u, nil
}

// queryAll runs a query and scans every row.
func queryAll[T any](ctx context.Context, db *sql.DB, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
