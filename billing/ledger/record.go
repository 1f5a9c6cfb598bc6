package ledger

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-gw/switchboard/llm"
)

// MaxFieldBytes bounds every string of a Record. Longer values are cut (on a
// rune boundary) by Normalize: some of them come from callers (EndUser is
// the OpenAI `user` field, Alias can be a passthrough model name), and the
// rollup's primary key spans several of them, which PostgreSQL's B-tree
// limits to about 2.7 kB.
const MaxFieldBytes = 256

// Record is one provider attempt that consumed tokens: the ledger's unit.
// A request's cost is the sum of its records. (RequestID, Attempt) names
// the attempt; Time is part of the stored identity too (the PostgreSQL
// table is partitioned on it), so a replayed record must carry the same
// Time, which Normalize makes exact to the microsecond.
type Record struct {
	// RequestID is the gateway's id of the request; Attempt numbers the
	// request's attempts from 1 in start order (llm.Attempt.Number).
	RequestID string
	Attempt   int
	// Time is when the attempt started, UTC, microsecond precision.
	Time time.Time
	// KeyID, TeamID and UserID are the caller's principal (any may be
	// empty); EndUser is the end user the caller named (OpenAI's `user`).
	KeyID   string
	TeamID  string
	UserID  string
	EndUser string
	// Alias, Deployment, Provider and Model name what was called (Model is
	// the upstream model name).
	Alias      string
	Deployment string
	Provider   string
	Model      string
	// Reason is why the attempt was made; Outcome how it ended.
	Reason  llm.AttemptReason
	Outcome llm.AttemptOutcome
	// Stream is set for streamed calls.
	Stream bool
	// Usage is the tokens consumed, with llm.Usage's meaning (cached input
	// and cache writes are part of InputTokens; reasoning is part of
	// OutputTokens).
	Usage llm.Usage
	// Estimated is set when the counts are the gateway's own (the provider
	// reported none, or the stream was cut off).
	Estimated bool
	// Unpriced is set when the model had no price: the tokens are recorded
	// and CostNanoUSD is 0.
	Unpriced bool
	// CostNanoUSD is the attempt's cost in billionths of a US dollar, and
	// PricingVersion names the pricing table that computed it.
	CostNanoUSD    int64
	PricingVersion string
}

// Normalize returns r as the ledger stores it: Time in UTC truncated to the
// microsecond, and every string valid UTF-8 without NUL bytes (replaced by
// U+FFFD: PostgreSQL's text refuses both) and at most MaxFieldBytes long.
// Stores and the Writer normalize every record, so a record can never be
// refused for what a caller put in its free-text fields, and a replay
// stores exactly what the first write did.
func (r Record) Normalize() Record {
	r.Time = r.Time.UTC().Truncate(time.Microsecond)
	for _, s := range r.strings() {
		*s = cleanString(*s)
	}
	r.Reason = llm.AttemptReason(cleanString(string(r.Reason)))
	r.Outcome = llm.AttemptOutcome(cleanString(string(r.Outcome)))
	return r
}

func (r *Record) strings() []*string {
	return []*string{&r.RequestID, &r.KeyID, &r.TeamID, &r.UserID, &r.EndUser,
		&r.Alias, &r.Deployment, &r.Provider, &r.Model, &r.PricingVersion}
}

func cleanString(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	if len(s) <= MaxFieldBytes {
		return s
	}
	cut := MaxFieldBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// Earliest and latest attempt times the ledger accepts: from the Unix epoch
// (SQLite stores microseconds since it, and day arithmetic assumes them
// non-negative) to the end of year 9999.
var (
	minTime = time.Unix(0, 0).UTC()
	maxTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Validate reports, as an error matching ErrInvalidRecord, what makes r
// unstorable: a missing RequestID, Provider or Model, an Attempt below 1, a
// zero or out-of-range Time, a negative token count or cost, or a cost on
// an unpriced record. It does not check what Normalize repairs.
func (r Record) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if r.RequestID == "" {
		add("RequestID is empty")
	}
	if r.Attempt < 1 {
		add("Attempt is %d, want 1 or more", r.Attempt)
	}
	switch {
	case r.Time.IsZero():
		add("Time is zero")
	case r.Time.Before(minTime) || !r.Time.Before(maxTime):
		add("Time %s is outside 1970-01-01..9999-12-31", r.Time.Format(time.RFC3339))
	}
	if r.Provider == "" {
		add("Provider is empty")
	}
	if r.Model == "" {
		add("Model is empty")
	}
	u := r.Usage
	if u.InputTokens < 0 || u.CachedInputTokens < 0 || u.CacheWriteTokens < 0 || u.OutputTokens < 0 || u.ReasoningTokens < 0 {
		add("a token count is negative (%+v)", u)
	}
	if r.CostNanoUSD < 0 {
		add("CostNanoUSD is negative (%d)", r.CostNanoUSD)
	}
	if r.Unpriced && r.CostNanoUSD != 0 {
		add("CostNanoUSD is %d on an unpriced record, want 0", r.CostNanoUSD)
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: request %q attempt %d: %s", ErrInvalidRecord, r.RequestID, r.Attempt, strings.Join(problems, "; "))
}

// ValidateBatch normalizes and validates every record of a batch, for the
// stores: it returns the normalized records, or the first problem found (a
// batch is stored whole or not at all).
func ValidateBatch(records []Record) ([]Record, error) {
	out := make([]Record, len(records))
	for i, r := range records {
		out[i] = r.Normalize()
		if err := out[i].Validate(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ErrInvalidRecord: a record cannot be stored for what it holds (see
// Record.Validate). Retrying it never helps.
var ErrInvalidRecord = errors.New("ledger: invalid spend record")
