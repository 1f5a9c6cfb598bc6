package router

import (
	"time"
)

// Alias is a model name callers use. It is either served by deployments,
// chosen by its Strategy, or, when it has Rules, it chooses another alias
// from the request's content.
type Alias struct {
	Name        string
	Deployments []*Deployment
	Strategy    Strategy
	// Exploration is the share of requests the least-latency strategy
	// sends to a deployment other than the fastest, so that a deployment
	// that recovered is measured again (default 0.05; negative: none).
	Exploration float64
	// Fallbacks lists, per error class, the aliases tried in order once
	// this alias's deployments failed with an error of that class.
	Fallbacks Fallbacks
	// Retry configures retries and the retry budget.
	Retry RetryPolicy
	// Timeouts are the alias's defaults for its deployments' timeouts.
	Timeouts Timeouts
	// Hedge configures hedged requests (off when Delay and Percentile are
	// zero).
	Hedge HedgePolicy
	// Continuation configures the resumption of broken streams.
	Continuation ContinuationPolicy

	// Rules choose an alias from the request; the first that matches
	// wins, Default serves when none does. An alias with rules has no
	// deployments.
	Rules   []Rule
	Default string
}

// Fallbacks lists fallback aliases per error class.
type Fallbacks [numClasses][]string

// RetryPolicy configures how often a request is sent again.
type RetryPolicy struct {
	// MaxRetries is how many attempts beyond one per deployment a request
	// may make in this alias: the deployments that failed with a
	// retryable error are tried again, after a backoff.
	MaxRetries int
	// Backoff is the base of the exponential backoff before a retry: the
	// n-th retry waits a random time in [0, min(MaxBackoff, Backoff*2^n))
	// ("full jitter"), and at least what the deployment's Retry-After
	// asked for.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After a retry waits for; a
	// deployment that asks for more is not retried in this request.
	MaxRetryAfter time.Duration
	// BudgetRatio caps retries and hedges at this share of the alias's
	// requests over the last 10 seconds (0.2: at most 20% extra load),
	// plus BudgetMinPerSecond, so that an outage is not amplified.
	// Negative: no budget.
	BudgetRatio        float64
	BudgetMinPerSecond float64
}

// DefaultRetryPolicy returns the built-in retry policy: one retry after
// every deployment was tried, 100ms base backoff up to 5s, Retry-After up
// to 5s honoured, and a budget of 20% extra load plus 5 retries a second.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxRetries:         1,
		Backoff:            100 * time.Millisecond,
		MaxBackoff:         5 * time.Second,
		MaxRetryAfter:      5 * time.Second,
		BudgetRatio:        0.2,
		BudgetMinPerSecond: 5,
	}
}

// HedgePolicy configures hedged requests: when an attempt has produced
// nothing (no first token for a stream, no answer for a unary call) after a
// delay, the same request is sent to the next deployment too; the first to
// produce wins and the other is canceled.
type HedgePolicy struct {
	// Delay is the fixed delay before a hedge, and the delay used while
	// Percentile has too few samples.
	Delay time.Duration
	// Percentile, when set (50 to 99), waits the deployment's estimated
	// percentile of time to first token (streams) or latency (unary).
	Percentile int
	// Max is the number of hedges per request (default 1).
	Max int
}

func (h HedgePolicy) enabled() bool { return h.Delay > 0 || h.Percentile > 0 }

// ContinuationPolicy configures the resumption of streams that break after
// output reached the caller: the request is sent to another deployment
// with the partial answer appended as an assistant message, and its output
// continues the same stream. See docs/routing.md for its limits.
type ContinuationPolicy struct {
	Enabled bool
	// Max is the number of continuations per stream (default 1).
	Max int
}
