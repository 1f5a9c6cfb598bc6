package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/switchboard-gw/switchboard/auth"
)

var (
	_ auth.Store            = (*Store)(nil)
	_ auth.KeyChangeWatcher = (*Store)(nil)
)

// keyColumns are read by scanKey, in this order; key_usage is joined as u.
const keyColumns = `k.id, k.role, k.name, k.team_id, k.user_id, k.secret_hash, k.secret_prefix, k.allowed_models, k.tags,
	k.rpm_limit, k.tpm_limit, k.budget_nano_usd, k.budget_period,
	k.created_at, k.updated_at, k.expires_at, k.revoked_at, k.rotated_at, u.last_used_at`

const keyFrom = ` FROM virtual_keys k LEFT JOIN key_usage u ON u.key_id = k.id`

// InsertKey stores a new key after checking its team and user in the same
// transaction, so each refusal has its own sentinel.
func (s *Store) InsertKey(ctx context.Context, k auth.KeyRecord) error {
	return s.inTx(ctx, "insert key "+k.ID, func(tx pgx.Tx) error {
		if err := checkOwners(ctx, tx, k.TeamID, k.UserID); err != nil {
			return err
		}
		var retired bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM retired_secrets WHERE secret_hash = $1)`, k.Hash).Scan(&retired); err != nil {
			return err
		}
		if retired {
			return auth.ErrAlreadyExists
		}
		_, err := tx.Exec(ctx, `INSERT INTO virtual_keys (id, role, name, team_id, user_id, secret_hash, secret_prefix,
			allowed_models, tags, rpm_limit, tpm_limit, budget_nano_usd, budget_period,
			created_at, updated_at, expires_at, revoked_at, rotated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
			k.ID, string(k.Role), k.Name, nullString(k.TeamID), nullString(k.UserID), k.Hash, k.SecretPrefix,
			list(k.AllowedModels), list(k.Tags), k.Limits.RPM, k.Limits.TPM, k.Limits.BudgetNanoUSD, string(k.Limits.BudgetPeriod),
			k.CreatedAt, k.UpdatedAt, nullTime(k.ExpiresAt), nullTime(k.RevokedAt), nullTime(k.RotatedAt))
		if isUniqueViolation(err) {
			return auth.ErrAlreadyExists
		}
		return err
	})
}

// checkOwners returns the sentinel for a missing team, a missing user or a
// user of another team. Users never change team, and the rows are locked
// (FOR KEY SHARE) until the insert commits, so a concurrent DeleteTeam or
// DeleteUser waits for it, or makes this check fail, rather than race it.
func checkOwners(ctx context.Context, tx pgx.Tx, teamID, userID string) error {
	if teamID != "" {
		var id string
		err := tx.QueryRow(ctx, `SELECT id FROM teams WHERE id = $1 FOR KEY SHARE`, teamID).Scan(&id)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return auth.ErrTeamNotFound
		case err != nil:
			return err
		}
	}
	if userID != "" {
		var team string
		err := tx.QueryRow(ctx, `SELECT team_id FROM users WHERE id = $1 FOR KEY SHARE`, userID).Scan(&team)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
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
	return scanKey(s.pool.QueryRow(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.id = $1`, id))
}

// KeyByHash finds the key by its current secret, then by a retired one, in
// one round trip. Last-used times are not read on this path.
func (s *Store) KeyByHash(ctx context.Context, hash []byte) (auth.KeyMatch, error) {
	row := s.pool.QueryRow(ctx, `
		SELECT `+keyColumns+`, NULL::timestamptz FROM virtual_keys k LEFT JOIN key_usage u ON false WHERE k.secret_hash = $1
		UNION ALL
		SELECT `+keyColumns+`, r.retired_until FROM retired_secrets r JOIN virtual_keys k ON k.id = r.key_id
			LEFT JOIN key_usage u ON false WHERE r.secret_hash = $1
		LIMIT 1`, hash)
	var until pgtype.Timestamptz
	rec, err := scanKey(row, &until)
	if err != nil {
		return auth.KeyMatch{}, err
	}
	m := auth.KeyMatch{Key: rec}
	if until.Valid {
		m.Retired, m.RetiredUntil = true, until.Time.UTC()
	}
	return m, nil
}

// ListKeys returns keys newest first from the keyset position q.After.
func (s *Store) ListKeys(ctx context.Context, q auth.ListKeysQuery) ([]auth.KeyRecord, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.AdminKeys {
		where = append(where, `k.role <> ''`)
	} else {
		where = append(where, `k.role = ''`)
	}
	if !q.IncludeRevoked {
		where = append(where, `k.revoked_at IS NULL`)
	}
	if q.TeamID != "" {
		where = append(where, `k.team_id = `+arg(q.TeamID))
	}
	if q.UserID != "" {
		where = append(where, `k.user_id = `+arg(q.UserID))
	}
	if q.Tag != "" {
		where = append(where, `k.tags @> ARRAY[`+arg(q.Tag)+`::text]`)
	}
	if q.After != nil {
		where = append(where, `(k.created_at, k.id) < (`+arg(q.After.CreatedAt)+`, `+arg(q.After.ID)+`)`)
	}
	query := `SELECT ` + keyColumns + keyFrom + ` WHERE ` + strings.Join(where, ` AND `) +
		` ORDER BY k.created_at DESC, k.id DESC LIMIT ` + arg(q.Limit)
	return queryAll(ctx, s, "list keys", func(r pgx.Row) (auth.KeyRecord, error) { return scanKey(r) }, query, args...)
}

// scanKey reads keyColumns, then any extra destinations.
func scanKey(row pgx.Row, extra ...any) (auth.KeyRecord, error) {
	var (
		k                                   auth.KeyRecord
		role, period                        string
		team, user                          pgtype.Text
		expires, revoked, rotated, lastUsed pgtype.Timestamptz
	)
	dest := []any{&k.ID, &role, &k.Name, &team, &user, &k.Hash, &k.SecretPrefix, &k.AllowedModels, &k.Tags,
		&k.Limits.RPM, &k.Limits.TPM, &k.Limits.BudgetNanoUSD, &period,
		&k.CreatedAt, &k.UpdatedAt, &expires, &revoked, &rotated, &lastUsed}
	err := row.Scan(append(dest, extra...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.KeyRecord{}, auth.ErrNotFound
	}
	if err != nil {
		return auth.KeyRecord{}, fmt.Errorf("read key: %w", err)
	}
	k.Role, k.Limits.BudgetPeriod = auth.Role(role), auth.BudgetPeriod(period)
	k.TeamID, k.UserID = team.String, user.String
	if len(k.AllowedModels) == 0 {
		k.AllowedModels = nil
	}
	if len(k.Tags) == 0 {
		k.Tags = nil
	}
	k.CreatedAt, k.UpdatedAt = k.CreatedAt.UTC(), k.UpdatedAt.UTC()
	k.ExpiresAt, k.RevokedAt = fromNull(expires), fromNull(revoked)
	k.RotatedAt, k.LastUsedAt = fromNull(rotated), fromNull(lastUsed)
	return k, nil
}

// list makes a nil slice an empty array rather than NULL.
func list(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nullString(s string) pgtype.Text { return pgtype.Text{String: s, Valid: s != ""} }

func nullTime(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()}
}

func fromNull(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// queryAll runs a query and scans every row.
func queryAll[T any](ctx context.Context, s *Store, what string, scan func(pgx.Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.pool.Query(ctx, query, args...)
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

// inTx runs fn in a transaction. The sentinels of package auth stay
// reachable with errors.Is; other errors name what failed.
func (s *Store) inTx(ctx context.Context, what string, fn func(pgx.Tx) error) (err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%s: %w", what, errors.Join(err, ignoreClosed(tx.Rollback(context.WithoutCancel(ctx)))))
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
