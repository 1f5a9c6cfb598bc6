package sqlite

import (
	"context"
	"database/sql"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/billing/ledger"
)

var (
	_ ledger.SpendPseudonymizer = (*Store)(nil)
	_ audit.SpendPseudonymizer  = (*Store)(nil)
)

// PseudonymizeUserSpend replaces userID by pseudonym on the user's spend
// records (through spend_by_user), then moves their rollup rows to the
// pseudonym: an upsert that adds each to the pseudonym's row of the same
// grain if there is one, and a delete. It runs in one transaction on the
// single writer connection, so no spend batch interleaves with it.
func (s *Store) PseudonymizeUserSpend(ctx context.Context, userID, pseudonym string) (int64, error) {
	if err := ledger.ValidatePseudonymization(userID, pseudonym); err != nil {
		return 0, err
	}
	var changed int64
	err := s.inTx(ctx, "pseudonymize spend", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE spend SET user_id = ? WHERE user_id = ?`, pseudonym, userID)
		if err != nil {
			return err
		}
		if changed, err = res.RowsAffected(); err != nil {
			return err
		}
		// Rollup rows are moved even when no record was (there are none
		// then, unless an earlier failure left them), so that a call that
		// returns 0 always leaves nothing of the user. (The SELECT's WHERE
		// is also what lets SQLite read ON CONFLICT as the upsert's rather
		// than a join's ON.)
		if _, err := tx.ExecContext(ctx, `INSERT INTO spend_daily (day, key_id, team_id, user_id, model, provider, deployment, alias,
				requests, attempts, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
				cost_nano_usd, estimated_attempts, unpriced_attempts)
			SELECT day, key_id, team_id, ?, model, provider, deployment, alias,
				requests, attempts, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
				cost_nano_usd, estimated_attempts, unpriced_attempts
			FROM spend_daily WHERE user_id = ?
			`+addToDailyRow,
			pseudonym, userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM spend_daily WHERE user_id = ?`, userID)
		return err
	})
	if err != nil {
		return 0, err
	}
	return changed, nil
}
