package admit

import (
	"context"
	"sync"
	"time"

	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
)

// Caller is who makes a request, with the key's own limits (from its
// record: auth.Principal.Limits).
type Caller struct {
	KeyID, TeamID, UserID string
	Key                   KeyLimits
}

// KeyLimits are a key's own limits, from its record: requests and tokens
// per minute and one hard budget (zero: none).
type KeyLimits struct {
	RPM, TPM      int64
	BudgetNanoUSD int64
	// BudgetWindow is the budget's window; "" is lifetime.
	BudgetWindow limits.Window
}

// scopes are the caller's scopes: key, team, user (those it has).
func (c Caller) scopes(dst []limits.Scope) []limits.Scope {
	if c.KeyID != "" {
		dst = append(dst, limits.KeyScope(c.KeyID))
	}
	if c.TeamID != "" {
		dst = append(dst, limits.TeamScope(c.TeamID))
	}
	if c.UserID != "" {
		dst = append(dst, limits.UserScope(c.UserID))
	}
	return dst
}

// Effective merges a scope's settings with a key's own limits (key is nil
// for teams and users): the settings' non-zero RPM and TPM win over the
// key's, and a budget of the settings replaces the key's budget of the
// same window.
func Effective(scope limits.Scope, set limits.Settings, key *KeyLimits) (rates []ratelimit.Limit, budgets []budget.Budget) {
	rpm, tpm := set.RPM, set.TPM
	if key != nil {
		if rpm == 0 {
			rpm = key.RPM
		}
		if tpm == 0 {
			tpm = key.TPM
		}
	}
	rates = ratelimit.Scoped(string(scope), rpm, tpm)
	for _, b := range set.Budgets {
		budgets = append(budgets, budget.Budget{Scope: string(scope), Window: budget.Window(b.Window), LimitNano: b.LimitNanoUSD,
			Policy: budget.Policy(b.Policy), Target: b.Target})
	}
	if key != nil && key.BudgetNanoUSD > 0 {
		w := key.BudgetWindow
		if w == "" {
			w = limits.Lifetime
		}
		overridden := false
		for _, b := range set.Budgets {
			overridden = overridden || b.Window == w
		}
		if !overridden {
			budgets = append(budgets, budget.Budget{Scope: string(scope), Window: budget.Window(w), LimitNano: key.BudgetNanoUSD, Policy: budget.Hard})
		}
	}
	return rates, budgets
}

// settingsCache keeps the settings of recently seen scopes for a while, so
// that a request reads them from memory: a change made on another
// instance takes effect here within the TTL (one made through this
// instance's admin API, at once). Scopes without settings are cached too.
// When the store fails, stale entries keep being used.
type settingsCache struct {
	store limits.Store
	ttl   time.Duration
	now   func() time.Time

	mu      sync.RWMutex
	entries map[limits.Scope]cachedSettings
}

type cachedSettings struct {
	set     limits.Settings
	found   bool
	fetched time.Time
}

// maxCachedScopes bounds the cache; past it, it is emptied (scopes are
// few: keys, teams and users in use).
const maxCachedScopes = 100_000

func newSettingsCache(store limits.Store, ttl time.Duration, now func() time.Time) *settingsCache {
	return &settingsCache{store: store, ttl: ttl, now: now, entries: map[limits.Scope]cachedSettings{}}
}

// get returns the settings of each scope (zero when it has none), in the
// order given. err is the store's failure, with whatever was cached.
func (c *settingsCache) get(ctx context.Context, scopes []limits.Scope, out []limits.Settings) ([]limits.Settings, error) {
	out = out[:0]
	if c == nil || c.store == nil {
		for range scopes {
			out = append(out, limits.Settings{})
		}
		return out, nil
	}
	now := c.now()
	var missing []limits.Scope
	c.mu.RLock()
	for _, s := range scopes {
		e, ok := c.entries[s]
		if !ok || now.Sub(e.fetched) >= c.ttl {
			missing = append(missing, s)
		}
	}
	c.mu.RUnlock()
	var err error
	if len(missing) > 0 {
		var got []limits.Settings
		got, err = c.store.LimitSettings(ctx, missing)
		if err == nil {
			c.mu.Lock()
			if len(c.entries) >= maxCachedScopes {
				clear(c.entries)
			}
			for _, s := range missing {
				c.entries[s] = cachedSettings{fetched: now}
			}
			for _, set := range got {
				c.entries[set.Scope] = cachedSettings{set: set, found: true, fetched: now}
			}
			c.mu.Unlock()
		}
	}
	c.mu.RLock()
	for _, s := range scopes {
		out = append(out, c.entries[s].set)
	}
	c.mu.RUnlock()
	return out, err
}

// put records settings just written through this instance.
func (c *settingsCache) put(set limits.Settings) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.entries[set.Scope] = cachedSettings{set: set, found: !set.IsZero(), fetched: c.now()}
	c.mu.Unlock()
}
