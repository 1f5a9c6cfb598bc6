package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/idempotency"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/billing/redisadmit"
	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/internal/redisconn"
	"github.com/switchboard-gw/switchboard/secrets"
	"github.com/switchboard-gw/switchboard/telemetry"
	"github.com/switchboard-gw/switchboard/telemetry/metrics"
)

// admissionRun is the admission of a running gateway (billing/admit):
// rate limits, budgets and idempotency keys, in Redis when the
// configuration has one and in the process otherwise.
type admissionRun struct {
	controller *admit.Controller
	prices     *gateway.AdmissionPrices
	redis      redis.UniversalClient
}

// openAdmission builds the admission controller of cfg: the limit settings
// and the budget seeds come from st (the store that holds keys and the
// spend ledger), refusals are counted in tel's metrics.
func openAdmission(ctx context.Context, cfg *config.Config, st keyStore, resolver secrets.Resolver, tel *telemetry.Telemetry, logger *slog.Logger) (*admissionRun, error) {
	a := &admissionRun{prices: gateway.NewAdmissionPrices()}
	if cfg.Redis.Enabled() && (cfg.RateLimits.Backend == config.RateLimitRedis || cfg.Limits.Backend == config.LimitsRedis) {
		redisconn.SetLogger(logger)
		client, err := redisconn.New(ctx, cfg.Redis, resolver)
		if err != nil {
			return nil, fmt.Errorf("redis: %w", err)
		}
		a.redis = client
	}
	prefix := cfg.Redis.KeyPrefix
	var limiter ratelimit.Limiter
	var redisLimiter *ratelimit.Redis
	if cfg.RateLimits.Backend == config.RateLimitRedis {
		mode := ratelimit.FailOpen
		if cfg.RateLimits.FailureMode == config.FailClosed {
			mode = ratelimit.FailClosed
		}
		redisLimiter = ratelimit.NewRedis(a.redis, ratelimit.RedisOptions{KeyPrefix: prefix, FailureMode: mode,
			Timeout: cfg.RateLimits.RedisTimeout, Logger: logger})
		limiter = redisLimiter
	} else {
		limiter = ratelimit.NewMemory(ratelimit.MemoryOptions{})
	}
	l := cfg.Limits
	bo := budget.Options{Seeder: admit.LedgerSeeder(st), ReservationTTL: l.ReservationTTL}
	io := idempotency.Options{MaxWait: l.IdempotencyWait}
	var budgets budget.Engine
	var idem idempotency.Engine
	// Both in Redis: a request's check and reservation share a round trip,
	// its settlement and TPM correction another.
	var combined admit.Combined
	if l.Backend == config.LimitsRedis {
		redisBudgets := budget.NewRedis(a.redis, prefix, bo)
		budgets = redisBudgets
		idem = idempotency.NewRedis(a.redis, prefix, io)
		if redisLimiter != nil {
			combined = redisadmit.New(a.redis, redisLimiter, redisBudgets)
		}
	} else {
		budgets = budget.NewMemory(bo)
		idem = idempotency.NewMemory(io)
	}
	logger.Info("limits", "rate_limits", cfg.RateLimits.Backend, "budgets_and_idempotency", l.Backend,
		"failure_mode", l.FailureMode, "rate_limit_failure_mode", cfg.RateLimits.FailureMode)
	settings, _ := st.(limits.Store)
	m := tel.Metrics()
	a.controller = admit.New(admit.Options{
		Limiter:                limiter,
		Budgets:                budgets,
		Combined:               combined,
		Idempotency:            idem,
		Settings:               settings,
		SettingsTTL:            l.SettingsRefresh,
		Pricer:                 a.prices,
		IdempotencyTTL:         l.IdempotencyTTL,
		DefaultMaxOutputTokens: l.DefaultMaxOutputTokens,
		ImageTokens:            l.ImageTokens,
		AllowUnpriced:          l.Unpriced == config.UnpricedAllow,
		FailClosed:             l.FailureMode == config.FailClosed,
		Logger:                 logger,
		Events: admit.Events{
			RateLimited: func(ctx context.Context, scope, kind string) {
				m.RecordRateLimited(ctx, metrics.RateLimit{Scope: scope, Limit: kind})
			},
			Budget: func(ctx context.Context, scope, window, action string) {
				m.RecordBudgetRejected(ctx, metrics.BudgetRejection{Scope: scope, Period: window, Action: action})
			},
		},
	})
	return a, nil
}

// option wires the controller into the gateway.
func (a *admissionRun) option() gateway.Option { return gateway.WithAdmission(a.controller, a.prices) }

// close closes the Redis client, after the server has drained.
func (a *admissionRun) close() {
	if a != nil && a.redis != nil {
		_ = a.redis.Close()
	}
}
