package llm

import (
	"errors"
	"time"
)

// Route tells how the gateway served a request: which alias answered (after
// content rules and fallbacks), which rule chose it, and every attempt that
// reached a provider on the way. The router fills it in; transports turn it
// into response headers and proto fields.
type Route struct {
	// Alias is the alias whose deployment served the answer. It differs
	// from the requested model when a content rule or a fallback chose
	// another alias.
	Alias string
	// Rule names the content-based rule that chose Alias, if one did.
	Rule string
	// Attempts are the attempts in the order they were started.
	Attempts []Attempt
}

// AttemptReason says why an attempt was made.
type AttemptReason string

// Attempt reasons.
const (
	// AttemptFirst is the first attempt of a request.
	AttemptFirst AttemptReason = "first"
	// AttemptFailover moves to another deployment of the same alias after
	// a failure.
	AttemptFailover AttemptReason = "failover"
	// AttemptRetry sends the request again to a deployment that already
	// failed it, after a backoff.
	AttemptRetry AttemptReason = "retry"
	// AttemptFallback moves to a fallback alias of the failure's class.
	AttemptFallback AttemptReason = "fallback"
	// AttemptKey moves to the next key of a deployment's credential pool
	// after a rate limit on the previous key.
	AttemptKey AttemptReason = "key"
	// AttemptHedge is a second request started while the first was still
	// waiting for its first token.
	AttemptHedge AttemptReason = "hedge"
	// AttemptContinuation resumes a broken stream on another deployment
	// with the partial answer appended to the conversation.
	AttemptContinuation AttemptReason = "continuation"
)

// AttemptOutcome is how an attempt ended.
type AttemptOutcome string

// Attempt outcomes.
const (
	// OutcomeOK: the attempt answered in full.
	OutcomeOK AttemptOutcome = "ok"
	// OutcomeFailed: the attempt failed before any output reached the
	// caller.
	OutcomeFailed AttemptOutcome = "failed"
	// OutcomeBroken: a stream failed after output had reached the caller.
	OutcomeBroken AttemptOutcome = "broken"
	// OutcomeCanceled: the gateway abandoned the attempt (it lost a hedge
	// race) or the caller went away.
	OutcomeCanceled AttemptOutcome = "canceled"
	// OutcomeStreaming: the attempt is serving the stream; its outcome is
	// not known yet.
	OutcomeStreaming AttemptOutcome = "streaming"
)

// Attempt is one request sent to one deployment. Metering charges each
// attempt that reached a provider, so each reports its own usage.
type Attempt struct {
	// Number counts the request's attempts from 1, in start order.
	Number int
	// Alias, Deployment, Provider and Model name what was called (Model is
	// the upstream model name).
	Alias      string
	Deployment string
	Provider   string
	Model      string
	// Key is the index of the credential-pool key used (0 without a pool).
	Key    int
	Reason AttemptReason
	// Outcome is how the attempt ended.
	Outcome AttemptOutcome
	// ErrorKind and Status describe a failure (Status is the upstream HTTP
	// status, when there was one).
	ErrorKind Kind
	Status    int
	// Start is when the attempt began; Latency how long it ran (until the
	// response, or until the end of the stream); TTFT the time to the first
	// streamed chunk (0 for unary calls and streams that sent nothing).
	Start   time.Time
	Latency time.Duration
	TTFT    time.Duration
	// Usage is what the provider reported, or, when it reported nothing
	// (a failure, a broken or abandoned stream), the gateway's estimate
	// with UsageEstimated set: the estimated prompt tokens, and the tokens
	// of the output received.
	Usage          Usage
	UsageEstimated bool
}

// Failed reports whether the attempt ended in an error.
func (a *Attempt) Failed() bool { return a.Outcome == OutcomeFailed || a.Outcome == OutcomeBroken }

// RouteError is the error of a request that failed after attempts were
// made, with their record. It unwraps to the error the caller gets.
type RouteError struct {
	Err   error
	Route *Route
	// Cost is what the failed request cost (attempts that consumed tokens
	// before it failed), set by the gateway's metering; see CostOf.
	Cost *Cost
}

func (e *RouteError) Error() string { return e.Err.Error() }

// Unwrap returns the error the caller gets.
func (e *RouteError) Unwrap() error { return e.Err }

// RouteOf returns the route recorded in err's chain, or nil.
func RouteOf(err error) *Route {
	var re *RouteError
	if errors.As(err, &re) {
		return re.Route
	}
	return nil
}
