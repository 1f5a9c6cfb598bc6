package ledger

import (
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Dimension is what spend can be grouped by.
type Dimension string

// Dimensions.
const (
	ByKey        Dimension = "key"
	ByTeam       Dimension = "team"
	ByUser       Dimension = "user"
	ByModel      Dimension = "model"
	ByProvider   Dimension = "provider"
	ByDeployment Dimension = "deployment"
	ByAlias      Dimension = "alias"
	// ByDay groups by the UTC day of the attempt's start.
	ByDay Dimension = "day"
)

// Dimensions lists every Dimension.
var Dimensions = []Dimension{ByKey, ByTeam, ByUser, ByModel, ByProvider, ByDeployment, ByAlias, ByDay}

// Filter selects records: those whose Time is in [From, To) and, for each
// of KeyID, TeamID and UserID that is set, whose field equals it.
type Filter struct {
	From, To time.Time
	KeyID    string
	TeamID   string
	UserID   string
}

// Query is a Filter and the dimensions to group by (none: one total).
type Query struct {
	Filter
	GroupBy []Dimension
}

// Normalize returns f with From and To in UTC, rounded up to the
// microsecond: records are stored to the microsecond, and for such a time
// t, t >= From and t < To hold exactly when they hold for the rounded
// bounds.
func (f Filter) Normalize() Filter {
	f.From, f.To = ceilMicro(f.From), ceilMicro(f.To)
	return f
}

func ceilMicro(t time.Time) time.Time {
	t = t.UTC()
	if d := t.Truncate(time.Microsecond); !d.Equal(t) {
		return d.Add(time.Microsecond)
	}
	return t
}

// Validate reports, as an error matching ErrInvalidQuery, a missing bound
// or an empty range.
func (f Filter) Validate() error {
	if f.From.IsZero() || f.To.IsZero() {
		return fmt.Errorf("%w: From and To are both required", ErrInvalidQuery)
	}
	if !f.From.Before(f.To) {
		return fmt.Errorf("%w: From (%s) must be before To (%s)", ErrInvalidQuery,
			f.From.Format(time.RFC3339Nano), f.To.Format(time.RFC3339Nano))
	}
	return nil
}

// Validate checks the filter and that GroupBy names known dimensions,
// each at most once.
func (q Query) Validate() error {
	if err := q.Filter.Validate(); err != nil {
		return err
	}
	for i, d := range q.GroupBy {
		if !slices.Contains(Dimensions, d) {
			return fmt.Errorf("%w: unknown dimension %q (known: %v)", ErrInvalidQuery, d, Dimensions)
		}
		if slices.Contains(q.GroupBy[:i], d) {
			return fmt.Errorf("%w: dimension %q given twice", ErrInvalidQuery, d)
		}
	}
	return nil
}

// Totals add up records. Requests counts each request once, in the group of
// its lowest-numbered recorded attempt, so requests add up across groups (a
// request that failed over from one model to another counts under the
// first); Attempts counts records.
type Totals struct {
	Requests          int64
	Attempts          int64
	Usage             llm.Usage
	CostNanoUSD       int64
	EstimatedAttempts int64
	UnpricedAttempts  int64
}

// AddRecord adds one record (its attempt, tokens, cost and flags; not a
// request, which depends on the request's other records).
func (t *Totals) AddRecord(r Record) {
	t.Attempts++
	t.Usage.Add(r.Usage)
	t.CostNanoUSD += r.CostNanoUSD
	if r.Estimated {
		t.EstimatedAttempts++
	}
	if r.Unpriced {
		t.UnpricedAttempts++
	}
}

// Add adds other to t.
func (t *Totals) Add(other Totals) {
	t.Requests += other.Requests
	t.Attempts += other.Attempts
	t.Usage.Add(other.Usage)
	t.CostNanoUSD += other.CostNanoUSD
	t.EstimatedAttempts += other.EstimatedAttempts
	t.UnpricedAttempts += other.UnpricedAttempts
}

// Row is one group of a spend query: the grouped dimensions' values (the
// others are empty) and the group's totals.
type Row struct {
	KeyID      string
	TeamID     string
	UserID     string
	Model      string
	Provider   string
	Deployment string
	Alias      string
	// Day is the group's UTC midnight when grouped by day.
	Day time.Time
	Totals
}

// Day is the UTC midnight starting t's day.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Span is the half-open range [From, To); it is empty when From >= To.
type Span struct{ From, To time.Time }

// Empty reports whether the span holds no instant.
func (s Span) Empty() bool { return !s.From.Before(s.To) }

// DaySplit is a range cut into the whole UTC days it covers, read from the
// rollups, and the partial days at either end, read from the records.
type DaySplit struct {
	Head Span // from the range's start to its first midnight
	Days Span // whole days, midnight to midnight
	Tail Span // from the range's last midnight to its end
}

// SplitDays cuts [from, to) (UTC) into whole days and the partial days at
// either end. A range within one day is all Head.
func SplitDays(from, to time.Time) DaySplit {
	from, to = from.UTC(), to.UTC()
	firstMidnight := Day(from)
	if firstMidnight.Before(from) {
		firstMidnight = firstMidnight.AddDate(0, 0, 1)
	}
	lastMidnight := Day(to)
	if firstMidnight.After(lastMidnight) {
		return DaySplit{Head: Span{from, to}, Days: Span{firstMidnight, firstMidnight}, Tail: Span{to, to}}
	}
	return DaySplit{
		Head: Span{from, firstMidnight},
		Days: Span{firstMidnight, lastMidnight},
		Tail: Span{lastMidnight, to},
	}
}
