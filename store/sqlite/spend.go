package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-gw/switchboard/billing/ledger"
)

var _ ledger.Store = (*Store)(nil)

// WriteSpend stores a batch in one transaction: the new records (a record
// already stored is skipped), with their requests' counting flags, and
// the daily rollups, which only the new records change.
//
// The batch costs a fixed number of statements, not a few per record: one
// query reads what is stored of the batch's requests, which tells both
// which records are new and which stored record counts each request; the
// new records then go in with their counts_request already decided, many
// rows per INSERT, and the rollups in one multi-row upsert. Only a batch
// bringing a lower attempt of an already counted request updates rows.
func (s *Store) WriteSpend(ctx context.Context, records []ledger.Record) error {
	if len(records) == 0 {
		return nil
	}
	recs, err := ledger.ValidateBatch(records)
	if err != nil {
		return err
	}
	recs = sortedUnique(recs)
	st, err := s.spendStatements(ctx)
	if err != nil {
		return fmt.Errorf("write spend: %w", err)
	}
	return s.inTx(ctx, "write spend", func(tx *sql.Tx) error {
		stored, err := storedAttempts(ctx, tx, st.stored, recs)
		if err != nil {
			return err
		}
		inserted, counting := stored.split(recs)
		if len(inserted) == 0 {
			return nil
		}
		change := ledger.PlanRollup(inserted, counting)
		if err := insertSpend(ctx, tx, st.insert, inserted, change.Count); err != nil {
			return err
		}
		if err := uncount(ctx, tx, change.Uncount); err != nil {
			return err
		}
		return upsertDaily(ctx, tx, st.daily, change.Deltas)
	})
}

// sortedUnique returns recs in ledger.SortByIdentity's order, keeping the
// first of records with the same identity (the one a row-by-row INSERT
// ... ON CONFLICT DO NOTHING would store). It sorts small keys rather
// than the records, which are large to move.
func sortedUnique(recs []ledger.Record) []ledger.Record {
	type key struct {
		id    spendIdentity
		index int
	}
	keys := make([]key, len(recs))
	for i, r := range recs {
		keys[i] = key{identityOf(r), i}
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(a.id.compare(b.id), cmp.Compare(a.index, b.index)) })
	out := make([]ledger.Record, 0, len(recs))
	for i, k := range keys {
		if i == 0 || k.id != keys[i-1].id {
			out = append(out, recs[k.index])
		}
	}
	return out
}

// spendIdentity is a record's primary key in the spend table.
type spendIdentity struct {
	startedAt int64
	requestID string
	attempt   int
}

func identityOf(r ledger.Record) spendIdentity {
	return spendIdentity{startedAt: micros(r.Time), requestID: r.RequestID, attempt: r.Attempt}
}

// compare orders identities as ledger.SortByIdentity orders records.
func (a spendIdentity) compare(b spendIdentity) int {
	return cmp.Or(cmp.Compare(a.startedAt, b.startedAt), strings.Compare(a.requestID, b.requestID), cmp.Compare(a.attempt, b.attempt))
}

// storedSpend is what the spend table already holds of a batch's
// requests: every stored attempt's identity, and the record counting each
// request (with the dimensions its rollup row is keyed by).
type storedSpend struct {
	identities map[spendIdentity]bool
	counting   map[string]ledger.Record
}

// storedAttempts reads the stored records of recs' requests in one query
// (the request ids go as one JSON array, so one prepared statement serves
// every batch; spend_by_request finds the rows). A batch of new requests
// reads nothing.
func storedAttempts(ctx context.Context, tx *sql.Tx, query *sql.Stmt, recs []ledger.Record) (storedSpend, error) {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.RequestID
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return storedSpend{}, err
	}
	rows, err := tx.StmtContext(ctx, query).QueryContext(ctx, string(idsJSON))
	if err != nil {
		return storedSpend{}, err
	}
	defer rows.Close()
	var stored storedSpend
	for rows.Next() {
		var id spendIdentity
		var counts bool
		var c ledger.Record
		if err := rows.Scan(&id.startedAt, &id.requestID, &id.attempt, &counts,
			&c.KeyID, &c.TeamID, &c.UserID, &c.Model, &c.Provider, &c.Deployment, &c.Alias); err != nil {
			return storedSpend{}, err
		}
		if stored.identities == nil {
			stored.identities, stored.counting = map[spendIdentity]bool{}, map[string]ledger.Record{}
		}
		stored.identities[id] = true
		if counts {
			c.RequestID, c.Attempt, c.Time = id.requestID, id.attempt, fromMicros(id.startedAt)
			stored.counting[id.requestID] = c
		}
	}
	return stored, rows.Err()
}

// split returns the records of recs not stored yet, and the records that
// count their requests before this batch (ledger.PlanRollup's arguments).
func (s storedSpend) split(recs []ledger.Record) (inserted []ledger.Record, counting map[string]ledger.Record) {
	if len(s.identities) == 0 {
		return recs, nil
	}
	inserted = make([]ledger.Record, 0, len(recs))
	for _, r := range recs {
		if !s.identities[identityOf(r)] {
			inserted = append(inserted, r)
		}
	}
	return inserted, s.counting
}

// insertSpend inserts recs (new, sorted by identity, unique), setting
// counts_request on those of counts (a subset of recs, sorted the same
// way). A conflict cannot happen inside the write transaction (BEGIN
// IMMEDIATE: no other writer since storedAttempts read), so it fails the
// batch rather than be skipped with the rollups already counting the row.
func insertSpend(ctx context.Context, tx *sql.Tx, insert *multiRowStatement, recs, counts []ledger.Record) error {
	next := 0 // the first record of counts not yet reached
	n, err := insert.execAll(ctx, tx, len(recs), func(args []any, i int) []any {
		r := recs[i]
		counted := false
		if next < len(counts) && identityOf(counts[next]) == identityOf(r) {
			counted = true
			next++
		}
		u := r.Usage
		return append(args, micros(r.Time), r.RequestID, int64(r.Attempt), r.KeyID, r.TeamID, r.UserID, r.EndUser,
			r.Alias, r.Deployment, r.Provider, r.Model, string(r.Reason), string(r.Outcome), r.Stream,
			u.InputTokens, u.CachedInputTokens, u.CacheWriteTokens, u.OutputTokens, u.ReasoningTokens,
			r.Estimated, r.Unpriced, r.CostNanoUSD, r.PricingVersion, counted)
	})
	switch {
	case err != nil:
		return err
	case n != int64(len(recs)):
		return fmt.Errorf("inserted %d of %d new records", n, len(recs))
	case next != len(counts):
		return fmt.Errorf("%d records to count are not in the batch", len(counts)-next)
	}
	return nil
}

// uncount clears counts_request on stored records whose request a lower
// attempt of this batch now counts: rare (an earlier attempt written
// after a later one), so one UPDATE each.
func uncount(ctx context.Context, tx *sql.Tx, recs []ledger.Record) error {
	for _, r := range recs {
		if _, err := tx.ExecContext(ctx, `UPDATE spend SET counts_request = 0 WHERE started_at = ? AND request_id = ? AND attempt = ?`,
			micros(r.Time), r.RequestID, int64(r.Attempt)); err != nil {
			return err
		}
	}
	return nil
}

func upsertDaily(ctx context.Context, tx *sql.Tx, upsert *multiRowStatement, deltas []ledger.DailyDelta) error {
	_, err := upsert.execAll(ctx, tx, len(deltas), func(args []any, i int) []any {
		k, t := deltas[i].Key, deltas[i].Totals
		return append(args, micros(k.Day), k.KeyID, k.TeamID, k.UserID, k.Model, k.Provider, k.Deployment, k.Alias,
			t.Requests, t.Attempts, t.Usage.InputTokens, t.Usage.CachedInputTokens, t.Usage.CacheWriteTokens,
			t.Usage.OutputTokens, t.Usage.ReasoningTokens, t.CostNanoUSD, t.EstimatedAttempts, t.UnpricedAttempts)
	})
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	return nil
}
