package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/billing/ledger"
)

var (
	_ ledger.SpendPseudonymizer = (*Store)(nil)
	_ audit.SpendPseudonymizer  = (*Store)(nil)
)

// spendWriteLock is the advisory lock key that orders pseudonymizations
// after the spend writes in flight ("SPNW"). WriteSpend takes it shared,
// so writers never wait for each other; PseudonymizeUserSpend takes it
// exclusively, so no batch of the user's records can commit between its
// update of the records and its move of the rollups. Without it, a batch
// that read which of the user's records counts a request before the
// pseudonymization committed would take the request off the user's
// rollup row rather than the pseudonym's.
const spendWriteLock = 0x53504E57

// PseudonymizeUserSpend replaces userID by pseudonym on the user's spend
// records (found through spend_by_user in every partition), then moves
// their rollup rows to the pseudonym: an upsert that adds each to the
// pseudonym's row of the same grain if there is one, and a delete. Spend
// writes wait for it (see spendWriteLock); with the Writer in front, a
// long one spools them meanwhile.
func (s *Store) PseudonymizeUserSpend(ctx context.Context, userID, pseudonym string) (int64, error) {
	if err := ledger.ValidatePseudonymization(userID, pseudonym); err != nil {
		return 0, err
	}
	var changed int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, spendWriteLock); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE spend SET user_id = $2 WHERE user_id = $1`, userID, pseudonym)
		if err != nil {
			return err
		}
		changed = tag.RowsAffected()
		// Rollup rows are moved even when no record was (there are none
		// then, unless an earlier failure left them), so that a call that
		// returns 0 always leaves nothing of the user. No writer holds
		// rollup rows meanwhile (spendWriteLock), so the order in which
		// they are locked does not matter.
		var b pgx.Batch
		b.Queue(`INSERT INTO spend_daily AS d (day, key_id, team_id, user_id, model, provider, deployment, alias,
				requests, attempts, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
				cost_nano_usd, estimated_attempts, unpriced_attempts)
			SELECT day, key_id, team_id, $2, model, provider, deployment, alias,
				requests, attempts, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
				cost_nano_usd, estimated_attempts, unpriced_attempts
			FROM spend_daily WHERE user_id = $1
			ON CONFLICT (day, key_id, team_id, user_id, model, provider, deployment, alias) DO UPDATE SET
				requests = d.requests + excluded.requests,
				attempts = d.attempts + excluded.attempts,
				input_tokens = d.input_tokens + excluded.input_tokens,
				cached_input_tokens = d.cached_input_tokens + excluded.cached_input_tokens,
				cache_write_tokens = d.cache_write_tokens + excluded.cache_write_tokens,
				output_tokens = d.output_tokens + excluded.output_tokens,
				reasoning_tokens = d.reasoning_tokens + excluded.reasoning_tokens,
				cost_nano_usd = d.cost_nano_usd + excluded.cost_nano_usd,
				estimated_attempts = d.estimated_attempts + excluded.estimated_attempts,
				unpriced_attempts = d.unpriced_attempts + excluded.unpriced_attempts`,
			userID, pseudonym)
		b.Queue(`DELETE FROM spend_daily WHERE user_id = $1`, userID)
		return tx.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return 0, fmt.Errorf("pseudonymize spend: %w", err)
	}
	return changed, nil
}
