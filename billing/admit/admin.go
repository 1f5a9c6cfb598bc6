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
	// Rates are the effective rate limits with what remains of them now;
	// RatesKnown is false when the limiter cannot report them without
	// charging a request (then only TPM limits are listed).
	Rates      []ratelimit.Status
	RatesKnown bool
	// Budgets are the effective budgets in their current windows.
	Budgets []budget.Usage
}

// Peeker is implemented by a rate limiter that can report where limits
// stand without charging them.
type Peeker interface {
	Peek(ctx context.Context, limits []ratelimit.Limit) (ratelimit.Decision, error)
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
	if len(rates) > 0 && c.o.Limiter != nil {
		if p, ok := c.o.Limiter.(Peeker); ok {
			d, err := p.Peek(ctx, rates)
			if err != nil {
				return Usage{}, llm.AsError(err)
			}
			out.Rates, out.RatesKnown = d.Statuses, !d.Degraded
		} else {
			// A TPM check of zero tokens charges nothing and reports the
			// limit; an RPM check would charge a request.
			var tpm []ratelimit.Limit
			for _, l := range rates {
				if l.Kind == ratelimit.TPM {
					tpm = append(tpm, l)
				}
			}
			if len(tpm) > 0 {
				d, err := c.o.Limiter.Check(ctx, tpm, 0)
				if err != nil {
					return Usage{}, llm.AsError(err)
				}
				out.Rates = d.Statuses
			}
		}
	}
	return out, nil
}
