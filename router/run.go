package router

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// run is one request's way through its aliases: which deployment to try
// next, what was tried, and the record of every attempt. Its routing
// fields are used by one goroutine at a time (the request's, or the hedge
// race's loop); the attempt records are shared with hedge goroutines under
// mu.
type run struct {
	r        *Router
	ctx      context.Context
	stream   bool
	feat     features
	estInput int64 // estimated prompt tokens

	primary *compiledAlias // the alias asked for (after rules)
	rule    string

	cur       *compiledAlias
	order     []*member
	orderBuf  [8]*member
	pos       int
	retries   int // retries left in cur
	retryN    int // retries made, the backoff exponent
	entered   bool
	fallback  bool // cur was entered as a fallback
	skipAlias bool // the last failure says no deployment of cur will do
	visited   []*compiledAlias
	visitBuf  [4]*compiledAlias
	pending   []*compiledAlias
	tries     []try
	triesBuf  [8]try
	hedges    int
	started   int // deployments called (retries included, keys not)
	curCalls  int // deployments called in cur

	lastErr     error
	lastVerdict verdict
	lastClass   ErrorClass
	budgetSpent bool
	gateErr     error // the DeploymentGate's last refusal

	mu       sync.Mutex
	prompts  []promptCount // prompts counted by the TokenCounter
	attempts []llm.Attempt
	attBuf   [4]llm.Attempt
	arBuf    [2]attemptRun
}

// try is what the run knows of one deployment it called.
type try struct {
	st        *deploymentState
	m         *member
	notBefore int64 // Retry-After
	excluded  bool  // not to be retried in this request
	retryable bool  // the last failure may go away
}

// pick resolves the model, applying an alias's content rules.
func (r *Router) pick(model string, f *features) (*compiledAlias, string, error) {
	a, err := r.alias(model)
	if err != nil {
		return nil, "", err
	}
	if a.isRules {
		t, rule := a.choose(f)
		return t, rule, nil
	}
	return a, "", nil
}

func (rn *run) now() int64 { return rn.r.clock.Now().UnixNano() }

// enter starts trying alias a.
func (rn *run) enter(a *compiledAlias, asFallback bool) {
	rn.cur = a
	rn.order = a.order(rn.orderBuf[:0], &rn.feat, rn.stream, rn.now(), rn.r.random)
	rn.pos = 0
	rn.retries = a.Retry.MaxRetries
	rn.fallback = asFallback
	rn.skipAlias = false
	rn.curCalls = 0
	rn.visited = append(rn.visited, a)
}

// step is the next attempt to make.
type step struct {
	m      *member
	reason llm.AttemptReason
	probe  bool
	wait   time.Duration
}

// next returns the next attempt, or the error to give the caller when
// there is none: untried deployments of the current alias in strategy
// order first, then retries of those that failed retryably (after a
// backoff, within the retry budget and the deadline), then the fallback
// aliases of the last failure's class.
func (rn *run) next() (step, error) {
	if !rn.entered {
		rn.entered = true
		rn.enter(rn.primary, false)
	}
	for {
		now := rn.now()
		if !rn.skipAlias {
			for rn.pos < len(rn.order) {
				m := rn.order[rn.pos]
				rn.pos++
				if rn.find(m.st) != nil {
					continue // already called through another alias
				}
				ok, probe := m.st.breaker.allow(m.breaker, now)
				if !ok || !rn.admitted(m, probe) {
					continue
				}
				reason := llm.AttemptFailover
				switch {
				case rn.started == 0:
					reason = llm.AttemptFirst
				case rn.fallback && rn.curCalls == 0:
					reason = llm.AttemptFallback
				}
				return step{m: m, reason: reason, probe: probe}, nil
			}
			if s, ok := rn.retry(now); ok {
				return s, nil
			}
		}
		if a := rn.nextFallback(); a != nil {
			rn.enter(a, true)
			continue
		}
		return step{}, rn.finalError(now)
	}
}

// retry picks a deployment of the current alias to send the request to
// again: the one that can go soonest (Retry-After, backoff), if the breaker,
// the retry budget and the deadline allow.
func (rn *run) retry(now int64) (step, bool) {
	if rn.retries <= 0 || len(rn.tries) == 0 {
		return step{}, false
	}
	var best *try
	for i := range rn.tries {
		t := &rn.tries[i]
		if t.excluded || !t.retryable || t.m.alias != rn.cur || !t.st.breaker.wouldAllow(t.m.breaker, now) {
			continue
		}
		if best == nil || t.notBefore < best.notBefore {
			best = t
		}
	}
	if best == nil {
		return step{}, false
	}
	wait := backoff(&rn.cur.Retry, rn.retryN, rn.r.random)
	if d := time.Duration(best.notBefore - now); d > wait {
		wait = d
	}
	if deadline, ok := rn.ctx.Deadline(); ok && time.Until(deadline) <= wait {
		return step{}, false // the caller would be gone before the answer
	}
	if !rn.primary.budget.withdraw(&rn.primary.Retry, now) {
		rn.budgetSpent = true
		return step{}, false
	}
	ok, probe := best.st.breaker.allow(best.m.breaker, now)
	if !ok || !rn.admitted(best.m, probe) {
		return step{}, false
	}
	rn.retries--
	rn.retryN++
	return step{m: best.m, reason: llm.AttemptRetry, probe: probe, wait: wait}, true
}

// nextFallback returns the next fallback alias for the last failure's
// class, or nil.
func (rn *run) nextFallback() *compiledAlias {
	class := rn.lastClass
	if rn.lastErr == nil {
		class = ClassOverloaded // every deployment was skipped: unavailable
	}
	// The current alias's fallbacks for this class go first, before those
	// still pending from an earlier alias.
	var queue []*compiledAlias
	for _, a := range rn.cur.fallbacks[class] {
		if !rn.wasVisited(a) {
			queue = append(queue, a)
		}
	}
	for _, a := range rn.pending {
		if !rn.wasVisited(a) && !containsAlias(queue, a) {
			queue = append(queue, a)
		}
	}
	if len(queue) == 0 {
		rn.pending = nil
		return nil
	}
	rn.pending = queue[1:]
	return queue[0]
}

func containsAlias(as []*compiledAlias, a *compiledAlias) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

func (rn *run) wasVisited(a *compiledAlias) bool { return containsAlias(rn.visited, a) }

func (rn *run) find(st *deploymentState) *try {
	for i := range rn.tries {
		if rn.tries[i].st == st {
			return &rn.tries[i]
		}
	}
	return nil
}

// called notes that m is being called.
func (rn *run) called(m *member) {
	rn.started++
	rn.curCalls++
	if t := rn.find(m.st); t != nil {
		t.m = m
		return
	}
	rn.tries = append(rn.tries, try{st: m.st, m: m})
}

// fail notes a failed attempt on m and returns what to do about it.
func (rn *run) fail(m *member, err error) verdict {
	v, class := judge(rn.ctx, err)
	rn.lastErr, rn.lastVerdict, rn.lastClass = err, v, class
	t := rn.find(m.st)
	if t == nil {
		return v
	}
	t.retryable = v == nextDeployment
	switch v {
	case deploymentBroken:
		t.excluded = true
	case nextAlias:
		rn.skipAlias = true
	case nextDeployment:
		var e *llm.Error
		if errors.As(err, &e) && e.RetryAfter > 0 {
			now := rn.now()
			m.st.coolFor(now, e.RetryAfter)
			if e.RetryAfter > rn.cur.Retry.MaxRetryAfter {
				t.excluded = true // longer than we will wait: the caller gets it
			} else {
				t.notBefore = now + int64(e.RetryAfter)
			}
		}
	}
	return v
}

// finalError is the error the caller gets when nothing is left to try.
func (rn *run) finalError(now int64) error {
	if rn.lastErr != nil {
		return rn.lastErr
	}
	if rn.gateErr != nil {
		return rn.gateErr // every deployment left is at its limits
	}
	// Nothing was called: every breaker is open.
	var wait time.Duration
	for _, m := range rn.primary.members {
		_, until, _, _, _ := m.st.breaker.snapshot(now)
		if d := time.Duration(until - now); d > 0 && (wait == 0 || d < wait) {
			wait = d
		}
	}
	return &llm.Error{
		Kind:       llm.KindUnavailable,
		Code:       "deployments_unavailable",
		RetryAfter: wait.Round(time.Second),
		Message:    fmt.Sprintf("every deployment of %q is unavailable (circuit breaker open); retry later", rn.primary.Name),
	}
}

// sleep waits before a retry.
func (rn *run) sleep(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	return rn.r.clock.Sleep(rn.ctx, d)
}

// routed wraps a failed request's error with its route, so that the
// transports can show which attempts were made.
func (rn *run) routed(err error) error {
	if err == nil || rn.started == 0 {
		return err
	}
	return &llm.RouteError{Err: err, Route: rn.route()}
}
