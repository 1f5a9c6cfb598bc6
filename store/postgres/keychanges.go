package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-gw/switchboard/auth"
)

// UpdateKey applies the non-nil fields of u to a key that is not revoked.
func (s *Store) UpdateKey(ctx context.Context, u auth.KeyUpdate) (auth.KeyRecord, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	sets := []string{`updated_at = ` + arg(u.UpdatedAt)}
	if u.Name != nil {
		sets = append(sets, `name = `+arg(*u.Name))
	}
	if u.AllowedModels != nil {
		sets = append(sets, `allowed_models = `+arg(list(*u.AllowedModels)))
	}
	if u.Tags != nil {
		sets = append(sets, `tags = `+arg(list(*u.Tags)))
	}
	if u.ExpiresAt != nil {
		sets = append(sets, `expires_at = `+arg(nullTime(*u.ExpiresAt)))
	}
	if u.Limits != nil {
		sets = append(sets, `rpm_limit = `+arg(u.Limits.RPM), `tpm_limit = `+arg(u.Limits.TPM),
			`budget_nano_usd = `+arg(u.Limits.BudgetNanoUSD), `budget_period = `+arg(string(u.Limits.BudgetPeriod)))
	}
	query := `UPDATE virtual_keys SET ` + strings.Join(sets, `, `) + ` WHERE id = ` + arg(u.ID)
	var out auth.KeyRecord
	err := s.inTx(ctx, "update key "+u.ID, func(tx pgx.Tx) error {
		if err := lockLive(ctx, tx, u.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, query, args...); err != nil {
			return err
		}
		var err error
		out, err = scanKey(tx.QueryRow(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.id = $1`, u.ID))
		return err
	})
	return out, err
}

// lockLive locks the key's row for the transaction and returns
// auth.ErrNotFound or auth.ErrRevoked unless it exists and is not revoked.
func lockLive(ctx context.Context, tx pgx.Tx, id string) error {
	var revoked bool
	err := tx.QueryRow(ctx, `SELECT revoked_at IS NOT NULL FROM virtual_keys WHERE id = $1 FOR UPDATE`, id).Scan(&revoked)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return auth.ErrNotFound
	case err != nil:
		return err
	case revoked:
		return auth.ErrRevoked
	}
	return nil
}

// RevokeKey sets revoked_at unless it is already set, in one statement, and
// returns the key as it now is. The row lock of the UPDATE makes concurrent
// revocations agree on the first time.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) (auth.KeyRecord, error) {
	var out auth.KeyRecord
	err := s.inTx(ctx, "revoke key "+id, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE virtual_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, at, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return auth.ErrNotFound
		}
		out, err = scanKey(tx.QueryRow(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.id = $1`, id))
		return err
	})
	return out, err
}

// RotateKey retires the current secret (kept until r.RetireUntil when that
// is in the future), installs the new one and purges retired secrets of the
// key whose grace is over.
func (s *Store) RotateKey(ctx context.Context, r auth.KeyRotation) (auth.KeyRecord, error) {
	var out auth.KeyRecord
	err := s.inTx(ctx, "rotate key "+r.ID, func(tx pgx.Tx) error {
		if err := lockLive(ctx, tx, r.ID); err != nil {
			return err
		}
		var retired bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM retired_secrets WHERE secret_hash = $1)`, r.NewHash).Scan(&retired); err != nil {
			return err
		}
		if retired {
			return auth.ErrAlreadyExists
		}
		if _, err := tx.Exec(ctx, `DELETE FROM retired_secrets WHERE key_id = $1 AND retired_until <= $2`, r.ID, r.At); err != nil {
			return err
		}
		if r.RetireUntil.After(r.At) {
			if _, err := tx.Exec(ctx, `INSERT INTO retired_secrets (secret_hash, key_id, retired_until)
				SELECT secret_hash, id, $1 FROM virtual_keys WHERE id = $2`, r.RetireUntil, r.ID); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE virtual_keys SET secret_hash = $1, secret_prefix = $2, rotated_at = $3, updated_at = $3 WHERE id = $4`,
			r.NewHash, r.SecretPrefix, r.At, r.ID)
		if isUniqueViolation(err) {
			return auth.ErrAlreadyExists
		}
		if err != nil {
			return err
		}
		out, err = scanKey(tx.QueryRow(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.id = $1`, r.ID))
		return err
	})
	return out, err
}

// RecordKeyUsage moves last-used times forward in one statement for the
// whole batch.
func (s *Store) RecordKeyUsage(ctx context.Context, usage []auth.KeyUsage) error {
	if len(usage) == 0 {
		return nil
	}
	ids := make([]string, len(usage))
	times := make([]time.Time, len(usage))
	for i, u := range usage {
		ids[i], times[i] = u.KeyID, u.UsedAt
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO key_usage (key_id, last_used_at)
		SELECT u.id, MAX(u.at) FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
		JOIN virtual_keys k ON k.id = u.id
		GROUP BY u.id
		ON CONFLICT (key_id) DO UPDATE SET last_used_at = GREATEST(key_usage.last_used_at, EXCLUDED.last_used_at)`, ids, times)
	if err != nil {
		return errors.Join(errors.New("record key usage"), err)
	}
	return nil
}
