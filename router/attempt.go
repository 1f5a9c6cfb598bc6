package router

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// attemptRun is one attempt in progress: its record in the run, and what
// settling it needs.
type attemptRun struct {
	rn *run
	// ctx is the context the attempt's upstream call derives from: the
	// request's (or hedge race's), with what the AttemptHook added.
	ctx   context.Context
	idx   int
	m     *member
	probe bool
	start time.Time
	ended bool
	// req is what was sent, when not the run's request (a continuation).
	req *llm.Request
	// output is a stream's output as received, kept only when the
	// router has a TokenCounter, to count it if no usage is reported.
	output *strings.Builder
}

// settle says what an ended attempt tells the deployment's breaker.
type settle int

const (
	// settleNone: nothing yet (a rate-limited key; the next key decides).
	settleNone settle = iota
	settleSuccess
	settleFailure
	// settleRelease: no verdict (canceled): give back a probe slot.
	settleRelease
)

// begin records the start of an attempt on m, made in ctx.
func (rn *run) begin(ctx context.Context, m *member, reason llm.AttemptReason, key int, probe bool) *attemptRun {
	now := rn.r.clock.Now()
	rn.mu.Lock()
	idx := len(rn.attempts)
	rn.attempts = append(rn.attempts, llm.Attempt{
		Number:     idx + 1,
		Alias:      m.alias.Name,
		Deployment: m.d.Name,
		Provider:   m.d.ProviderName,
		Model:      m.d.Model,
		Key:        key,
		Reason:     reason,
		Start:      now,
	})
	started := rn.attempts[idx]
	rn.mu.Unlock()
	if rn.r.hook != nil {
		ctx = startHook(rn.r.hook, ctx, started)
	}
	m.st.count(now.UnixNano(), 1, rn.estInput)
	ar := &attemptRun{}
	if idx < len(rn.arBuf) {
		ar = &rn.arBuf[idx] // most requests make one or two attempts: no allocation
	}
	*ar = attemptRun{rn: rn, ctx: ctx, idx: idx, m: m, probe: probe, start: now}
	return ar
}

// startHook tells h that a starts. a is a copy, taken by value here so
// that only routers with a hook pay for it escaping to the heap.
func startHook(h AttemptHook, ctx context.Context, a llm.Attempt) context.Context {
	return h.AttemptStart(ctx, &a)
}

// endHook tells h that a ended (by value, as startHook).
func endHook(h AttemptHook, ctx context.Context, a llm.Attempt) { h.AttemptEnd(ctx, &a) }

// end settles an attempt: its record, the breaker, the statistics, and the
// observer, and returns the usage recorded. usage is what the provider
// reported; when estimated is set it holds only the output tokens
// received, and the prompt is estimated (or counted: promptTokens).
func (ar *attemptRun) end(outcome llm.AttemptOutcome, err error, usage llm.Usage, estimated bool, ttft time.Duration, s settle) llm.Usage {
	if ar.ended {
		return llm.Usage{}
	}
	ar.ended = true
	rn := ar.rn
	now := rn.r.clock.Now()
	latency := now.Sub(ar.start)
	if estimated {
		usage = ar.countEstimate(usage, outcome, err)
	}
	rn.mu.Lock()
	a := &rn.attempts[ar.idx]
	a.Outcome, a.Latency, a.TTFT, a.Usage, a.UsageEstimated = outcome, latency, ttft, usage, estimated
	if err != nil {
		var e *llm.Error
		a.ErrorKind = llm.KindOf(err)
		if errors.As(err, &e) {
			a.Status = e.Status
		}
	}
	record := *a
	rn.mu.Unlock()

	m, ns := ar.m, now.UnixNano()
	switch s {
	case settleSuccess:
		m.st.breaker.record(m.breaker, ns, false, ar.probe)
	case settleFailure:
		m.st.breaker.record(m.breaker, ns, true, ar.probe)
	case settleRelease:
		m.st.breaker.release(ar.probe)
	}
	if s == settleSuccess || s == settleFailure {
		m.st.observe(ns, rn.stream, outcome == llm.OutcomeOK, latency, ttft)
	}
	if extra := usage.InputTokens + usage.OutputTokens - rn.estInput; extra != 0 {
		m.st.count(ns, 0, extra)
	}
	if rn.r.observer != nil {
		rn.r.observer(rn.ctx, record)
	}
	if rn.r.hook != nil {
		endHook(rn.r.hook, ar.ctx, record)
	}
	return usage
}

// markStreaming notes that the attempt is serving the stream.
func (ar *attemptRun) markStreaming(ttft time.Duration) {
	ar.rn.mu.Lock()
	a := &ar.rn.attempts[ar.idx]
	a.Outcome, a.TTFT = llm.OutcomeStreaming, ttft
	ar.rn.mu.Unlock()
}

// route returns a snapshot of the run's route. Attempts still running
// (abandoned hedges being canceled) show as canceled.
func (rn *run) route() *llm.Route {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	// One allocation for the route and, usually, its attempts.
	ra := &routeAlloc{}
	rt := &ra.route
	*rt = llm.Route{Alias: rn.primary.Name, Rule: rn.rule, Attempts: ra.attempts[:0]}
	rt.Attempts = append(rt.Attempts, rn.attempts...)
	for i := range rt.Attempts {
		a := &rt.Attempts[i]
		if a.Outcome == "" {
			a.Outcome = llm.OutcomeCanceled
		}
		if a.Outcome == llm.OutcomeOK || a.Outcome == llm.OutcomeStreaming {
			rt.Alias = a.Alias
		}
	}
	return rt
}

type routeAlloc struct {
	route    llm.Route
	attempts [2]llm.Attempt
}

// serviceKeys returns the order in which to use a deployment's keys: from
// a rotating start, skipping keys that are cooling down after a rate limit
// (unless all are).
func (m *member) serviceKeys(now int64, dst []int) []int {
	n := len(m.d.keys())
	dst = dst[:0]
	if n == 1 {
		return append(dst, 0)
	}
	start := int(m.st.keyCursor.Add(1)) % n
	var cooling [maxKeys]int
	c := 0
	for i := range n {
		k := (start + i) % n
		if m.st.keys[k].Load() > now && c < maxKeys {
			cooling[c] = k
			c++
			continue
		}
		dst = append(dst, k)
	}
	return append(dst, cooling[:c]...)
}

const maxKeys = 64

// coolKey rests a rate-limited key for its Retry-After (1s when none).
func (m *member) coolKey(k int, now int64, retryAfter time.Duration) {
	if retryAfter <= 0 {
		retryAfter = time.Second
	}
	m.st.keys[k].Store(now + int64(retryAfter))
}

// rateLimitedKey reports whether err is a rate limit that another key of
// the pool may not have.
func rateLimitedKey(err error) (time.Duration, bool) {
	var e *llm.Error
	if errors.As(err, &e) && e.Kind == llm.KindRateLimited {
		return e.RetryAfter, true
	}
	return 0, false
}
