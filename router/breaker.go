package router

import (
	"sync"
	"sync/atomic"
	"time"
)

// BreakerPolicy configures a deployment's circuit breaker. It opens after
// ConsecutiveFailures failures in a row, or when at least MinRequests
// attempts in the last Window failed at FailureRate or more. While open, the
// deployment gets no request. After OpenFor it is half-open: up to
// HalfOpenProbes requests go through as probes; their success closes the
// breaker, a failure opens it again.
type BreakerPolicy struct {
	Disabled            bool
	ConsecutiveFailures int
	FailureRate         float64
	MinRequests         int
	Window              time.Duration
	OpenFor             time.Duration
	HalfOpenProbes      int
}

// DefaultBreakerPolicy returns the built-in breaker: open after 5
// consecutive failures or a 50% failure rate over 20+ attempts in 30s,
// probe after 10s with one request.
func DefaultBreakerPolicy() BreakerPolicy {
	return BreakerPolicy{
		ConsecutiveFailures: 5,
		FailureRate:         0.5,
		MinRequests:         20,
		Window:              30 * time.Second,
		OpenFor:             10 * time.Second,
		HalfOpenProbes:      1,
	}
}

// BreakerState is a breaker's state.
type BreakerState int32

// Breaker states.
const (
	BreakerClosed BreakerState = iota
	BreakerOpen
	BreakerHalfOpen
)

func (s BreakerState) String() string {
	switch s {
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half_open"
	}
	return "closed"
}

// breaker is one deployment's circuit breaker. The closed state is read
// without a lock, so a healthy deployment costs one atomic load per
// routing decision.
type breaker struct {
	state atomic.Int32

	mu          sync.Mutex
	win         window
	consecutive int
	openUntil   int64
	probes      int // in flight while half-open
	probeOK     int
	opened      int64 // times opened, for status
}

func newBreaker(p *BreakerPolicy) *breaker {
	return &breaker{win: newWindow(int64(p.Window))}
}

// allow reports whether a request may go to the deployment now, and
// whether it is a half-open probe (which must be settled by record or
// release).
func (b *breaker) allow(p *BreakerPolicy, now int64) (ok, probe bool) {
	if p.Disabled || BreakerState(b.state.Load()) == BreakerClosed {
		return true, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch BreakerState(b.state.Load()) {
	case BreakerClosed:
		return true, false
	case BreakerOpen:
		if now < b.openUntil {
			return false, false
		}
		b.state.Store(int32(BreakerHalfOpen))
		b.probes, b.probeOK = 0, 0
	}
	if b.probes < max(p.HalfOpenProbes, 1) {
		b.probes++
		return true, true
	}
	return false, false
}

// wouldAllow is allow without taking a probe slot, for ordering and status.
func (b *breaker) wouldAllow(p *BreakerPolicy, now int64) bool {
	if p.Disabled || BreakerState(b.state.Load()) == BreakerClosed {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch BreakerState(b.state.Load()) {
	case BreakerOpen:
		return now >= b.openUntil
	case BreakerHalfOpen:
		return b.probes < max(p.HalfOpenProbes, 1)
	}
	return true
}

// record settles an attempt: failure or not, and whether it was a probe.
func (b *breaker) record(p *BreakerPolicy, now int64, failure, probe bool) {
	if p.Disabled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.win.at(now)
	if failure {
		bk.fail++
	} else {
		bk.ok++
	}
	state := BreakerState(b.state.Load())
	if probe && state == BreakerHalfOpen {
		b.probes--
		if failure {
			b.open(p, now)
			return
		}
		b.probeOK++
		if b.probeOK >= max(p.HalfOpenProbes, 1) {
			b.state.Store(int32(BreakerClosed))
			b.consecutive = 0
			b.win.reset()
		}
		return
	}
	if state != BreakerClosed {
		return // a late answer from before the breaker opened
	}
	if !failure {
		b.consecutive = 0
		return
	}
	b.consecutive++
	if p.ConsecutiveFailures > 0 && b.consecutive >= p.ConsecutiveFailures {
		b.open(p, now)
		return
	}
	if p.FailureRate > 0 {
		s := b.win.sum(now)
		n := s.ok + s.fail
		if n >= int64(max(p.MinRequests, 1)) && float64(s.fail) >= p.FailureRate*float64(n) {
			b.open(p, now)
		}
	}
}

// release gives back a probe slot of an attempt that ended without a
// verdict (the caller went away, or it lost a hedge race).
func (b *breaker) release(probe bool) {
	if !probe {
		return
	}
	b.mu.Lock()
	if BreakerState(b.state.Load()) == BreakerHalfOpen && b.probes > 0 {
		b.probes--
	}
	b.mu.Unlock()
}

func (b *breaker) open(p *BreakerPolicy, now int64) {
	b.state.Store(int32(BreakerOpen))
	b.openUntil = now + int64(p.OpenFor)
	b.consecutive = 0
	b.probes, b.probeOK = 0, 0
	b.opened++
}

// snapshot returns the state, when an open breaker will probe, the
// failure rate over the window and the attempts it counted.
func (b *breaker) snapshot(now int64) (state BreakerState, openUntil int64, failureRate float64, attempts int64, opened int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.win.sum(now)
	n := s.ok + s.fail
	if n > 0 {
		failureRate = float64(s.fail) / float64(n)
	}
	return BreakerState(b.state.Load()), b.openUntil, failureRate, n, b.opened
}
