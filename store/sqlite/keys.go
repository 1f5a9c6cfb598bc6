package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
)

var _ auth.Store = (*Store)(nil)

// keyColumns are read by scanKey, in this order; key_usage is joined as u.
const keyColumns = `k.id, k.role, k.name, k.team_id, k.user_id, k.secret_hash, k.secret_prefix, k.allowed_models, k.tags,
	k.rpm_limit, k.tpm_limit, k.budget_nano_usd, k.budget_period,
	k.created_at, k.updated_at, k.expires_at, k.revoked_at, k.rotated_at, u.last_used_at`

const keyFrom = ` FROM virtual_keys k LEFT JOIN key_usage u ON u.key_id = k.id`

// InsertKey stores a new key after checking its team and user in the same
// transaction, so each refusal has its own sentinel (SQLite's foreign key
// errors do not say which key failed; the constraints stay as a backstop).
func (s *Store) InsertKey(ctx context.Context, k auth.KeyRecord) error {
	models, err := encodeList(k.AllowedModels)
	if err != nil {
		return err
	}
	tags, err := encodeList(k.Tags)
	if err != nil {
		return err
	}
	return s.inTx(ctx, "insert key "+k.ID, func(tx *sql.Tx) error {
		if err := checkOwners(ctx, tx, k.TeamID, k.UserID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO virtual_keys (id, role, name, team_id, user_id, secret_hash, secret_prefix,
			allowed_models, tags, rpm_limit, tpm_limit, budget_nano_usd, budget_period,
			created_at, updated_at, expires_at, revoked_at, rotated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, string(k.Role), k.Name, nullableString(k.TeamID), nullableString(k.UserID), k.Hash, k.SecretPrefix,
			models, tags, k.Limits.RPM, k.Limits.TPM, k.Limits.BudgetNanoUSD, string(k.Limits.BudgetPeriod),
			micros(k.CreatedAt), micros(k.UpdatedAt), nullableMicros(k.ExpiresAt), nullableMicros(k.RevokedAt), nullableMicros(k.RotatedAt))
		if isUniqueViolation(err) {
			return auth.ErrAlreadyExists
		}
		if err == nil && k.Hash != nil {
			// A new secret must not equal a retired one either.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM retired_secrets WHERE secret_hash = ?`, k.Hash).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return auth.ErrAlreadyExists
			}
		}
		return err
	})
}

// checkOwners returns the sentinel for a missing team, a missing user or a
// user of another team.
func checkOwners(ctx context.Context, tx *sql.Tx, teamID, userID string) error {
	if teamID != "" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, teamID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return auth.ErrTeamNotFound
		}
	}
	if userID != "" {
		var team string
		err := tx.QueryRowContext(ctx, `SELECT team_id FROM users WHERE id = ?`, userID).Scan(&team)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return auth.ErrUserNotFound
		case err != nil:
			return err
		case team != teamID:
			return auth.ErrUserNotInTeam
		}
	}
	return nil
}

// KeyByID returns the key with this id, or auth.ErrNotFound.
func (s *Store) KeyByID(ctx context.Context, id string) (auth.KeyRecord, error) {
	return scanKey(s.reader.QueryRowContext(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.id = ?`, id))
}

// KeyByHash finds the key by its current secret, then by a retired one.
func (s *Store) KeyByHash(ctx context.Context, hash []byte) (auth.KeyMatch, error) {
	row := s.reader.QueryRowContext(ctx, `
		SELECT `+keyColumns+`, NULL FROM virtual_keys k LEFT JOIN key_usage u ON 0 WHERE k.secret_hash = ?1
		UNION ALL
		SELECT `+keyColumns+`, r.retired_until FROM retired_secrets r JOIN virtual_keys k ON k.id = r.key_id
			LEFT JOIN key_usage u ON 0 WHERE r.secret_hash = ?1
		LIMIT 1`, hash)
	var until sql.NullInt64
	rec, err := scanKey(row, &until)
	if err != nil {
		return auth.KeyMatch{}, err
	}
	m := auth.KeyMatch{Key: rec}
	if until.Valid {
		m.Retired, m.RetiredUntil = true, fromMicros(until.Int64)
	}
	return m, nil
}

// ListKeys returns keys newest first from the keyset position q.After.
func (s *Store) ListKeys(ctx context.Context, q auth.ListKeysQuery) ([]auth.KeyRecord, error) {
	var where []string
	var args []any
	if q.AdminKeys {
		where = append(where, `k.role <> ''`)
	} else {
		where = append(where, `k.role = ''`)
	}
	if !q.IncludeRevoked {
		where = append(where, `k.revoked_at IS NULL`)
	}
	if q.TeamID != "" {
		where, args = append(where, `k.team_id = ?`), append(args, q.TeamID)
	}
	if q.UserID != "" {
		where, args = append(where, `k.user_id = ?`), append(args, q.UserID)
	}
	if q.Tag != "" {
		where, args = append(where, `EXISTS (SELECT 1 FROM json_each(k.tags) WHERE json_each.value = ?)`), append(args, q.Tag)
	}
	if q.After != nil {
		where = append(where, `(k.created_at, k.id) < (?, ?)`)
		args = append(args, micros(q.After.CreatedAt), q.After.ID)
	}
	query := `SELECT ` + keyColumns + keyFrom + ` WHERE ` + strings.Join(where, ` AND `) +
		` ORDER BY k.created_at DESC, k.id DESC LIMIT ?`
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

type scanner interface{ Scan(dest ...any) error }

// scanKey reads keyColumns, then any extra destinations.
func scanKey(row scanner, extra ...any) (auth.KeyRecord, error) {
	var (
		k                                   auth.KeyRecord
		role, period, models, tags          string
		team, user                          sql.NullString
		created, updated                    int64
		expires, revoked, rotated, lastUsed sql.NullInt64
	)
	dest := []any{&k.ID, &role, &k.Name, &team, &user, &k.Hash, &k.SecretPrefix, &models, &tags,
		&k.Limits.RPM, &k.Limits.TPM, &k.Limits.BudgetNanoUSD, &period,
		&created, &updated, &expires, &revoked, &rotated, &lastUsed}
	err := row.Scan(append(dest, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.KeyRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.KeyRecord{}, fmt.Errorf("read key: %w", err)
	}
	k.Role, k.Limits.BudgetPeriod = auth.Role(role), auth.BudgetPeriod(period)
	k.TeamID, k.UserID = team.String, user.String
	if k.AllowedModels, err = decodeList(models); err != nil {
		return auth.KeyRecord{}, fmt.Errorf("read key %s: allowed_models: %w", k.ID, err)
	}
	if k.Tags, err = decodeList(tags); err != nil {
		return auth.KeyRecord{}, fmt.Errorf("read key %s: tags: %w", k.ID, err)
	}
	k.CreatedAt, k.UpdatedAt = fromMicros(created), fromMicros(updated)
	k.ExpiresAt, k.RevokedAt = fromNullMicros(expires), fromNullMicros(revoked)
	k.RotatedAt, k.LastUsedAt = fromNullMicros(rotated), fromNullMicros(lastUsed)
	return k, nil
}

// encodeList stores a string list as a JSON array ("[]" when empty).
func encodeList(list []string) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "", fmt.Errorf("encode list: %w", err)
	}
	return string(b), nil
}

// decodeList reads a JSON array; empty is nil.
func decodeList(s string) ([]string, error) {
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func nullableMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func fromNullMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}

func nullableString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}
