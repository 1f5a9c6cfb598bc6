package gateway

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/router"
	"github.com/switchboard-gw/switchboard/telemetry/tracing"
)

// WithObserver has every attempt the router makes reported to o (metering
// charges attempts from there, tracing makes spans of them). Several
// observers are called in the order they were given.
func WithObserver(o router.Observer) Option {
	return func(b *buildOptions) {
		if prev := b.observer; prev != nil {
			b.observer = func(ctx context.Context, a llm.Attempt) { prev(ctx, a); o(ctx, a) }
			return
		}
		b.observer = o
	}
}

// chainObservers calls first, then then (which may be nil).
func chainObservers(first, then router.Observer) router.Observer {
	if then == nil {
		return first
	}
	return func(ctx context.Context, a llm.Attempt) { first(ctx, a); then(ctx, a) }
}

// WithRouterClock replaces the router's clock (tests).
func WithRouterClock(c router.Clock) Option {
	return func(b *buildOptions) { b.clock = c }
}

// buildRouter builds the providers and the router of cfg. The router
// shares state with the previous ones (breakers, latency), so that a
// reload keeps what was learned.
func buildRouter(cfg *config.Config, o *buildOptions, state *router.State) (*router.Router, error) {
	providers := make(map[string]llm.Provider, len(cfg.Providers))
	passthrough := map[string]llm.Provider{}
	names := make([]string, 0, len(cfg.Providers))
	for n := range cfg.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	// A provider whose deployments all bring their own keys (api_keys)
	// may have no key of its own: it is built per key only.
	needed, pooled := map[string]bool{}, map[string]bool{}
	for _, dc := range cfg.Deployments {
		if len(dc.APIKeys) == 0 {
			needed[dc.Provider] = true
		} else {
			pooled[dc.Provider] = true
		}
	}
	for _, name := range names {
		pc := cfg.Providers[name]
		if pooled[name] && !needed[name] && !pc.Passthrough {
			continue
		}
		p, err := buildProvider(name, pc, o.secrets)
		if err != nil {
			return nil, fmt.Errorf("providers.%s: %w", name, err)
		}
		p = o.instrument(name, pc, p)
		providers[name] = p
		if pc.Passthrough {
			passthrough[name] = p
		}
	}
	rt := cfg.Routing
	deployments := make(map[string]*router.Deployment, len(cfg.Deployments))
	for _, name := range sortedNames(cfg.Deployments) {
		dc := cfg.Deployments[name]
		d := &router.Deployment{
			Name:         name,
			ProviderName: dc.Provider,
			Model:        dc.Model,
			Provider:     providers[dc.Provider],
			Priority:     dc.Priority,
			Limits:       router.Limits{RPM: dc.Limits.RPM, TPM: dc.Limits.TPM},
			Timeouts:     timeouts(dc.Timeouts),
		}
		if dc.Weight != nil {
			d.Weight = *dc.Weight
		}
		if dc.Price != nil {
			d.Price = router.Price{InputPerMTok: dc.Price.InputPerMTok, OutputPerMTok: dc.Price.OutputPerMTok}
		} else if p, ok := cfg.DeploymentPrice(name, time.Time{}); ok {
			// The lowest-cost strategy ranks by the prices metering charges.
			d.Price = router.Price{InputPerMTok: p.Input.USDPerMTok(), OutputPerMTok: p.Output.USDPerMTok()}
		}
		if dc.Breaker != nil {
			b := breakerPolicy(rt.Breaker, *dc.Breaker)
			d.Breaker = &b
		}
		// A credential pool: the provider once per key.
		for i, ref := range dc.APIKeys {
			pc := *cfg.Providers[dc.Provider]
			pc.APIKey = ref
			p, err := buildProvider(dc.Provider, &pc, o.secrets)
			if err != nil {
				return nil, fmt.Errorf("deployments.%s.api_keys[%d]: %w", name, i, err)
			}
			d.Keys = append(d.Keys, o.instrument(dc.Provider, &pc, p))
		}
		deployments[name] = d
	}
	rc := router.Config{
		Passthrough:      passthrough,
		Timeouts:         timeouts(rt.Timeouts),
		Breaker:          breakerPolicy(config.Breaker{}, rt.Breaker),
		PassthroughRetry: retryPolicy(router.DefaultRetryPolicy(), rt.Retry),
	}
	for _, name := range sortedNames(cfg.Aliases) {
		ac := cfg.Aliases[name]
		a := &router.Alias{
			Name:     name,
			Strategy: router.Strategy(ac.Strategy),
			Retry:    rc.PassthroughRetry,
			Timeouts: timeouts(ac.Timeouts),
			Default:  ac.Default,
		}
		for _, dn := range ac.Deployments {
			a.Deployments = append(a.Deployments, deployments[dn])
		}
		if ac.Exploration != nil {
			a.Exploration = *ac.Exploration
			if a.Exploration == 0 {
				a.Exploration = -1 // explicitly none
			}
		}
		if ac.Retry != nil {
			a.Retry = retryPolicy(a.Retry, *ac.Retry)
		}
		for class, targets := range ac.Fallbacks {
			c, _ := router.ParseErrorClass(class) // validated
			a.Fallbacks[c] = targets
		}
		if h := ac.Hedge; h != nil {
			a.Hedge = router.HedgePolicy{Delay: h.Delay, Percentile: h.Percentile, Max: h.Max}
		}
		if c := ac.Continuation; c != nil {
			a.Continuation = router.ContinuationPolicy{Enabled: c.Enabled, Max: c.Max}
		}
		for _, r := range ac.Rules {
			w := r.When
			cond := router.Condition{
				MinInputTokens: w.MinInputTokens, MaxInputTokens: w.MaxInputTokens,
				Tools: w.Tools, Images: w.Images, Metadata: w.Metadata, MaxComplexity: w.MaxComplexity,
			}
			if w.MinComplexity != nil {
				cond.MinComplexity = *w.MinComplexity
			}
			a.Rules = append(a.Rules, router.Rule{Name: r.Name, Alias: r.Alias, When: cond})
		}
		rc.Aliases = append(rc.Aliases, a)
	}
	observer := o.observer
	if m := o.meter; m != nil {
		observer = chainObservers(m.Observe, observer)
	}
	return router.Build(rc, router.Options{State: state, Observer: observer, Clock: o.clock, Attempts: o.instrumentation.Attempts,
		Tokens: tokenCounter(cfg), Gate: o.deploymentGate()})
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func timeouts(t config.Timeouts) router.Timeouts {
	return router.Timeouts{TTFT: t.TTFT, Idle: t.Idle, Total: t.Total}
}

// retryPolicy is base with the fields r sets.
func retryPolicy(base router.RetryPolicy, r config.Retry) router.RetryPolicy {
	if r.MaxRetries != nil {
		base.MaxRetries = *r.MaxRetries
	}
	if r.Backoff > 0 {
		base.Backoff = r.Backoff
	}
	if r.MaxBackoff > 0 {
		base.MaxBackoff = r.MaxBackoff
	}
	if r.MaxRetryAfter > 0 {
		base.MaxRetryAfter = r.MaxRetryAfter
	}
	if r.Budget.Ratio != nil {
		base.BudgetRatio = *r.Budget.Ratio
	}
	if r.Budget.MinPerSecond != nil {
		base.BudgetMinPerSecond = *r.Budget.MinPerSecond
	}
	return base
}

// breakerPolicy is the built-in breaker with the fields of defaults, then
// of b, applied.
func breakerPolicy(defaults, b config.Breaker) router.BreakerPolicy {
	p := router.DefaultBreakerPolicy()
	for _, c := range []config.Breaker{defaults, b} {
		if c.Enabled != nil {
			p.Disabled = !*c.Enabled
		}
		if c.ConsecutiveFailures != nil {
			p.ConsecutiveFailures = *c.ConsecutiveFailures
		}
		if c.FailureRate != nil {
			p.FailureRate = *c.FailureRate
		}
		if c.MinRequests != nil {
			p.MinRequests = *c.MinRequests
		}
		if c.Window > 0 {
			p.Window = c.Window
		}
		if c.OpenFor > 0 {
			p.OpenFor = c.OpenFor
		}
		if c.HalfOpenProbes != nil {
			p.HalfOpenProbes = *c.HalfOpenProbes
		}
	}
	return p
}

// simOptions are a sim provider's options from its configuration.
func simOptions(o config.SimOptions) sim.Options {
	so := sim.Options{Latency: o.Latency, TTFT: o.TTFT, InterChunkDelay: o.InterChunkDelay, Seed: o.Seed}
	for _, f := range o.Faults {
		fault, _ := sim.ParseFault(f.Fault) // validated with the configuration
		so.Faults = append(so.Faults, sim.FaultRule{Probability: f.Probability, Fault: fault})
	}
	return so
}

// defaultConnectTimeout is a provider's connect timeout when it sets none,
// the translators' own default.
const defaultConnectTimeout = 10 * time.Second

// httpClientFor returns the HTTP client of a provider: tuned like the
// translators' shared clients, with the provider's connect timeout.
// Clients are shared per timeout, so that connections stay pooled across
// providers and reloads.
//
// Its transport sends the trace context of each call's context upstream
// (W3C traceparent): with tracing on, that is the provider attempt's span;
// without it the context carries none and requests go out unchanged.
func httpClientFor(pc *config.Provider) *http.Client {
	timeout := pc.ConnectTimeout
	if timeout <= 0 {
		timeout = defaultConnectTimeout
	}
	clientsMu.Lock()
	defer clientsMu.Unlock()
	if c, ok := clients[timeout]; ok {
		return c
	}
	c := &http.Client{Transport: tracing.Transport(&http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ExpectContinueTimeout: time.Second,
	})}
	clients[timeout] = c
	return c
}

var (
	clientsMu sync.Mutex
	clients   = map[time.Duration]*http.Client{}
)

// RoutingStatus reports the current router's deployments and aliases (for
// /readyz and AdminService.ListDeployments).
func (g *Gateway) RoutingStatus() ([]router.DeploymentStatus, []router.AliasStatus) {
	return g.Router().Status()
}
