package config

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/router"
	"github.com/switchboard-gw/switchboard/secrets"
)

// validateRouting checks the routing settings of the file: the routing
// section, each provider's connect timeout and sim faults, each
// deployment's routing fields and each alias's strategy, fallbacks,
// retries, hedging and rules. It runs after the references between
// providers, deployments and aliases were checked.
func (c *Config) validateRouting() error {
	if err := validateTimeouts("routing.timeouts", c.Routing.Timeouts); err != nil {
		return err
	}
	if err := validateRetry("routing.retry", &c.Routing.Retry); err != nil {
		return err
	}
	if err := validateBreaker("routing.breaker", &c.Routing.Breaker); err != nil {
		return err
	}
	if c.Routing.Reload.Interval < 0 {
		return fieldErr("routing.reload.interval", "must not be negative")
	}
	for _, name := range sortedKeys(c.Providers) {
		if err := validateProviderRouting("providers."+name, c.Providers[name]); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(c.Deployments) {
		if err := c.validateDeploymentRouting(name, c.Deployments[name]); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(c.Aliases) {
		if err := c.validateAliasRouting(name, c.Aliases[name]); err != nil {
			return err
		}
	}
	return nil
}

func validateProviderRouting(field string, p *Provider) error {
	if p.ConnectTimeout < 0 {
		return fieldErr(field+".connect_timeout", "must not be negative")
	}
	for i, f := range p.Sim.Faults {
		ff := fmt.Sprintf("%s.sim.faults[%d]", field, i)
		if p.Kind != KindSim {
			return fieldErr(ff, "faults are for sim providers")
		}
		if f.Probability < 0 || f.Probability > 1 {
			return fieldErr(ff+".probability", "want a number from 0 to 1, got %g", f.Probability)
		}
		if _, err := sim.ParseFault(f.Fault); err != nil || strings.TrimSpace(f.Fault) == "" {
			if err == nil {
				return fieldErr(ff+".fault", "is required (for example \"status=500\")")
			}
			return fieldErr(ff+".fault", "%v", err)
		}
	}
	return nil
}

// nameChars are the characters a deployment name may hold: it appears in
// the x-switchboard-attempts header list.
func validName(s string) bool {
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`,;="\`, r) {
			return false
		}
	}
	return s != ""
}

func (c *Config) validateDeploymentRouting(name string, d *Deployment) error {
	field := "deployments." + name
	if !validName(name) {
		return fieldErr(field, "deployment names are printable ASCII without spaces or any of , ; = \" \\")
	}
	r := &d.DeploymentRouting
	if kind := c.Providers[d.Provider].Kind; len(r.APIKeys) > 0 && (kind == KindSim || kind == KindVertex || kind == KindBedrock) {
		return fieldErr(field+".api_keys", "a %s provider takes no keys", kind)
	}
	for i, ref := range r.APIKeys {
		kf := fmt.Sprintf("%s.api_keys[%d]", field, i)
		if err := secrets.CheckRef(ref); err != nil {
			return fieldErr(kf, "%v", err)
		}
		if err := c.checkVaultRef(kf, ref); err != nil {
			return err
		}
		if secrets.Scheme(ref) == secrets.SchemeEnv {
			if _, err := (secrets.Env{LookupEnv: c.LookupEnv}).Resolve(context.Background(), ref); err != nil {
				return fieldErr(kf, "%v", err)
			}
		}
	}
	if r.Weight != nil && *r.Weight < 1 {
		return fieldErr(field+".weight", "must be at least 1 (use priority for a deployment that only serves as a fallback)")
	}
	if r.Limits.RPM < 0 || r.Limits.TPM < 0 {
		return fieldErr(field+".limits", "must not be negative")
	}
	if r.Price != nil && (r.Price.InputPerMTok < 0 || r.Price.OutputPerMTok < 0) {
		return fieldErr(field+".price", "must not be negative")
	}
	if err := validateTimeouts(field+".timeouts", r.Timeouts); err != nil {
		return err
	}
	if r.Breaker != nil {
		return validateBreaker(field+".breaker", r.Breaker)
	}
	return nil
}

func (c *Config) validateAliasRouting(name string, a *Alias) error {
	field := "aliases." + name
	r := &a.AliasRouting
	if len(r.Rules) > 0 {
		return c.validateRules(field, a)
	}
	if r.Default != "" {
		return fieldErr(field+".default", "is for aliases with rules")
	}
	if !router.Strategy(r.Strategy).Valid() {
		names := make([]string, 0, 5)
		for _, s := range router.Strategies() {
			names = append(names, string(s))
		}
		return fieldErr(field+".strategy", "unknown strategy %q (want %s)", r.Strategy, strings.Join(names, ", "))
	}
	for i, dn := range a.Deployments {
		d := c.Deployments[dn]
		df := fmt.Sprintf("%s.deployments[%d]", field, i)
		switch router.Strategy(r.Strategy) {
		case router.StrategyLowestCost:
			if _, priced := c.DeploymentPrice(dn, time.Time{}); d.Price == nil && !priced {
				return fieldErr(df, "deployment %q declares no price and the pricing table has none for its model %q, which the lowest_cost strategy needs", dn, d.Model)
			}
		case router.StrategyUsageBased:
			if d.Limits.RPM == 0 && d.Limits.TPM == 0 {
				return fieldErr(df, "deployment %q declares no limits (rpm, tpm), which the usage_based strategy needs", dn)
			}
		}
	}
	if e := r.Exploration; e != nil && (*e < 0 || *e > 1) {
		return fieldErr(field+".exploration", "want a share from 0 to 1, got %g", *e)
	}
	for _, class := range sortedKeys(r.Fallbacks) {
		ff := field + ".fallbacks." + class
		if _, ok := router.ParseErrorClass(class); !ok {
			return fieldErr(ff, "unknown error class (want %s)", strings.Join(router.ErrorClassNames(), ", "))
		}
		for i, target := range r.Fallbacks[class] {
			tf := fmt.Sprintf("%s[%d]", ff, i)
			t, ok := c.Aliases[target]
			switch {
			case !ok:
				return fieldErr(tf, "unknown alias %q", target)
			case target == name:
				return fieldErr(tf, "an alias cannot fall back to itself")
			case t != nil && len(t.Rules) > 0:
				return fieldErr(tf, "alias %q chooses by rules; name an alias with deployments", target)
			}
		}
	}
	if r.Retry != nil {
		if err := validateRetry(field+".retry", r.Retry); err != nil {
			return err
		}
	}
	if err := validateTimeouts(field+".timeouts", r.Timeouts); err != nil {
		return err
	}
	if h := r.Hedge; h != nil {
		switch {
		case h.Delay < 0:
			return fieldErr(field+".hedge.delay", "must not be negative")
		case h.Percentile != 0 && (h.Percentile < 50 || h.Percentile > 99):
			return fieldErr(field+".hedge.percentile", "want 50 to 99, got %d", h.Percentile)
		case h.Delay == 0 && h.Percentile == 0:
			return fieldErr(field+".hedge", "set delay, percentile, or both")
		case h.Max < 0:
			return fieldErr(field+".hedge.max", "must not be negative")
		case len(a.Deployments) < 2:
			return fieldErr(field+".hedge", "hedging needs at least two deployments")
		}
	}
	if ct := r.Continuation; ct != nil && ct.Max < 0 {
		return fieldErr(field+".continuation.max", "must not be negative")
	}
	return nil
}

// validateRules checks an alias that chooses by rules.
func (c *Config) validateRules(field string, a *Alias) error {
	r := &a.AliasRouting
	if len(a.Deployments) > 0 {
		return fieldErr(field+".rules", "an alias has either deployments or rules, not both")
	}
	if r.Strategy != "" || len(r.Fallbacks) > 0 || r.Retry != nil || r.Hedge != nil || r.Continuation != nil || r.Exploration != nil {
		return fieldErr(field+".rules", "an alias with rules only chooses another alias; put strategy, fallbacks, retry, hedge and continuation on the aliases it chooses")
	}
	target := func(f, name string) error {
		t, ok := c.Aliases[name]
		switch {
		case name == "":
			return fieldErr(f, "is required")
		case !ok:
			return fieldErr(f, "unknown alias %q", name)
		case t != nil && len(t.Rules) > 0:
			return fieldErr(f, "alias %q chooses by rules too; rules do not chain", name)
		}
		return nil
	}
	seen := map[string]bool{}
	for i, rule := range r.Rules {
		rf := fmt.Sprintf("%s.rules[%d]", field, i)
		if rule.Name == "" || !validName(rule.Name) {
			return fieldErr(rf+".name", "is required: printable ASCII without spaces or any of , ; = \" \\")
		}
		if seen[rule.Name] {
			return fieldErr(rf+".name", "rule %q is declared twice", rule.Name)
		}
		seen[rule.Name] = true
		if err := target(rf+".alias", rule.Alias); err != nil {
			return err
		}
		w := &rule.When
		switch {
		case w.MinInputTokens < 0 || w.MaxInputTokens < 0:
			return fieldErr(rf+".when", "token bounds must not be negative")
		case w.MaxInputTokens > 0 && w.MinInputTokens > w.MaxInputTokens:
			return fieldErr(rf+".when.min_input_tokens", "is above max_input_tokens")
		case w.MinComplexity != nil && (*w.MinComplexity < 0 || *w.MinComplexity > 1):
			return fieldErr(rf+".when.min_complexity", "want 0 to 1")
		case w.MaxComplexity != nil && (*w.MaxComplexity < 0 || *w.MaxComplexity > 1):
			return fieldErr(rf+".when.max_complexity", "want 0 to 1")
		case w.MinComplexity != nil && w.MaxComplexity != nil && *w.MinComplexity > *w.MaxComplexity:
			return fieldErr(rf+".when.min_complexity", "is above max_complexity")
		}
	}
	return target(field+".default", r.Default)
}

func validateTimeouts(field string, t Timeouts) error {
	for _, x := range []struct {
		name string
		d    time.Duration
	}{{"ttft", t.TTFT}, {"idle", t.Idle}, {"total", t.Total}} {
		if x.d < 0 {
			return fieldErr(field+"."+x.name, "must not be negative")
		}
	}
	return nil
}

func validateRetry(field string, r *Retry) error {
	switch {
	case r.MaxRetries != nil && *r.MaxRetries < 0:
		return fieldErr(field+".max_retries", "must not be negative")
	case r.MaxRetries != nil && *r.MaxRetries > 10:
		return fieldErr(field+".max_retries", "at most 10")
	case r.Backoff < 0:
		return fieldErr(field+".backoff", "must not be negative")
	case r.MaxBackoff < 0:
		return fieldErr(field+".max_backoff", "must not be negative")
	case r.MaxBackoff > 0 && r.Backoff > r.MaxBackoff:
		return fieldErr(field+".max_backoff", "is below backoff")
	case r.MaxRetryAfter < 0:
		return fieldErr(field+".max_retry_after", "must not be negative")
	case r.Budget.Ratio != nil && (*r.Budget.Ratio < 0 || *r.Budget.Ratio > 10):
		return fieldErr(field+".budget.ratio", "want 0 to 10 (0.2: retries add at most 20%% load), got %g", *r.Budget.Ratio)
	case r.Budget.MinPerSecond != nil && *r.Budget.MinPerSecond < 0:
		return fieldErr(field+".budget.min_per_second", "must not be negative")
	}
	return nil
}

func validateBreaker(field string, b *Breaker) error {
	switch {
	case b.ConsecutiveFailures != nil && *b.ConsecutiveFailures < 0:
		return fieldErr(field+".consecutive_failures", "must not be negative (0 turns this trigger off)")
	case b.FailureRate != nil && (*b.FailureRate < 0 || *b.FailureRate > 1):
		return fieldErr(field+".failure_rate", "want 0 to 1 (0 turns this trigger off), got %g", *b.FailureRate)
	case b.MinRequests != nil && *b.MinRequests < 0:
		return fieldErr(field+".min_requests", "must not be negative")
	case b.Window < 0:
		return fieldErr(field+".window", "must not be negative")
	case b.OpenFor < 0:
		return fieldErr(field+".open_for", "must not be negative")
	case b.HalfOpenProbes != nil && *b.HalfOpenProbes < 1:
		return fieldErr(field+".half_open_probes", "must be at least 1")
	}
	return nil
}
