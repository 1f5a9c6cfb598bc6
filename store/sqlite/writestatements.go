package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// Rows per execution of the batch writes' multi-row statements. SQLite
// takes at most 32766 host parameters, but past a few dozen rows a larger
// statement saves no CPU (measured with 16 to 256) and costs memory while
// it is prepared: every size up to 32 rows, for the spend and request
// statements together, holds about 0.7 MB (1.2 MB up to 64).
const batchRows = 32

// The inserts are INSERT OR FAIL. Under the default conflict resolution
// (ABORT) a statement that writes several rows must be undone alone when a
// constraint fails, so SQLite copies every page it changes into a statement
// journal first (a temporary file past 64 KiB): about a tenth of a batch's
// CPU. FAIL stops the statement where it fails and keeps its earlier rows,
// which is as safe here: a batch's transaction is rolled back on any error.
// The ON CONFLICT clauses apply as before.

// spendWrites are WriteSpend's statements.
type spendWrites struct {
	// stored reads the stored attempts of the requests in a JSON array.
	stored *sql.Stmt
	insert *multiRowStatement
	daily  *multiRowStatement
}

// requestWrites are WriteRequests' statements.
type requestWrites struct {
	insert *multiRowStatement
}

// writeStatements holds the batch writers' prepared statements. They are
// prepared on the writer pool's only connection the first time a batch
// needs them, before its transaction begins: preparing needs the
// connection, which a transaction holds until it ends.
type writeStatements struct {
	mu       sync.Mutex
	spend    *spendWrites
	requests *requestWrites
	closed   bool
}

func (s *Store) spendStatements(ctx context.Context) (*spendWrites, error) {
	w := &s.statements
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, errors.New("store is closed")
	}
	if w.spend != nil {
		return w.spend, nil
	}
	sw := &spendWrites{
		insert: newMultiRowStatement(`INSERT OR FAIL INTO spend (started_at, request_id, attempt, key_id, team_id, user_id, end_user,
			alias, deployment, provider, model, reason, outcome, stream,
			input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
			estimated, unpriced, cost_nano_usd, pricing_version, counts_request) VALUES`, 24, batchRows, ``),
		daily: newMultiRowStatement(`INSERT OR FAIL INTO spend_daily (day, key_id, team_id, user_id, model, provider, deployment, alias,
			requests, attempts, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
			cost_nano_usd, estimated_attempts, unpriced_attempts) VALUES`, 18, batchRows,
			addToDailyRow),
	}
	err := sw.insert.prepare(ctx, s.writer)
	if err == nil {
		err = sw.daily.prepare(ctx, s.writer)
	}
	if err == nil {
		sw.stored, err = s.writer.PrepareContext(ctx, `SELECT started_at, request_id, attempt, counts_request,
			key_id, team_id, user_id, model, provider, deployment, alias
			FROM spend WHERE request_id IN (SELECT value FROM json_each(?))`)
	}
	if err != nil {
		return nil, errors.Join(err, sw.close())
	}
	w.spend = sw
	return sw, nil
}

func (sw *spendWrites) close() error {
	var err error
	if sw.stored != nil {
		err = sw.stored.Close()
	}
	return errors.Join(err, sw.insert.close(), sw.daily.close())
}

func (s *Store) requestStatements(ctx context.Context) (*requestWrites, error) {
	w := &s.statements
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, errors.New("store is closed")
	}
	if w.requests != nil {
		return w.requests, nil
	}
	rw := &requestWrites{
		insert: newMultiRowStatement(`INSERT OR FAIL INTO request_records (`+requestColumns+`) VALUES`, 27, batchRows,
			`ON CONFLICT (request_id) DO NOTHING`),
	}
	if err := rw.insert.prepare(ctx, s.writer); err != nil {
		return nil, errors.Join(err, rw.insert.close())
	}
	w.requests = rw
	return rw, nil
}

// close closes the statements; later batches fail.
func (w *writeStatements) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	var errs []error
	if w.spend != nil {
		errs = append(errs, w.spend.close())
	}
	if w.requests != nil {
		errs = append(errs, w.requests.insert.close())
	}
	w.spend, w.requests = nil, nil
	return errors.Join(errs...)
}

// addToDailyRow adds a daily rollup row's totals to the stored row of the
// same day and dimensions (the spend writer's and pseudonymization's).
const addToDailyRow = `ON CONFLICT (day, key_id, team_id, user_id, model, provider, deployment, alias) DO UPDATE SET
	requests = requests + excluded.requests,
	attempts = attempts + excluded.attempts,
	input_tokens = input_tokens + excluded.input_tokens,
	cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
	cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
	output_tokens = output_tokens + excluded.output_tokens,
	reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
	cost_nano_usd = cost_nano_usd + excluded.cost_nano_usd,
	estimated_attempts = estimated_attempts + excluded.estimated_attempts,
	unpriced_attempts = unpriced_attempts + excluded.unpriced_attempts`
