package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-gw/switchboard/billing/limits"
)

// LimitSettings returns the settings of the scopes that have any.
func (s *Store) LimitSettings(ctx context.Context, scopes []limits.Scope) ([]limits.Settings, error) {
	if len(scopes) == 0 {
		return nil, nil
	}
	args := make([]any, len(scopes))
	for i, sc := range scopes {
		args[i] = string(sc)
	}
	query := `SELECT scope, rpm, tpm, budgets, updated_at FROM limit_settings WHERE scope IN (?` +
		strings.Repeat(`, ?`, len(scopes)-1) + `)`
	return queryAll(ctx, s.reader, "read limit settings", scanLimitSettings, query, args...)
}

func scanLimitSettings(row scanner) (limits.Settings, error) {
	var out limits.Settings
	var scope, budgets string
	var updated int64
	if err := row.Scan(&scope, &out.RPM, &out.TPM, &budgets, &updated); err != nil {
		return limits.Settings{}, fmt.Errorf("read limit settings: %w", err)
	}
	b, err := limits.DecodeBudgets(budgets)
	if err != nil {
		return limits.Settings{}, err
	}
	out.Scope, out.Budgets, out.UpdatedAt = limits.Scope(scope), b, fromMicros(updated)
	return out, nil
}

// PutLimitSettings replaces a scope's settings, or deletes them when set
// is zero.
func (s *Store) PutLimitSettings(ctx context.Context, set limits.Settings) error {
	var err error
	if set.IsZero() {
		_, err = s.writer.ExecContext(ctx, `DELETE FROM limit_settings WHERE scope = ?`, string(set.Scope))
	} else {
		_, err = s.writer.ExecContext(ctx, `INSERT INTO limit_settings (scope, rpm, tpm, budgets, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (scope) DO UPDATE SET rpm = excluded.rpm, tpm = excluded.tpm, budgets = excluded.budgets, updated_at = excluded.updated_at`,
			string(set.Scope), set.RPM, set.TPM, limits.EncodeBudgets(set.Budgets), micros(set.UpdatedAt))
	}
	if err != nil {
		return fmt.Errorf("write limit settings of %s: %w", set.Scope, err)
	}
	return nil
}
