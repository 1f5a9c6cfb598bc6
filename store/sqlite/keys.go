package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/switchboard-gw/switchboard/auth"
)

var _ auth.KeyStore = (*Store)(nil)

const keyColumns = `id, name, secret_hash, secret_prefix, allowed_models, created_at, expires_at, revoked_at`

// InsertKey stores a new key; an existing id or hash yields auth.ErrAlreadyExists.
func (s *Store) InsertKey(ctx context.Context, k auth.KeyRecord) error {
	models, err := encodeModels(k.AllowedModels)
	if err != nil {
		return err
	}
	_, err = s.writer.ExecContext(ctx, `INSERT INTO virtual_keys (`+keyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Name, k.Hash, k.SecretPrefix, models,
		micros(k.CreatedAt), nullableMicros(k.ExpiresAt), nullableMicros(k.RevokedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("insert key %s: %w", k.ID, auth.ErrAlreadyExists)
	}
	if err != nil {
		return fmt.Errorf("insert key %s: %w", k.ID, err)
	}
	return nil
}

// KeyByID returns the key with this id, or auth.ErrNotFound.
func (s *Store) KeyByID(ctx context.Context, id string) (auth.KeyRecord, error) {
	return scanKey(s.reader.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM virtual_keys WHERE id = ?`, id))
}

// KeyByHash returns the key whose secret has this hash, or auth.ErrNotFound.
func (s *Store) KeyByHash(ctx context.Context, hash []byte) (auth.KeyRecord, error) {
	return scanKey(s.reader.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM virtual_keys WHERE secret_hash = ?`, hash))
}

// ListKeys returns keys newest first from the keyset position q.After.
func (s *Store) ListKeys(ctx context.Context, q auth.ListKeysQuery) ([]auth.KeyRecord, error) {
	var where []string
	var args []any
	if !q.IncludeRevoked {
		where = append(where, `revoked_at IS NULL`)
	}
	if q.After != nil {
		where = append(where, `(created_at, id) < (?, ?)`)
		args = append(args, micros(q.After.CreatedAt), q.After.ID)
	}
	query := `SELECT ` + keyColumns + ` FROM virtual_keys`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, q.Limit)

	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	defer rows.Close()
	var out []auth.KeyRecord
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return out, nil
}

// RevokeKey sets revoked_at unless it is already set, in one statement, and
// returns the key as it now is.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) (auth.KeyRecord, error) {
	return scanKey(s.writer.QueryRowContext(ctx,
		`UPDATE virtual_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? RETURNING `+keyColumns,
		micros(at), id))
}

type scanner interface{ Scan(dest ...any) error }

func scanKey(row scanner) (auth.KeyRecord, error) {
	var (
		k                auth.KeyRecord
		models           string
		created          int64
		expires, revoked sql.NullInt64
	)
	err := row.Scan(&k.ID, &k.Name, &k.Hash, &k.SecretPrefix, &models, &created, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.KeyRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.KeyRecord{}, fmt.Errorf("read key: %w", err)
	}
	if err := json.Unmarshal([]byte(models), &k.AllowedModels); err != nil {
		return auth.KeyRecord{}, fmt.Errorf("read key %s: allowed_models: %w", k.ID, err)
	}
	if len(k.AllowedModels) == 0 {
		k.AllowedModels = nil
	}
	k.CreatedAt = fromMicros(created)
	if expires.Valid {
		k.ExpiresAt = fromMicros(expires.Int64)
	}
	if revoked.Valid {
		k.RevokedAt = fromMicros(revoked.Int64)
	}
	return k, nil
}

func encodeModels(models []string) (string, error) {
	if len(models) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(models)
	if err != nil {
		return "", fmt.Errorf("encode allowed_models: %w", err)
	}
	return string(b), nil
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func nullableMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
		return true
	}
	return false
}
