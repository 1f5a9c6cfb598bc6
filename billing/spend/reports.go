package spend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/llm"
)

// MaxRange bounds the range of one query: the rollups make a long range
// cheap, but not free (a row per group and day).
const MaxRange = 3 * 366 * 24 * time.Hour

// Params is a spend question.
type Params struct {
	// From is the start of the range (inclusive, required); To its end
	// (exclusive; zero: now).
	From, To time.Time
	// GroupBy lists the dimensions to total by, in order; none: one total.
	GroupBy []ledger.Dimension
	// KeyID, TeamID and UserID, when set, select the records of that key,
	// team or user.
	KeyID, TeamID, UserID string
}

// Reports answers spend questions from a ledger store. It is safe for
// concurrent use.
type Reports struct {
	store ledger.SpendQuerier
	now   func() time.Time
}

// NewReports returns Reports over store; now may be nil (time.Now).
func NewReports(store ledger.SpendQuerier, now func() time.Time) *Reports {
	if now == nil {
		now = time.Now
	}
	return &Reports{store: store, now: now}
}

// Query totals the records p selects, grouped by p.GroupBy, and calls
// yield for each group in ascending order of the grouped dimensions, as
// the store reads them (yield should not linger: the query is open while
// it runs). An error from yield stops the query and is returned as is.
// A malformed question is an *llm.Error of KindInvalidRequest naming the
// parameter; a failing store, KindUnavailable.
func (r *Reports) Query(ctx context.Context, p Params, yield func(ledger.Row) error) error {
	q, err := r.query(p)
	if err != nil {
		return err
	}
	var yieldErr error
	err = r.store.QuerySpend(ctx, q, func(row ledger.Row) error {
		if err := yield(row); err != nil {
			yieldErr = err
			return err
		}
		return nil
	})
	switch {
	case err == nil:
		return nil
	case yieldErr != nil && errors.Is(err, yieldErr):
		return err
	case errors.Is(err, ledger.ErrInvalidQuery):
		return &llm.Error{Kind: llm.KindInvalidRequest, Message: err.Error(), Err: err}
	case ctx.Err() != nil:
		return llm.AsError(ctx.Err())
	}
	return &llm.Error{Kind: llm.KindUnavailable, Code: "spend_ledger_unavailable",
		Message: "the spend ledger's database is unavailable; try again", Err: err}
}

// query checks p and turns it into the ledger's query.
func (r *Reports) query(p Params) (ledger.Query, error) {
	if p.From.IsZero() {
		return ledger.Query{}, invalid("start_time", "start_time is required")
	}
	if p.To.IsZero() {
		p.To = r.now()
	}
	if !p.From.Before(p.To) {
		return ledger.Query{}, invalid("end_time", "end_time (%s) must be after start_time (%s)",
			p.To.UTC().Format(time.RFC3339), p.From.UTC().Format(time.RFC3339))
	}
	if p.To.Sub(p.From) > MaxRange {
		return ledger.Query{}, invalid("start_time", "the range is longer than %d days; ask for less", int(MaxRange/(24*time.Hour)))
	}
	seen := map[ledger.Dimension]bool{}
	for _, d := range p.GroupBy {
		if !known(d) {
			return ledger.Query{}, invalid("group_by", "unknown dimension %q (known: %v)", d, ledger.Dimensions)
		}
		if seen[d] {
			return ledger.Query{}, invalid("group_by", "dimension %q is given twice", d)
		}
		seen[d] = true
	}
	return ledger.Query{
		Filter:  ledger.Filter{From: p.From, To: p.To, KeyID: p.KeyID, TeamID: p.TeamID, UserID: p.UserID},
		GroupBy: p.GroupBy,
	}, nil
}

func known(d ledger.Dimension) bool {
	for _, k := range ledger.Dimensions {
		if d == k {
			return true
		}
	}
	return false
}

func invalid(param, format string, args ...any) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Param: param, Message: fmt.Sprintf(format, args...)}
}
