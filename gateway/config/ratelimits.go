package config

import "time"

// Rate limit backends.
const (
	// RateLimitMemory counts in each process: exact for one instance, but
	// N instances admit up to N times the limit.
	RateLimitMemory = "memory"
	// RateLimitRedis counts in Redis: exact across any number of instances.
	RateLimitRedis = "redis"
)

// What a rate limit check does when Redis cannot be reached.
const (
	// FailOpen lets the request through (logged and counted).
	FailOpen = "open"
	// FailClosed rejects the request as Unavailable.
	FailClosed = "closed"
)

// DefaultRateLimitRedisTimeout bounds one rate limit check against Redis.
const DefaultRateLimitRedisTimeout = 500 * time.Millisecond

// RateLimits configures where the RPM and TPM limits of keys, teams and
// deployments are counted (package billing/ratelimit).
type RateLimits struct {
	// Backend is "memory" or "redis"; default redis when the redis section
	// is set, memory otherwise.
	Backend string `yaml:"backend"`
	// FailureMode is what a check does when Redis cannot be reached or
	// does not answer in time: "open" (default: allow the request, log and
	// count it) or "closed" (reject it as Unavailable).
	FailureMode string `yaml:"failure_mode"`
	// RedisTimeout bounds one check against Redis (default 500ms); a check
	// that takes longer counts as Redis being unreachable.
	RedisTimeout time.Duration `yaml:"redis_timeout"`
}

func (c *Config) applyRateLimitDefaults() {
	l := &c.RateLimits
	if l.Backend == "" {
		l.Backend = RateLimitMemory
		if c.Redis.Enabled() {
			l.Backend = RateLimitRedis
		}
	}
	if l.FailureMode == "" {
		l.FailureMode = FailOpen
	}
	if l.RedisTimeout == 0 {
		l.RedisTimeout = DefaultRateLimitRedisTimeout
	}
}

func (c *Config) validateRateLimits() error {
	l := c.RateLimits
	switch l.Backend {
	case RateLimitMemory:
	case RateLimitRedis:
		if !c.Redis.Enabled() {
			return fieldErr("rate_limits.backend", "redis needs the redis section (redis.url or redis.addrs)")
		}
	default:
		return fieldErr("rate_limits.backend", "unknown backend %q (want memory or redis)", l.Backend)
	}
	switch l.FailureMode {
	case FailOpen, FailClosed:
	default:
		return fieldErr("rate_limits.failure_mode", "unknown mode %q (want open or closed)", l.FailureMode)
	}
	if l.RedisTimeout <= 0 {
		return fieldErr("rate_limits.redis_timeout", "must be positive")
	}
	return nil
}
