package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/switchboard-gw/switchboard/billing/ledger"
)

var _ ledger.Store = (*Store)(nil)

// WriteSpend stores a batch in one transaction: the new records (a record
// already stored is skipped by its primary key), their requests' counting
// flags, and the daily rollups, which only the new records change.
func (s *Store) WriteSpend(ctx context.Context, records []ledger.Record) error {
	if len(records) == 0 {
		return nil
	}
	recs, err := ledger.ValidateBatch(records)
	if err != nil {
		return err
	}
	ledger.SortByIdentity(recs)
	return s.inTx(ctx, "write spend", func(tx *sql.Tx) error {
		inserted, err := insertSpend(ctx, tx, recs)
		if err != nil || len(inserted) == 0 {
			return err
		}
		counting, err := countingRecords(ctx, tx, inserted)
		if err != nil {
			return err
		}
		change := ledger.PlanRollup(inserted, counting)
		if err := setCountsRequest(ctx, tx, change.Uncount, false); err != nil {
			return err
		}
		if err := setCountsRequest(ctx, tx, change.Count, true); err != nil {
			return err
		}
		return upsertDaily(ctx, tx, change.Deltas)
	})
}

// insertSpend inserts the records and returns those that were new.
func insertSpend(ctx context.Context, tx *sql.Tx, recs []ledger.Record) ([]ledger.Record, error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO spend (started_at, request_id, attempt, key_id, team_id, user_id, end_user,
		alias, deployment, provider, model, reason, outcome, stream,
		input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
		estimated, unpriced, cost_nano_usd, pricing_version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	var inserted []ledger.Record
	for _, r := range recs {
		u := r.Usage
		res, err := stmt.ExecContext(ctx, micros(r.Time), r.RequestID, r.Attempt, r.KeyID, r.TeamID, r.UserID, r.EndUser,
			r.Alias, r.Deployment, r.Provider, r.Model, string(r.Reason), string(r.Outcome), r.Stream,
			u.InputTokens, u.CachedInputTokens, u.CacheWriteTokens, u.OutputTokens, u.ReasoningTokens,
			r.Estimated, r.Unpriced, r.CostNanoUSD, r.PricingVersion)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n == 1 {
			inserted = append(inserted, r)
		}
	}
	return inserted, nil
}

// countingRecords returns, for each request of the new records, the stored
// record that counted it before this batch (the new ones do not count yet).
func countingRecords(ctx context.Context, tx *sql.Tx, inserted []ledger.Record) (map[string]ledger.Record, error) {
	stmt, err := tx.PrepareContext(ctx, `SELECT started_at, attempt, key_id, team_id, user_id, model, provider, deployment, alias
		FROM spend WHERE request_id = ? AND counts_request = 1`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	counting := map[string]ledger.Record{}
	seen := map[string]bool{}
	for _, r := range inserted {
		if seen[r.RequestID] {
			continue
		}
		seen[r.RequestID] = true
		c := ledger.Record{RequestID: r.RequestID}
		var started int64
		err := stmt.QueryRowContext(ctx, r.RequestID).Scan(&started, &c.Attempt, &c.KeyID, &c.TeamID, &c.UserID,
			&c.Model, &c.Provider, &c.Deployment, &c.Alias)
		switch {
		case err == sql.ErrNoRows:
			continue
		case err != nil:
			return nil, err
		}
		c.Time = fromMicros(started)
		counting[r.RequestID] = c
	}
	return counting, nil
}

func setCountsRequest(ctx context.Context, tx *sql.Tx, recs []ledger.Record, counts bool) error {
	if len(recs) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE spend SET counts_request = ? WHERE started_at = ? AND request_id = ? AND attempt = ?`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, r := range recs {
		if _, err := stmt.ExecContext(ctx, counts, micros(r.Time), r.RequestID, r.Attempt); err != nil {
			return err
		}
	}
	return nil
}

func upsertDaily(ctx context.Context, tx *sql.Tx, deltas []ledger.DailyDelta) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO spend_daily (day, key_id, team_id, user_id, model, provider, deployment, alias,
		requests, attempts, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
		cost_nano_usd, estimated_attempts, unpriced_attempts)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (day, key_id, team_id, user_id, model, provider, deployment, alias) DO UPDATE SET
			requests = requests + excluded.requests,
			attempts = attempts + excluded.attempts,
			input_tokens = input_tokens + excluded.input_tokens,
			cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
			cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
			output_tokens = output_tokens + excluded.output_tokens,
			reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
			cost_nano_usd = cost_nano_usd + excluded.cost_nano_usd,
			estimated_attempts = estimated_attempts + excluded.estimated_attempts,
			unpriced_attempts = unpriced_attempts + excluded.unpriced_attempts`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, d := range deltas {
		k, t := d.Key, d.Totals
		if _, err := stmt.ExecContext(ctx, micros(k.Day), k.KeyID, k.TeamID, k.UserID, k.Model, k.Provider, k.Deployment, k.Alias,
			t.Requests, t.Attempts, t.Usage.InputTokens, t.Usage.CachedInputTokens, t.Usage.CacheWriteTokens,
			t.Usage.OutputTokens, t.Usage.ReasoningTokens, t.CostNanoUSD, t.EstimatedAttempts, t.UnpricedAttempts); err != nil {
			return fmt.Errorf("rollup: %w", err)
		}
	}
	return nil
}
