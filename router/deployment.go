package router

import (
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Deployment is one model on one provider, with what the strategies need to
// choose it. A Deployment is immutable once given to the router; several
// aliases may share one.
type Deployment struct {
	// Name identifies the deployment in responses, logs and the
	// deployment's health state.
	Name string
	// ProviderName is the configured provider instance ("openai", "sim").
	ProviderName string
	// Model is the upstream model name sent to the provider.
	Model    string
	Provider llm.Provider
	// Keys is the deployment's credential pool: the same provider once per
	// API key. When it has more than one entry, a rate limit on one key
	// moves the request to the next key before it counts as a failure of
	// the deployment. Empty means Provider alone.
	Keys []llm.Provider

	// Weight is the deployment's share under the weighted strategy
	// (relative to the alias's other deployments; 0 counts as 1).
	Weight int
	// Priority orders deployments under the priority strategy: lower
	// first, ties in list order.
	Priority int
	// Limits are the rates the deployment accepts. The usage-based
	// strategy prefers the deployment with the most headroom; every
	// strategy moves a deployment that is over a limit to the end.
	Limits Limits
	// Price is what the deployment costs, for the lowest-cost strategy.
	Price Price
	// Timeouts override the alias's and the router's defaults, field by
	// field.
	Timeouts Timeouts
	// Breaker configures the deployment's circuit breaker; the zero value
	// means the router's default.
	Breaker *BreakerPolicy
}

// Limits are a deployment's declared rates; zero means no limit.
type Limits struct {
	// RPM is requests per minute; TPM tokens (input and output) per minute.
	RPM int64
	TPM int64
}

// Price is a deployment's price in US dollars per million tokens.
type Price struct {
	InputPerMTok  float64
	OutputPerMTok float64
}

// Timeouts bound one attempt. Zero fields take the next default (the
// alias's, then the router's).
type Timeouts struct {
	// TTFT bounds the time from the start of a stream attempt to its first
	// output (text, reasoning, tool call or finish). A stream that misses
	// it fails over transparently: nothing has reached the caller yet.
	TTFT time.Duration
	// Idle bounds the gap between two chunks of a stream once output has
	// started.
	Idle time.Duration
	// Total bounds one attempt from start to end (a unary answer, or a
	// stream's last chunk).
	Total time.Duration
}

// or returns t with its zero fields taken from d.
func (t Timeouts) or(d Timeouts) Timeouts {
	if t.TTFT == 0 {
		t.TTFT = d.TTFT
	}
	if t.Idle == 0 {
		t.Idle = d.Idle
	}
	if t.Total == 0 {
		t.Total = d.Total
	}
	return t
}

// Default timeouts: generous enough for reasoning models, which may think
// for a minute before their first token.
const (
	DefaultTTFT         = 2 * time.Minute
	DefaultIdleTimeout  = time.Minute
	DefaultTotalTimeout = 10 * time.Minute
)

// DefaultTimeouts returns the built-in timeouts.
func DefaultTimeouts() Timeouts {
	return Timeouts{TTFT: DefaultTTFT, Idle: DefaultIdleTimeout, Total: DefaultTotalTimeout}
}

// keys returns the providers to call, one per credential.
func (d *Deployment) keys() []llm.Provider {
	if len(d.Keys) > 0 {
		return d.Keys
	}
	return []llm.Provider{d.Provider}
}

// weight is the effective weight.
func (d *Deployment) weight() int {
	if d.Weight <= 0 {
		return 1
	}
	return d.Weight
}
