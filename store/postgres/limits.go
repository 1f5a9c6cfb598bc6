package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-gw/switchboard/billing/limits"
)

// LimitSettings returns the settings of the scopes that have any.
func (s *Store) LimitSettings(ctx context.Context, scopes []limits.Scope) ([]limits.Settings, error) {
	if len(scopes) == 0 {
		return nil, nil
	}
	names := make([]string, len(scopes))
	for i, sc := range scopes {
		names[i] = string(sc)
	}
	rows, err := s.pool.Query(ctx, `SELECT scope, rpm, tpm, budgets, updated_at FROM limit_settings WHERE scope = ANY($1)`, names)
	if err != nil {
		return nil, fmt.Errorf("read limit settings: %w", err)
	}
	defer rows.Close()
	var out []limits.Settings
	for rows.Next() {
		var set limits.Settings
		var scope, budgets string
		var updated time.Time
		if err := rows.Scan(&scope, &set.RPM, &set.TPM, &budgets, &updated); err != nil {
			return nil, fmt.Errorf("read limit settings: %w", err)
		}
		if set.Budgets, err = limits.DecodeBudgets(budgets); err != nil {
			return nil, err
		}
		set.Scope, set.UpdatedAt = limits.Scope(scope), updated.UTC()
		out = append(out, set)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read limit settings: %w", err)
	}
	return out, nil
}

// PutLimitSettings replaces a scope's settings, or deletes them when set
// is zero.
func (s *Store) PutLimitSettings(ctx context.Context, set limits.Settings) error {
	var err error
	if set.IsZero() {
		_, err = s.pool.Exec(ctx, `DELETE FROM limit_settings WHERE scope = $1`, string(set.Scope))
	} else {
		_, err = s.pool.Exec(ctx, `INSERT INTO limit_settings (scope, rpm, tpm, budgets, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (scope) DO UPDATE SET rpm = excluded.rpm, tpm = excluded.tpm, budgets = excluded.budgets, updated_at = excluded.updated_at`,
			string(set.Scope), set.RPM, set.TPM, limits.EncodeBudgets(set.Budgets), set.UpdatedAt)
	}
	if err != nil {
		return fmt.Errorf("write limit settings of %s: %w", set.Scope, err)
	}
	return nil
}
