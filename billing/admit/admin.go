package admit

import (
	"context"
	"errors"

	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/llm"
)

// ErrNoSettingsStore: settings cannot be read or written without a store.
var ErrNoSettingsStore = errors.New("admit: no limit settings store")

// Settings returns the settings stored for scope (zero when it has none),
// read from the store, not the cache.
func (c *Controller) Settings(ctx context.Context, scope limits.Scope) (limits.Settings, error) {
	if c.o.Settings == nil {
		return limits.Settings{}, ErrNoSettingsStore
	}
	got, err := c.o.Settings.LimitSettings(ctx, []limits.Scope{scope})
	if err != nil || len(got) == 0 {
		return limits.Settings{Scope: scope}, err
	}
	return got[0], nil
}

// SetSettings validates and stores s (zero settings delete the scope's),
// stamped with the time, and applies it on this instance at once; other
// instances apply it within Options.SettingsTTL.
func (c *Controller) SetSettings(ctx context.Context, s limits.Settings) (limits.Settings, error) {
	if c.o.Settings == nil {
		return limits.Settings{}, ErrNoSettingsStore
	}
	if err := s.Validate(); err != nil {
		return limits.Settings{}, err
	}
	s.UpdatedAt = c.o.Clock().UTC()
	if err := c.o.Settings.PutLimitSettings(ctx, s); err != nil {
		return limits.Settings{}, err
	}
	c.settings.put(s)
	return s, nil
}

// Usage is where a scope stands: what is set on it, and the state of its
// effective rate limits and budgets.
type Usage struct {
	Scope limits.Scope
	// Settings are the scope's stored settings (zero when none).
	Settings limits.Settings
	// Rates are the effective rate limits, RPM and TPM, with what remains
	// of them now, read without charging anything (Limiter.Peek);
	// RatesKnown is false when the limits could not be read (Redis
	// unreachable, or no limiter): Rates is empty then.
	Rates      []ratelimit.Status
	RatesKnown bool
	// Budgets are the effective budgets in their current windows.
	Budgets []budget.Usage
}

// Usage reports scope's settings and the state of its effective limits.
// key is the key's own limits when scope is a key's (nil otherwise).
func (c *Controller) Usage(ctx context.Context, scope limits.Scope, key *KeyLimits) (Usage, error) {
	out := Usage{Scope: scope, Settings: limits.Settings{Scope: scope}}
	if c.o.Settings != nil {
		set, err := c.Settings(ctx, scope)
		if err != nil {
			return Usage{}, err
		}
		out.Settings = set
	}
	rates, budgets := Effective(scope, out.Settings, key)
	if len(budgets) > 0 && c.o.Budgets != nil {
		us, err := c.o.Budgets.Status(ctx, budgets)
		if err != nil {
			return Usage{}, unavailableError("budgets", err)
		}
		out.Budgets = us
	}
	switch {
	case len(rates) == 0:
		out.RatesKnown = true // no rate limit: nothing left out
	case c.o.Limiter != nil:
		d, err := c.o.Limiter.Peek(ctx, rates)
		if err != nil {
			return Usage{}, llm.AsError(err)
		}
		out.Rates, out.RatesKnown = d.Statuses, !d.Degraded
	}
	return out, nil
}
