package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-gw/switchboard/billing/ledger"
)

var _ ledger.Store = (*Store)(nil)

// requestWindow bounds how far apart in time the attempts of one request
// are looked for when deciding which counts the request: a day on either
// side, so the lookup reads at most two or three partitions. Attempts of
// one request run within a request timeout of each other, minutes at most.
const requestWindow = 24 * time.Hour

// WriteSpend stores a batch in one transaction. It looks up which stored
// record counts each of the batch's requests, inserts the batch with a
// multi-row insert (arrays unnested server-side) that sets the new counting
// flags and skips stored records (ON CONFLICT DO NOTHING RETURNING the rows
// actually inserted), then adds only those rows to the daily rollups
// (upserts), so a replayed batch changes nothing. The monthly partitions
// the batch needs are created first, each once. Batches hold
// spendWriteLock shared, so a user's pseudonymization never interleaves
// with them (spendpseudonym.go).
func (s *Store) WriteSpend(ctx context.Context, records []ledger.Record) error {
	if len(records) == 0 {
		return nil
	}
	recs, err := ledger.ValidateBatch(records)
	if err != nil {
		return err
	}
	ledger.SortByIdentity(recs)
	times := make([]time.Time, len(recs))
	for i, r := range recs {
		times[i] = r.Time
	}
	if err := s.ensureSpendPartitionsFor(ctx, times); err != nil {
		return fmt.Errorf("write spend: %w", err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		counting, err := countingRecords(ctx, tx, recs)
		if err != nil {
			return err
		}
		// A record that will count its request is never one already
		// stored (that one would count it already), so the flag can be
		// set by the insert itself rather than by an update of most rows.
		counts := map[spendIdentity]bool{}
		for _, r := range ledger.PlanRollup(recs, counting).Count {
			counts[identityOf(r)] = true
		}
		inserted, err := insertSpend(ctx, tx, recs, counts)
		if err != nil || len(inserted) == 0 {
			return err
		}
		change := ledger.PlanRollup(inserted, counting)
		return applyRollupChange(ctx, tx, change, flagCorrections(change, inserted, counts))
	})
	if err != nil {
		if strings.HasPrefix(pgCode(err), "22") { // data exception: the content, not the database
			return fmt.Errorf("write spend: %w: %w", ledger.ErrInvalidRecord, err)
		}
		return fmt.Errorf("write spend: %w", err)
	}
	return nil
}

// flagUpdate sets one stored record's counting flag.
type flagUpdate struct {
	record ledger.Record
	counts bool
}

// flagCorrections lists the flag changes beyond those the insert made:
// records that no longer count their request (an earlier attempt arrived
// late), and, should the insert's flags differ from the plan made from the
// rows really inserted, the difference (normally none).
func flagCorrections(change ledger.RollupChange, inserted []ledger.Record, setByInsert map[spendIdentity]bool) []flagUpdate {
	var fixes []flagUpdate
	for _, r := range change.Uncount {
		fixes = append(fixes, flagUpdate{r, false})
	}
	planned := map[spendIdentity]bool{}
	for _, r := range change.Count {
		planned[identityOf(r)] = true
		if !setByInsert[identityOf(r)] {
			fixes = append(fixes, flagUpdate{r, true})
		}
	}
	for _, r := range inserted {
		if setByInsert[identityOf(r)] && !planned[identityOf(r)] {
			fixes = append(fixes, flagUpdate{r, false})
		}
	}
	return fixes
}

type spendIdentity struct {
	micros    int64
	requestID string
	attempt   int
}

func identityOf(r ledger.Record) spendIdentity {
	return spendIdentity{r.Time.UnixMicro(), r.RequestID, r.Attempt}
}

// insertSpend inserts recs and returns those that were not stored before.
func insertSpend(ctx context.Context, tx pgx.Tx, recs []ledger.Record, counts map[spendIdentity]bool) ([]ledger.Record, error) {
	// One array per column: the insert unnests them server-side.
	n := len(recs)
	var (
		startedAt  = make([]time.Time, n)
		attempts   = make([]int32, n)
		text       [12][]string // request_id, key_id, team_id, user_id, end_user, alias, deployment, provider, model, reason, outcome, pricing_version
		flags      [4][]bool    // stream, estimated, unpriced, counts_request
		sums       [6][]int64   // the five token counts, cost
		byIdentity = make(map[spendIdentity]ledger.Record, n)
	)
	for i := range text {
		text[i] = make([]string, n)
	}
	for i := range flags {
		flags[i] = make([]bool, n)
	}
	for i := range sums {
		sums[i] = make([]int64, n)
	}
	for i, r := range recs {
		startedAt[i], attempts[i] = r.Time, int32(r.Attempt)
		for j, v := range [...]string{r.RequestID, r.KeyID, r.TeamID, r.UserID, r.EndUser, r.Alias, r.Deployment,
			r.Provider, r.Model, string(r.Reason), string(r.Outcome), r.PricingVersion} {
			text[j][i] = v
		}
		for j, v := range [...]bool{r.Stream, r.Estimated, r.Unpriced, counts[identityOf(r)]} {
			flags[j][i] = v
		}
		u := r.Usage
		for j, v := range [...]int64{u.InputTokens, u.CachedInputTokens, u.CacheWriteTokens, u.OutputTokens, u.ReasoningTokens, r.CostNanoUSD} {
			sums[j][i] = v
		}
		if _, dup := byIdentity[identityOf(r)]; !dup {
			byIdentity[identityOf(r)] = r
		}
	}
	rows, err := tx.Query(ctx, `INSERT INTO spend (started_at, attempt,
			request_id, key_id, team_id, user_id, end_user, alias, deployment, provider, model, reason, outcome, pricing_version,
			stream, estimated, unpriced, counts_request,
			input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_nano_usd)
		SELECT * FROM unnest($1::timestamptz[], $2::integer[],
			$3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
			$12::text[], $13::text[], $14::text[],
			$15::boolean[], $16::boolean[], $17::boolean[], $18::boolean[],
			$19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[], $23::bigint[], $24::bigint[])
		ON CONFLICT DO NOTHING
		RETURNING started_at, request_id, attempt`,
		startedAt, attempts,
		text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7], text[8], text[9], text[10], text[11],
		flags[0], flags[1], flags[2], flags[3],
		sums[0], sums[1], sums[2], sums[3], sums[4], sums[5])
	if err != nil {
		return nil, err
	}
	var inserted []ledger.Record
	var id spendIdentity
	var started time.Time
	_, err = pgx.ForEachRow(rows, []any{&started, &id.requestID, &id.attempt}, func() error {
		id.micros = started.UnixMicro()
		r, ok := byIdentity[id]
		if !ok {
			return fmt.Errorf("insert returned a row that is not in the batch (request %q attempt %d)", id.requestID, id.attempt)
		}
		inserted = append(inserted, r)
		return nil
	})
	return inserted, err
}

// countingRecords returns, for each request of the batch that has stored
// records, the stored record that counts it. It first takes spendWriteLock
// shared (in the same round trip), before the transaction reads or locks
// anything, so that a pseudonymization in progress is waited for and none
// starts until the batch commits.
func countingRecords(ctx context.Context, tx pgx.Tx, recs []ledger.Record) (_ map[string]ledger.Record, err error) {
	ids := make([]string, 0, len(recs))
	seen := map[string]bool{}
	lo, hi := recs[0].Time, recs[0].Time
	for _, r := range recs {
		if !seen[r.RequestID] {
			seen[r.RequestID] = true
			ids = append(ids, r.RequestID)
		}
		lo, hi = minTime(lo, r.Time), maxTime(hi, r.Time)
	}
	var b pgx.Batch
	b.Queue(`SELECT pg_advisory_xact_lock_shared($1)`, spendWriteLock)
	// One index probe per request on (request_id, started_at): the LATERAL
	// with LIMIT keeps the planner from trading them for a scan of the
	// whole window, which it otherwise does on a partition without
	// statistics yet (every new month), at a cost growing with the table.
	b.Queue(`SELECT s.started_at, s.request_id, s.attempt, s.key_id, s.team_id, s.user_id,
			s.model, s.provider, s.deployment, s.alias
		FROM unnest($1::text[]) AS r (id) CROSS JOIN LATERAL (
			SELECT * FROM spend
			WHERE request_id = r.id AND started_at >= $2 AND started_at < $3 AND counts_request
			LIMIT 1) AS s`,
		ids, lo.Add(-requestWindow), hi.Add(requestWindow))
	br := tx.SendBatch(ctx, &b)
	defer func() {
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	counting := map[string]ledger.Record{}
	var c ledger.Record
	_, err = pgx.ForEachRow(rows, []any{&c.Time, &c.RequestID, &c.Attempt, &c.KeyID, &c.TeamID, &c.UserID,
		&c.Model, &c.Provider, &c.Deployment, &c.Alias}, func() error {
		c.Time = c.Time.UTC()
		counting[c.RequestID] = c
		return nil
	})
	return counting, err
}

// applyRollupChange sends the flag corrections and the rollup upserts in
// one round trip. Flag corrections are rare (attempts arriving out of
// order) and each is a primary-key update of one partition.
func applyRollupChange(ctx context.Context, tx pgx.Tx, change ledger.RollupChange, fixes []flagUpdate) error {
	var b pgx.Batch
	for _, f := range fixes {
		b.Queue(`UPDATE spend SET counts_request = $4 WHERE started_at = $1 AND request_id = $2 AND attempt = $3`,
			f.record.Time, f.record.RequestID, f.record.Attempt, f.counts)
	}
	n := len(change.Deltas)
	days := make([]time.Time, n)
	dims := [7][]string{}
	for i := range dims {
		dims[i] = make([]string, n)
	}
	sums := [10][]int64{}
	for i := range sums {
		sums[i] = make([]int64, n)
	}
	for i, d := range change.Deltas {
		k, t := d.Key, d.Totals
		days[i] = k.Day
		for j, v := range []string{k.KeyID, k.TeamID, k.UserID, k.Model, k.Provider, k.Deployment, k.Alias} {
			dims[j][i] = v
		}
		for j, v := range []int64{t.Requests, t.Attempts, t.Usage.InputTokens, t.Usage.CachedInputTokens, t.Usage.CacheWriteTokens,
			t.Usage.OutputTokens, t.Usage.ReasoningTokens, t.CostNanoUSD, t.EstimatedAttempts, t.UnpricedAttempts} {
			sums[j][i] = v
		}
	}
	// WITH ORDINALITY ... ORDER BY keeps the deltas' sorted order, so
	// concurrent writers lock rollup rows in the same order.
	b.Queue(`INSERT INTO spend_daily AS d (day, key_id, team_id, user_id, model, provider, deployment, alias,
			requests, attempts, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
			cost_nano_usd, estimated_attempts, unpriced_attempts)
		SELECT day, key_id, team_id, user_id, model, provider, deployment, alias,
			requests, attempts, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
			cost_nano_usd, estimated_attempts, unpriced_attempts
		FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[],
			$16::bigint[], $17::bigint[], $18::bigint[])
			WITH ORDINALITY AS v (day, key_id, team_id, user_id, model, provider, deployment, alias,
				requests, attempts, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
				cost_nano_usd, estimated_attempts, unpriced_attempts, ord)
		ORDER BY ord
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
		days, dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6],
		sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7], sums[8], sums[9])
	return tx.SendBatch(ctx, &b).Close()
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
