package ledger

import (
	"context"
	"errors"
)

// Storage sentinels. Store implementations return them (possibly wrapped);
// any other error means the store is failing (unreachable, timed out) and
// the same call may succeed later.
var (
	// ErrInvalidQuery: a Query or Filter is malformed (see Query.Validate).
	ErrInvalidQuery = errors.New("ledger: invalid spend query")
)

// SpendWriter stores spend records.
type SpendWriter interface {
	// WriteSpend stores a batch of records atomically: all of them or, with
	// an error, none. It is idempotent on (RequestID, Attempt, Time):
	// writing a record that is already stored changes nothing, neither its
	// row nor the rollups, so a batch may be retried after any error. A
	// record that can never be stored makes the whole batch fail with an
	// error matching ErrInvalidRecord; records are normalized first (see
	// Record.Normalize). The slice belongs to the caller again once
	// WriteSpend returns (the Writer reuses it).
	WriteSpend(ctx context.Context, records []Record) error
}

// SpendQuerier answers grouped spend queries.
type SpendQuerier interface {
	// QuerySpend totals the records whose Time is in [q.From, q.To) and
	// that match q's filters, grouped by q.GroupBy, and calls yield for
	// each non-empty group in ascending order of the grouped dimensions
	// (in GroupBy's order; strings by bytes, days by date). Rows are
	// streamed: yield runs while the query is open, so it should not
	// linger. An error from yield stops the query and is returned as is.
	// A malformed query fails with an error matching ErrInvalidQuery.
	//
	// Whole UTC days are read from the daily rollups and only the partial
	// days at either end from the records, so a long range costs as much
	// as its number of days and groups, not its number of records.
	QuerySpend(ctx context.Context, q Query, yield func(Row) error) error
}

// SpendTotaler sums cost.
type SpendTotaler interface {
	// SpendTotal is the cost, in nano-USD, of the records matching f:
	// QuerySpend's total without grouping, served the same way (rollups for
	// whole days). It is 0 when nothing matches.
	SpendTotal(ctx context.Context, f Filter) (int64, error)
}

// Store is the spend ledger's persistence: store/postgres and store/sqlite
// implement it, and store/storetest.RunSpend is the conformance suite they
// pass. Implementations are safe for concurrent use.
type Store interface {
	SpendWriter
	SpendQuerier
	SpendTotaler
}
