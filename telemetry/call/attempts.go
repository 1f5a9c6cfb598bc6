package call

import "github.com/switchboard-gw/switchboard/llm"

// maxAttemptCosts bounds the per-attempt costs a Record keeps for its
// attempt spans; a request that makes more attempts still adds them all to
// its total.
const maxAttemptCosts = 16

// AddCost adds the cost of one attempt (metering's figure, in nano-USD) to
// the request's total, and keeps it for the attempt's span. It is safe to
// call from any goroutine.
func (r *Record) AddCost(attempt int, nanoUSD int64) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.costNanoUSD += nanoUSD
	r.costKnown = true
	if len(r.attemptCost) < maxAttemptCosts {
		r.attemptCost = append(r.attemptCost, attemptCost{number: attempt, nanoUSD: nanoUSD})
	}
}

// Cost returns the request's cost so far in nano-USD, and whether any was
// recorded.
func (r *Record) Cost() (nanoUSD int64, known bool) {
	if r == nil {
		return 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.costNanoUSD, r.costKnown
}

// AttemptCost returns the cost recorded for attempt number n.
func (r *Record) AttemptCost(n int) (nanoUSD int64, known bool) {
	if r == nil {
		return 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.attemptCost {
		if c.number == n {
			nanoUSD += c.nanoUSD
			known = true
		}
	}
	return nanoUSD, known
}

// Previous is the last failed attempt before the one being made: where a
// failover, retry or fallback moved from, and why.
type Previous struct {
	Deployment, Provider, Alias string
	ErrorKind                   llm.Kind
}

// NoteAttempt records that attempt a ended; a failed one becomes the
// Previous of the attempts that follow.
func (r *Record) NoteAttempt(a *llm.Attempt) {
	if r == nil || !a.Failed() {
		return
	}
	r.mu.Lock()
	r.prev = Previous{Deployment: a.Deployment, Provider: a.Provider, Alias: a.Alias, ErrorKind: a.ErrorKind}
	r.prevFailed = true
	r.mu.Unlock()
}

// PreviousFailure returns the last failed attempt so far, if any.
func (r *Record) PreviousFailure() (Previous, bool) {
	if r == nil {
		return Previous{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.prevFailed {
		return Previous{}, false
	}
	return r.prev, true
}
