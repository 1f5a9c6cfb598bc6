package ratelimit

import (
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Status is where one limit stands after a check.
type Status struct {
	Limit
	// Requested is what the check asked of this limit: 1 request, or the
	// estimated tokens.
	Requested int64
	// Remaining is how many requests or tokens the limit would admit right
	// now: after this request when it was allowed, without it when not.
	Remaining int64
	// Reset is how long until the limit is back to its full allowance if
	// nothing else is admitted (a duration, not a time: the clock that
	// counts is the Redis server's, not this process's).
	Reset time.Duration
	// Exceeded reports that this limit rejected the request.
	Exceeded bool
	// RetryAfter is, for an exceeded limit, how long until the request
	// would fit in it.
	RetryAfter time.Duration
	// TooLarge reports that the request alone asks more than the limit
	// admits in a minute: waiting cannot help (RetryAfter is 0).
	TooLarge bool
}

// Decision is the outcome of a check.
type Decision struct {
	// Allowed reports that the request was admitted and charged to every
	// limit.
	Allowed bool
	// Statuses has one entry per limit checked, in the order given.
	Statuses []Status
	// RetryAfter is, when the request was rejected, how long until it
	// would be admitted by every limit (0 when it is TooLarge).
	RetryAfter time.Duration
	// Degraded reports that the limits could not be checked (Redis was
	// unreachable) and the request was let through without them (fail
	// open); from Peek, that they could not be read. Statuses is empty
	// then.
	Degraded bool
}

// Rejection returns the limit that decides a rejection: one the request
// can never fit in, or else the exceeded limit that frees up last. ok is
// false when the request was allowed.
func (d Decision) Rejection() (s Status, ok bool) {
	if d.Allowed {
		return Status{}, false
	}
	for _, c := range d.Statuses {
		switch {
		case !c.Exceeded:
		case !ok, c.TooLarge && !s.TooLarge, !s.TooLarge && c.RetryAfter > s.RetryAfter:
			s, ok = c, true
		}
	}
	return s, ok
}

// Err returns the error a rejected request fails with: llm.KindRateLimited
// (HTTP 429, Connect ResourceExhausted) with code "rate_limit_exceeded",
// RetryAfter, and an OpenAI-style message that names the kind of limit but
// not the scope's id. Its cause is a *Rejected carrying d, so that a
// transport given only the error finds the headers to write (DecisionOf).
// It returns nil when the request was allowed.
func (d Decision) Err() *llm.Error {
	s, ok := d.Rejection()
	if !ok {
		return nil
	}
	what := "requests per minute (rpm)"
	if s.Kind == TPM {
		what = "tokens per minute (tpm)"
	}
	if noun := scopeNoun(s.Scope); noun != "" {
		what += " of the " + noun
	}
	var msg string
	if s.TooLarge {
		msg = fmt.Sprintf("Request too large for %s: limit %d, requested %d. Send fewer tokens.", what, s.PerMinute, s.Requested)
	} else {
		msg = fmt.Sprintf("Rate limit reached for %s: limit %d, remaining %d, requested %d. Please try again in %s.",
			what, s.PerMinute, s.Remaining, s.Requested, formatDuration(d.RetryAfter))
	}
	return &llm.Error{Kind: llm.KindRateLimited, RetryAfter: d.RetryAfter, Code: "rate_limit_exceeded", Message: msg,
		Err: &Rejected{Decision: d}}
}

// Rejected is the cause of the error Decision.Err returns.
type Rejected struct {
	Decision Decision
}

func (r *Rejected) Error() string {
	s, _ := r.Decision.Rejection()
	return fmt.Sprintf("rate limited by %s %s", s.Scope, s.Kind)
}

// DecisionOf returns the Decision of a rate-limit rejection anywhere in
// err's chain: a transport calls SetHeaders with it.
func DecisionOf(err error) (Decision, bool) {
	var r *Rejected
	if errors.As(err, &r) {
		return r.Decision, true
	}
	return Decision{}, false
}

// formatDuration writes d as OpenAI's reset headers do: "6m0s", "1.5s",
// "20ms", at millisecond precision.
func formatDuration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	return d.Round(time.Millisecond).String()
}
