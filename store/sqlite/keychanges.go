package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/switchboard-gw/switchboard/auth"
)

// UpdateKey applies the non-nil fields of u to a key that is not revoked.
func (s *Store) UpdateKey(ctx context.Context, u auth.KeyUpdate) (auth.KeyRecord, error) {
	sets := []string{`updated_at = ?`}
	args := []any{micros(u.UpdatedAt)}
	if u.Name != nil {
		sets, args = append(sets, `name = ?`), append(args, *u.Name)
	}
	if u.AllowedModels != nil {
		models, err := encodeList(*u.AllowedModels)
		if err != nil {
			return auth.KeyRecord{}, err
		}
		sets, args = append(sets, `allowed_models = ?`), append(args, models)
	}
	if u.Tags != nil {
		tags, err := encodeList(*u.Tags)
		if err != nil {
			return auth.KeyRecord{}, err
		}
		sets, args = append(sets, `tags = ?`), append(args, tags)
	}
	if u.ExpiresAt != nil {
		sets, args = append(sets, `expires_at = ?`), append(args, nullableMicros(*u.ExpiresAt))
	}
	if u.Limits != nil {
		sets = append(sets, `rpm_limit = ?`, `tpm_limit = ?`, `budget_nano_usd = ?`, `budget_period = ?`)
		args = append(args, u.Limits.RPM, u.Limits.TPM, u.Limits.BudgetNanoUSD, string(u.Limits.BudgetPeriod))
	}
	var out auth.KeyRecord
	err := s.inTx(ctx, "update key "+u.ID, func(tx *sql.Tx) error {
		if err := requireLive(ctx, tx, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE virtual_keys SET `+strings.Join(sets, `, `)+` WHERE id = ?`, append(args, u.ID)...); err != nil {
			return err
		}
		var err error
		out, err = scanKey(tx.QueryRowContext(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.id = ?`, u.ID))
		return err
	})
	return out, err
}

// requireLive returns auth.ErrNotFound or auth.ErrRevoked unless the key
// exists and is not revoked.
func requireLive(ctx context.Context, tx *sql.Tx, id string) error {
	var revoked sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM virtual_keys WHERE id = ?`, id).Scan(&revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return auth.ErrNotFound
	case err != nil:
		return err
	case revoked.Valid:
		return auth.ErrRevoked
	}
	return nil
}

// RevokeKey sets revoked_at unless it is already set, in one statement, and
// returns the key as it now is.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) (auth.KeyRecord, error) {
	var out auth.KeyRecord
	err := s.inTx(ctx, "revoke key "+id, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE virtual_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, micros(at), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return auth.ErrNotFound
		}
		out, err = scanKey(tx.QueryRowContext(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.id = ?`, id))
		return err
	})
	return out, err
}

// RotateKey retires the current secret (kept until r.RetireUntil when that
// is in the future), installs the new one and purges retired secrets of the
// key whose grace is over.
func (s *Store) RotateKey(ctx context.Context, r auth.KeyRotation) (auth.KeyRecord, error) {
	var out auth.KeyRecord
	err := s.inTx(ctx, "rotate key "+r.ID, func(tx *sql.Tx) error {
		if err := requireLive(ctx, tx, r.ID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM retired_secrets WHERE secret_hash = ?`, r.NewHash).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return auth.ErrAlreadyExists
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM retired_secrets WHERE key_id = ? AND retired_until <= ?`, r.ID, micros(r.At)); err != nil {
			return err
		}
		if r.RetireUntil.After(r.At) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO retired_secrets (secret_hash, key_id, retired_until)
				SELECT secret_hash, id, ? FROM virtual_keys WHERE id = ?`, micros(r.RetireUntil), r.ID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE virtual_keys SET secret_hash = ?, secret_prefix = ?, rotated_at = ?, updated_at = ? WHERE id = ?`,
			r.NewHash, r.SecretPrefix, micros(r.At), micros(r.At), r.ID)
		if isUniqueViolation(err) {
			return auth.ErrAlreadyExists
		}
		if err != nil {
			return err
		}
		out, err = scanKey(tx.QueryRowContext(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.id = ?`, r.ID))
		return err
	})
	return out, err
}

// RecordKeyUsage moves last-used times forward in one transaction.
func (s *Store) RecordKeyUsage(ctx context.Context, usage []auth.KeyUsage) error {
	if len(usage) == 0 {
		return nil
	}
	return s.inTx(ctx, "record key usage", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO key_usage (key_id, last_used_at)
			SELECT id, ? FROM virtual_keys WHERE id = ?
			ON CONFLICT (key_id) DO UPDATE SET last_used_at = MAX(last_used_at, excluded.last_used_at)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, u := range usage {
			if _, err := stmt.ExecContext(ctx, micros(u.UsedAt), u.KeyID); err != nil {
				return err
			}
		}
		return nil
	})
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE) on the single
// writer connection. The sentinels of package auth pass through unwrapped
// in meaning (errors.Is still finds them); other errors name what.
func (s *Store) inTx(ctx context.Context, what string, fn func(*sql.Tx) error) (err error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreDone(tx.Rollback()))
			err = fmt.Errorf("%s: %w", what, err)
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

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
