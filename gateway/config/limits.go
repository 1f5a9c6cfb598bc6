package config

import "time"

// Backends of budgets and idempotency keys (the limits section).
const (
	// LimitsMemory keeps them in each process: exact for one instance.
	LimitsMemory = "memory"
	// LimitsRedis keeps them in Redis: exact across every instance.
	LimitsRedis = "redis"
)

// What admission does with a model that has no price, when a budget or
// max_cost applies to the request.
const (
	// UnpricedReject refuses the request: its cost cannot be bounded.
	UnpricedReject = "reject"
	// UnpricedAllow lets it through, reserving nothing for it.
	UnpricedAllow = "allow"
)

// Defaults of the limits section.
const (
	DefaultLimitsMaxOutputTokens = 16_384
	DefaultLimitsImageTokens     = 3000
	DefaultIdempotencyTTL        = 24 * time.Hour
	DefaultIdempotencyWait       = 60 * time.Second
	DefaultLimitsSettingsRefresh = 10 * time.Second
	DefaultReservationTTL        = 15 * time.Minute
)

// Admission (the limits section) configures admission (package billing/admit): budgets,
// idempotency keys, the cost bound of requests, and how the limits set
// through the admin API are read. Where rate limits are counted is the
// rate_limits section.
type Admission struct {
	// Backend is where budgets and idempotency keys live: "memory" or
	// "redis"; default redis when the redis section is set, memory
	// otherwise.
	Backend string `yaml:"backend"`
	// FailureMode is what a request does when the budgets, the
	// idempotency keys or the limit settings cannot be read (Redis or the
	// database unreachable): "open" (default: go through without them,
	// logged and counted) or "closed" (refused with 503).
	FailureMode string `yaml:"failure_mode"`
	// DefaultMaxOutputTokens bounds the output of a request without
	// max_tokens, for a model whose maximum output the pricing table does
	// not know, when pricing its worst case (default 16384).
	DefaultMaxOutputTokens int64 `yaml:"default_max_output_tokens"`
	// ImageTokens bounds the prompt tokens of one image in the worst case
	// (default 3000).
	ImageTokens int64 `yaml:"image_tokens"`
	// Unpriced is what happens to a request for a model without a price
	// when a budget or max_cost applies: "reject" (default) or "allow"
	// (reserve nothing).
	Unpriced string `yaml:"unpriced"`
	// IdempotencyTTL is how long a completed request's answer is replayed
	// for the same Idempotency-Key (default 24h).
	IdempotencyTTL time.Duration `yaml:"idempotency_ttl"`
	// IdempotencyWait bounds how long a duplicate waits for the first
	// request with its key to finish before getting 409 (default 60s).
	IdempotencyWait time.Duration `yaml:"idempotency_wait"`
	// SettingsRefresh is how long an instance uses the limits it read
	// from the store: a change made through another instance's admin API
	// applies here within it (default 10s).
	SettingsRefresh time.Duration `yaml:"settings_refresh"`
	// ReservationTTL is how long a budget reservation holds money if its
	// request never settles (the gateway crashed); it must outlast the
	// longest request (default 15m).
	ReservationTTL time.Duration `yaml:"reservation_ttl"`
}

func (c *Config) applyLimitsDefaults() {
	l := &c.Limits
	if l.Backend == "" {
		l.Backend = LimitsMemory
		if c.Redis.Enabled() {
			l.Backend = LimitsRedis
		}
	}
	if l.FailureMode == "" {
		l.FailureMode = FailOpen
	}
	if l.DefaultMaxOutputTokens == 0 {
		l.DefaultMaxOutputTokens = DefaultLimitsMaxOutputTokens
	}
	if l.ImageTokens == 0 {
		l.ImageTokens = DefaultLimitsImageTokens
	}
	if l.Unpriced == "" {
		l.Unpriced = UnpricedReject
	}
	if l.IdempotencyTTL == 0 {
		l.IdempotencyTTL = DefaultIdempotencyTTL
	}
	if l.IdempotencyWait == 0 {
		l.IdempotencyWait = DefaultIdempotencyWait
	}
	if l.SettingsRefresh == 0 {
		l.SettingsRefresh = DefaultLimitsSettingsRefresh
	}
	if l.ReservationTTL == 0 {
		l.ReservationTTL = DefaultReservationTTL
	}
}

func (c *Config) validateLimits() error {
	l := c.Limits
	switch l.Backend {
	case LimitsMemory:
	case LimitsRedis:
		if !c.Redis.Enabled() {
			return fieldErr("limits.backend", "redis needs the redis section (redis.url or redis.addrs)")
		}
	default:
		return fieldErr("limits.backend", "unknown backend %q (want memory or redis)", l.Backend)
	}
	switch l.FailureMode {
	case FailOpen, FailClosed:
	default:
		return fieldErr("limits.failure_mode", "unknown mode %q (want open or closed)", l.FailureMode)
	}
	switch l.Unpriced {
	case UnpricedReject, UnpricedAllow:
	default:
		return fieldErr("limits.unpriced", "unknown policy %q (want reject or allow)", l.Unpriced)
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"default_max_output_tokens", l.DefaultMaxOutputTokens}, {"image_tokens", l.ImageTokens}} {
		if f.v < 0 || f.v > 10_000_000 {
			return fieldErr("limits."+f.name, "must be between 1 and 10000000")
		}
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"idempotency_ttl", l.IdempotencyTTL}, {"idempotency_wait", l.IdempotencyWait}, {"settings_refresh", l.SettingsRefresh}, {"reservation_ttl", l.ReservationTTL}} {
		if f.d <= 0 {
			return fieldErr("limits."+f.name, "must be positive")
		}
	}
	if l.ReservationTTL < time.Minute {
		return fieldErr("limits.reservation_ttl", "must be at least 1m: it must outlast the longest request")
	}
	return nil
}
