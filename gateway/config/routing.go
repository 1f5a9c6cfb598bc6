package config

import (
	"time"

	"github.com/switchboard-gw/switchboard/billing/pricing"
)

// Routing holds the defaults of every alias and deployment, and how the
// configuration file is watched. See docs/routing.md.
type Routing struct {
	// Timeouts are the default attempt timeouts.
	Timeouts Timeouts `yaml:"timeouts"`
	// Retry is the default retry policy of aliases.
	Retry Retry `yaml:"retry"`
	// Breaker is the default circuit breaker of deployments.
	Breaker Breaker `yaml:"breaker"`
	// Reload configures hot reload of the file.
	Reload Reload `yaml:"reload"`
}

// Timeouts bound one attempt; zero fields take the next default
// (deployment, then alias, then routing, then built in: ttft 2m, idle 1m,
// total 10m).
type Timeouts struct {
	// TTFT is the longest wait for a stream's first output; a stream that
	// misses it fails over transparently.
	TTFT time.Duration `yaml:"ttft"`
	// Idle is the longest gap between two chunks once output started.
	Idle time.Duration `yaml:"idle"`
	// Total bounds one attempt from start to end.
	Total time.Duration `yaml:"total"`
}

// Retry configures retries (after every deployment of the alias was tried
// once) and the retry budget. Unset fields take routing.retry's, then the
// built-in defaults.
type Retry struct {
	// MaxRetries is the number of extra attempts per request (default 1).
	MaxRetries *int `yaml:"max_retries"`
	// Backoff is the base of the exponential backoff with full jitter
	// (default 100ms); MaxBackoff caps it (default 5s).
	Backoff    time.Duration `yaml:"backoff"`
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// MaxRetryAfter is the longest Retry-After a retry waits for (default
	// 5s); a longer one goes back to the caller.
	MaxRetryAfter time.Duration `yaml:"max_retry_after"`
	// Budget caps retries and hedges as a share of the alias's traffic.
	Budget RetryBudget `yaml:"budget"`
}

// RetryBudget caps retries and hedges over a 10-second window at Ratio of
// the requests plus MinPerSecond per second (defaults 0.2 and 5).
type RetryBudget struct {
	Ratio        *float64 `yaml:"ratio"`
	MinPerSecond *float64 `yaml:"min_per_second"`
}

// Breaker configures circuit breakers. Unset fields take routing.breaker's,
// then the built-in defaults (5 consecutive failures, or a 50% failure
// rate over at least 20 attempts in 30s; probe after 10s with 1 request).
type Breaker struct {
	// Enabled turns the breaker off with false (default true).
	Enabled             *bool         `yaml:"enabled"`
	ConsecutiveFailures *int          `yaml:"consecutive_failures"`
	FailureRate         *float64      `yaml:"failure_rate"`
	MinRequests         *int          `yaml:"min_requests"`
	Window              time.Duration `yaml:"window"`
	OpenFor             time.Duration `yaml:"open_for"`
	HalfOpenProbes      *int          `yaml:"half_open_probes"`
}

// Reload configures hot reload. The file is re-read on SIGHUP and, unless
// Watch is false, when it changes (checked every Interval, default 2s).
type Reload struct {
	Watch    *bool         `yaml:"watch"`
	Interval time.Duration `yaml:"interval"`
}

// DefaultReloadInterval is how often the configuration file is checked.
const DefaultReloadInterval = 2 * time.Second

// WatchEnabled reports whether the file is watched for changes.
func (r Reload) WatchEnabled() bool { return r.Watch == nil || *r.Watch }

// IntervalOrDefault is the watch interval.
func (r Reload) IntervalOrDefault() time.Duration {
	if r.Interval > 0 {
		return r.Interval
	}
	return DefaultReloadInterval
}

// DeploymentRouting is what a deployment declares for routing; it is
// inlined in Deployment.
type DeploymentRouting struct {
	// APIKeys is a credential pool: several references (env:..., vault:...)
	// for the provider's key. A rate limit on one key moves the request to
	// the next before it counts as a failure of the deployment. It replaces
	// the provider's api_key for this deployment.
	APIKeys []string `yaml:"api_keys"`
	// Weight is the deployment's share under the weighted strategy
	// (default 1).
	Weight *int `yaml:"weight"`
	// Priority orders deployments under the priority strategy: lower
	// first, ties in list order (default 0).
	Priority int `yaml:"priority"`
	// Limits are the rates the deployment accepts.
	Limits Limits `yaml:"limits"`
	// Price is what the deployment costs, for the lowest_cost strategy.
	// Unset: the pricing table's input and output prices (with Pricing
	// applied).
	Price *Price `yaml:"price"`
	// Pricing overrides the pricing table's prices for this deployment,
	// in US dollars per million tokens as decimals (input, cached_input,
	// cache_write, output, reasoning): what metering charges.
	Pricing *pricing.Override `yaml:"pricing"`
	// Timeouts override the alias's and routing's.
	Timeouts Timeouts `yaml:"timeouts"`
	// Breaker overrides routing.breaker for this deployment.
	Breaker *Breaker `yaml:"breaker"`
}

// Limits are requests and tokens per minute; zero means no limit.
type Limits struct {
	RPM int64 `yaml:"rpm"`
	TPM int64 `yaml:"tpm"`
}

// Price is in US dollars per million tokens.
type Price struct {
	InputPerMTok  float64 `yaml:"input_per_mtok"`
	OutputPerMTok float64 `yaml:"output_per_mtok"`
}

// AliasRouting is how an alias routes; it is inlined in Alias.
type AliasRouting struct {
	// Strategy is priority (default), weighted, least_latency, lowest_cost
	// or usage_based.
	Strategy string `yaml:"strategy"`
	// Exploration is the least_latency strategy's share of requests sent
	// to another deployment than the fastest (default 0.05).
	Exploration *float64 `yaml:"exploration"`
	// Fallbacks lists fallback aliases per error class: rate_limited,
	// overloaded (also 5xx and unreachable), timeout, context_window,
	// content_filtered.
	Fallbacks map[string][]string `yaml:"fallbacks"`
	// Retry overrides routing.retry.
	Retry *Retry `yaml:"retry"`
	// Timeouts are the defaults of the alias's deployments.
	Timeouts Timeouts `yaml:"timeouts"`
	// Hedge sends a second request when the first is slow.
	Hedge *Hedge `yaml:"hedge"`
	// Continuation resumes broken streams on another deployment.
	Continuation *Continuation `yaml:"continuation"`
	// Rules choose another alias from the request's content; Default
	// serves when none matches. An alias with rules has no deployments.
	Rules   []Rule `yaml:"rules"`
	Default string `yaml:"default"`
}

// Hedge configures hedged requests: after Delay (or the deployment's
// estimated Percentile of time to first token, once it has samples), the
// request is also sent to the next deployment; the first to answer wins.
type Hedge struct {
	Delay      time.Duration `yaml:"delay"`
	Percentile int           `yaml:"percentile"`
	// Max is the number of hedges per request (default 1).
	Max int `yaml:"max"`
}

// Continuation configures the resumption of streams broken after output
// reached the caller (see docs/routing.md for its limits).
type Continuation struct {
	Enabled bool `yaml:"enabled"`
	// Max is the number of continuations per stream (default 1).
	Max int `yaml:"max"`
}

// Rule sends requests that match When to Alias.
type Rule struct {
	Name  string    `yaml:"name"`
	When  Condition `yaml:"when"`
	Alias string    `yaml:"alias"`
}

// Condition is a conjunction of request features; unset fields always hold.
type Condition struct {
	// MinInputTokens and MaxInputTokens bound the estimated prompt tokens
	// (about four bytes per token).
	MinInputTokens int64 `yaml:"min_input_tokens"`
	MaxInputTokens int64 `yaml:"max_input_tokens"`
	// Tools and Images require tools offered / an image present (true) or
	// absent (false).
	Tools  *bool `yaml:"tools"`
	Images *bool `yaml:"images"`
	// Metadata requires these request metadata values ("*": any value).
	Metadata map[string]string `yaml:"metadata"`
	// MinComplexity and MaxComplexity bound the prompt's complexity score,
	// from 0 to 1 (docs/routing.md).
	MinComplexity *float64 `yaml:"min_complexity"`
	MaxComplexity *float64 `yaml:"max_complexity"`
}

// SimFault is a server-wide fault of a sim provider: Fault, in the
// simulator's directive grammar ("status=500", "ttft=2s",
// "disconnect_after=3"), applied to a random share of requests.
type SimFault struct {
	Probability float64 `yaml:"probability"`
	Fault       string  `yaml:"fault"`
}

// The demo aliases show each fault a [[sim ...]] directive asks for as the
// simulator produced it: no retry, and no breaker that a series of
// injected faults would open.
func demoDeploymentRouting() DeploymentRouting {
	off := false
	return DeploymentRouting{Breaker: &Breaker{Enabled: &off}}
}

func demoAliasRouting() AliasRouting {
	none := 0
	return AliasRouting{Retry: &Retry{MaxRetries: &none}}
}
