package router

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// State is the router's memory of its deployments and aliases: breakers,
// latency averages, usage counts, retry budgets. It outlives a Router, so
// that a configuration reload keeps what was learned: a new Router built
// with the same State finds each deployment's health by name (and provider
// and model: a deployment that now points elsewhere starts afresh).
type State struct {
	mu          sync.Mutex
	generation  int64 // of the router being built
	deployments map[string]*deploymentState
	budgets     map[string]*budget
	used        map[any]int64 // entry -> the last generation that used it
}

// NewState returns an empty State.
func NewState() *State {
	return &State{deployments: map[string]*deploymentState{}, budgets: map[string]*budget{}, used: map[any]int64{}}
}

// begin starts building a router: entries it does not use are forgotten by
// end (routers still serving keep theirs by pointer).
func (s *State) begin() {
	s.mu.Lock()
	s.generation++
	s.mu.Unlock()
}

func (s *State) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, st := range s.deployments {
		if s.used[st] != s.generation {
			delete(s.deployments, k)
			delete(s.used, st)
		}
	}
	for k, b := range s.budgets {
		if s.used[b] != s.generation {
			delete(s.budgets, k)
			delete(s.used, b)
		}
	}
}

func (s *State) deployment(d *Deployment, p *BreakerPolicy) *deploymentState {
	key := d.Name + "\x00" + d.ProviderName + "\x00" + d.Model
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.deployments[key]
	if st == nil || len(st.keys) != len(d.keys()) || st.breaker.win.width != newWindow(int64(p.Window)).width {
		st = newDeploymentState(d, p)
		s.deployments[key] = st
	}
	s.used[st] = s.generation
	return st
}

func (s *State) budget(alias string) *budget {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.budgets[alias]
	if b == nil {
		b = &budget{win: newWindow(int64(budgetPeriod))}
		s.budgets[alias] = b
	}
	s.used[b] = s.generation
	return b
}

// deploymentState is what the router knows of one deployment.
type deploymentState struct {
	breaker *breaker

	mu sync.Mutex
	// latency (unary) and ttft (streams) of successful attempts.
	latency, ttft ewma
	// usage counts requests and tokens for the declared limits.
	usage window
	// attempts and failures over the last minute, for status.
	recent window

	// coolUntil is when a Retry-After the deployment sent expires.
	coolUntil atomic.Int64
	// keys holds the credential pool's cursor and cooldowns.
	keyCursor atomic.Uint32
	keys      []atomic.Int64 // cool-until per key
}

func newDeploymentState(d *Deployment, p *BreakerPolicy) *deploymentState {
	return &deploymentState{
		breaker: newBreaker(p),
		usage:   newWindow(int64(time.Minute)),
		recent:  newWindow(int64(time.Minute)),
		keys:    make([]atomic.Int64, len(d.keys())),
	}
}

// ewma is an exponentially weighted mean and variance of durations in
// seconds. alpha 0.2 weighs roughly the last ten samples.
type ewma struct {
	mean, variance float64
	n              int64
	last           int64 // time of the last sample
}

const ewmaAlpha = 0.2

func (e *ewma) add(x float64, now int64) {
	if e.n == 0 {
		e.mean, e.variance = x, 0
	} else {
		d := x - e.mean
		e.mean += ewmaAlpha * d
		e.variance = (1 - ewmaAlpha) * (e.variance + ewmaAlpha*d*d)
	}
	e.n++
	e.last = now
}

// fresh reports whether the average has samples newer than maxAge.
func (e *ewma) fresh(now int64, maxAge time.Duration) bool {
	return e.n > 0 && now-e.last <= int64(maxAge)
}

// percentile estimates the p-th percentile as mean + z·σ, which is cheap
// and good enough to time a hedge.
func (e *ewma) percentile(p int) float64 {
	return e.mean + zScore(p)*math.Sqrt(e.variance)
}

func zScore(p int) float64 {
	switch {
	case p >= 99:
		return 2.326
	case p >= 95:
		return 1.645
	case p >= 90:
		return 1.282
	case p >= 75:
		return 0.674
	}
	return 0
}

// observe records a finished attempt's timing and outcome.
func (s *deploymentState) observe(now int64, stream, ok bool, latency, ttft time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.recent.at(now)
	if ok {
		b.ok++
		if stream {
			if ttft > 0 {
				s.ttft.add(ttft.Seconds(), now)
			}
		} else {
			s.latency.add(latency.Seconds(), now)
		}
	} else {
		b.fail++
	}
}

// count adds a request and tokens to the usage window.
func (s *deploymentState) count(now, requests, tokens int64) {
	s.mu.Lock()
	b := s.usage.at(now)
	b.requests += requests
	b.tokens += tokens
	s.mu.Unlock()
}

// headroom is the smallest remaining share of the declared limits (1: idle
// or no limits, 0 or less: at or over a limit).
func (s *deploymentState) headroom(l Limits, now int64) float64 {
	if l.RPM <= 0 && l.TPM <= 0 {
		return 1
	}
	s.mu.Lock()
	u := s.usage.sum(now)
	s.mu.Unlock()
	h := 1.0
	if l.RPM > 0 {
		h = min(h, 1-float64(u.requests)/float64(l.RPM))
	}
	if l.TPM > 0 {
		h = min(h, 1-float64(u.tokens)/float64(l.TPM))
	}
	return h
}

// latencyScore is the least-latency strategy's score: the average time to
// the first token (streams) or to the answer (unary), in seconds (each
// falls back on the other without a recent sample), times one plus the
// error rate of the last minute. It is -1 for a deployment without a
// sample younger than maxAge, so that it is tried (measured) first.
func (s *deploymentState) latencyScore(stream bool, now int64, maxAge time.Duration) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	primary, other := &s.latency, &s.ttft
	if stream {
		primary, other = other, primary
	}
	var mean float64
	switch {
	case primary.fresh(now, maxAge):
		mean = primary.mean
	case other.fresh(now, maxAge):
		mean = other.mean
	default:
		return -1
	}
	r := s.recent.sum(now)
	if n := r.ok + r.fail; n > 0 {
		mean *= 1 + float64(r.fail)/float64(n)
	}
	return mean
}

// hedgeDelay estimates the p-th percentile for a stream or unary call, and
// reports whether there were enough samples.
func (s *deploymentState) hedgeDelay(stream bool, p int) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := &s.latency
	if stream {
		e = &s.ttft
	}
	if e.n < 5 {
		return 0, false
	}
	return time.Duration(e.percentile(p) * float64(time.Second)), true
}

// cooling reports whether a Retry-After is still running.
func (s *deploymentState) cooling(now int64) bool { return s.coolUntil.Load() > now }

// coolFor notes a Retry-After.
func (s *deploymentState) coolFor(now int64, d time.Duration) {
	if d > 0 {
		s.coolUntil.Store(now + int64(d))
	}
}
