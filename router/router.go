package router

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Config is what a Router routes: aliases, passthrough providers, and the
// defaults for what aliases and deployments leave unset.
type Config struct {
	Aliases []*Alias
	// Passthrough providers serve "<provider>/<model>" with the model name
	// as-is.
	Passthrough map[string]llm.Provider
	// Timeouts are the defaults under every alias's and deployment's
	// (zero fields: DefaultTimeouts).
	Timeouts Timeouts
	// Breaker is the breaker of deployments without their own (zero:
	// DefaultBreakerPolicy).
	Breaker BreakerPolicy
	// PassthroughRetry is the retry policy of "<provider>/<model>" names.
	PassthroughRetry RetryPolicy
}

// Options are the router's collaborators.
type Options struct {
	// State keeps deployment health across routers (configuration
	// reloads). Nil: a State of the router's own.
	State *State
	// Observer receives every attempt once it has ended.
	Observer Observer
	// Attempts, when set, is told when each attempt starts and ends, and
	// gives each its own context (telemetry's attempt spans; see
	// AttemptHook).
	Attempts AttemptHook
	// Clock drives backoff, breakers and statistics. Nil: the real clock.
	// Attempt timeouts (first token, idle, total) always use real timers.
	Clock Clock
	// Random returns numbers in [0, 1) for strategies and jitter. Nil:
	// math/rand/v2. It must be safe for concurrent use.
	Random func() float64
	// Tokens, when set, counts the tokens of attempts that end without
	// usage from the provider (the output received and the prompt), for
	// metering. Nil: they are estimated from their size (four bytes a
	// token), as routing always does.
	Tokens TokenCounter
	// Gate, when set, is asked before each attempt on a deployment with
	// declared limits (see DeploymentGate).
	Gate DeploymentGate
}

// Observer receives each attempt once it has ended, with the context of
// the request it belongs to. Metering charges attempts from here. It is
// called on the request's goroutine or, for abandoned hedges, on another
// (possibly after the request ended and its context was canceled);
// it must be quick and safe for concurrent use.
type Observer func(ctx context.Context, a llm.Attempt)

// Clock is the router's time source; tests substitute a fake one.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done (returning ctx's error).
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Router resolves model names and runs attempts. It is immutable: a new
// configuration builds a new Router (sharing the State), and requests in
// flight finish on the one they started with.
type Router struct {
	aliases     map[string]*compiledAlias
	names       []string
	passthrough map[string]llm.Provider
	ptNames     []string
	ptRetry     RetryPolicy
	ptTimeouts  Timeouts
	ptBreaker   BreakerPolicy
	ptStates    map[string]*deploymentState // per passthrough provider
	ptBudgets   map[string]*budget
	state       *State
	observer    Observer
	hook        AttemptHook
	tokens      TokenCounter
	gate        DeploymentGate
	clock       Clock
	random      func() float64
}

// compiledAlias is an Alias with its references resolved.
type compiledAlias struct {
	*Alias
	members      []*member
	hasLimits    bool
	exploration  float64
	budget       *budget
	fallbacks    [numClasses][]*compiledAlias
	rules        []compiledRule
	defaultAlias *compiledAlias
	isRules      bool
}

type compiledRule struct {
	rule   *Rule
	target *compiledAlias
}

// member is a deployment as one alias uses it, with its effective
// policies.
type member struct {
	d         *Deployment
	st        *deploymentState
	breaker   *BreakerPolicy
	timeouts  Timeouts
	hasLimits bool
	alias     *compiledAlias
}

// New returns a router over aliases (name -> deployments in order of
// preference) with the default policies, and passthrough providers
// (provider name -> provider), which serve "<provider>/<model>" with the
// model name as-is.
func New(aliases map[string][]*Deployment, passthrough map[string]llm.Provider) *Router {
	cfg := Config{Passthrough: passthrough}
	for name, ds := range aliases {
		cfg.Aliases = append(cfg.Aliases, &Alias{Name: name, Deployments: ds, Retry: DefaultRetryPolicy()})
	}
	r, err := Build(cfg, Options{})
	if err != nil {
		panic(err) // only nil deployments can fail here: a programming error
	}
	return r
}

// Build compiles cfg into a Router. It checks every reference (fallbacks,
// rule targets, deployments) and reports the first problem.
func Build(cfg Config, opts Options) (*Router, error) {
	r := &Router{
		aliases:     make(map[string]*compiledAlias, len(cfg.Aliases)),
		passthrough: cfg.Passthrough,
		ptRetry:     cfg.PassthroughRetry,
		state:       opts.State,
		observer:    opts.Observer,
		hook:        opts.Attempts,
		tokens:      opts.Tokens,
		gate:        opts.Gate,
		clock:       opts.Clock,
		random:      opts.Random,
	}
	if r.state == nil {
		r.state = NewState()
	}
	r.state.begin()
	if r.clock == nil {
		r.clock = realClock{}
	}
	if r.random == nil {
		r.random = rand.Float64
	}
	defaults := cfg.Timeouts.or(DefaultTimeouts())
	r.ptTimeouts = defaults
	r.ptBreaker = cfg.Breaker
	if r.ptBreaker == (BreakerPolicy{}) {
		r.ptBreaker = DefaultBreakerPolicy()
	}
	for _, a := range cfg.Aliases {
		if a == nil || a.Name == "" {
			return nil, fmt.Errorf("router: an alias has no name")
		}
		if _, dup := r.aliases[a.Name]; dup {
			return nil, fmt.Errorf("router: alias %q is declared twice", a.Name)
		}
		if !a.Strategy.Valid() {
			return nil, fmt.Errorf("router: alias %q: unknown strategy %q", a.Name, a.Strategy)
		}
		ca := &compiledAlias{Alias: a, isRules: len(a.Rules) > 0, budget: r.state.budget(a.Name)}
		if ca.isRules && len(a.Deployments) > 0 {
			return nil, fmt.Errorf("router: alias %q has both rules and deployments", a.Name)
		}
		if !ca.isRules && len(a.Deployments) == 0 {
			return nil, fmt.Errorf("router: alias %q has no deployments", a.Name)
		}
		ca.exploration = a.Exploration
		if ca.exploration == 0 {
			ca.exploration = DefaultExploration
		}
		for i, d := range a.Deployments {
			if d == nil || (d.Provider == nil && len(d.Keys) == 0) {
				return nil, fmt.Errorf("router: alias %q: deployment %d has no provider", a.Name, i)
			}
			bp := d.Breaker
			if bp == nil {
				bp = &r.ptBreaker
			}
			m := &member{
				d:         d,
				st:        r.state.deployment(d, bp),
				breaker:   bp,
				timeouts:  d.Timeouts.or(a.Timeouts).or(defaults),
				hasLimits: d.Limits.RPM > 0 || d.Limits.TPM > 0,
				alias:     ca,
			}
			ca.hasLimits = ca.hasLimits || m.hasLimits
			ca.members = append(ca.members, m)
		}
		if a.Strategy == "" || a.Strategy == StrategyPriority {
			sort.SliceStable(ca.members, func(i, j int) bool { return ca.members[i].d.Priority < ca.members[j].d.Priority })
		}
		r.aliases[a.Name] = ca
	}
	for _, ca := range r.aliases {
		if err := r.link(ca); err != nil {
			return nil, err
		}
	}
	r.names = make([]string, 0, len(r.aliases))
	for n := range r.aliases {
		r.names = append(r.names, n)
	}
	sort.Strings(r.names)
	r.ptStates = make(map[string]*deploymentState, len(r.passthrough))
	r.ptBudgets = make(map[string]*budget, len(r.passthrough))
	for n, p := range r.passthrough {
		r.ptNames = append(r.ptNames, n)
		// One health state per provider, whatever the model, so that
		// names chosen by callers cannot grow the router's memory.
		r.ptStates[n] = r.state.deployment(&Deployment{Name: "passthrough:" + n, ProviderName: n, Provider: p}, &r.ptBreaker)
		r.ptBudgets[n] = r.state.budget("passthrough:" + n)
	}
	sort.Strings(r.ptNames)
	// Forget the health of deployments this router no longer has (only
	// once it is built: a failed build changes nothing).
	r.state.end()
	return r, nil
}

// link resolves an alias's fallbacks and rules.
func (r *Router) link(ca *compiledAlias) error {
	target := func(what, name string) (*compiledAlias, error) {
		t, ok := r.aliases[name]
		if !ok {
			return nil, fmt.Errorf("router: alias %q: %s: unknown alias %q", ca.Name, what, name)
		}
		if t.isRules {
			return nil, fmt.Errorf("router: alias %q: %s: %q chooses by rules; name an alias with deployments", ca.Name, what, name)
		}
		return t, nil
	}
	for c := range numClasses {
		for _, name := range ca.Fallbacks[c] {
			t, err := target("fallback "+ErrorClass(c).String(), name)
			if err != nil {
				return err
			}
			if t != ca {
				ca.fallbacks[c] = append(ca.fallbacks[c], t)
			}
		}
	}
	if !ca.isRules {
		return nil
	}
	for i := range ca.Rules {
		rule := &ca.Rules[i]
		t, err := target("rule "+rule.Name, rule.Alias)
		if err != nil {
			return err
		}
		ca.rules = append(ca.rules, compiledRule{rule: rule, target: t})
	}
	if ca.Default == "" {
		return fmt.Errorf("router: alias %q has rules but no default", ca.Name)
	}
	t, err := target("default", ca.Default)
	if err != nil {
		return err
	}
	ca.defaultAlias = t
	return nil
}

// Aliases returns the alias names, sorted.
func (r *Router) Aliases() []string { return r.names }

// PassthroughProviders returns the names of providers reachable as
// "<provider>/<model>", sorted.
func (r *Router) PassthroughProviders() []string { return r.ptNames }

// State returns the router's State, to build the next router with.
func (r *Router) State() *State { return r.state }

// Resolve returns the deployments that serve model, in configuration
// order (for an alias with rules: those of its default).
func (r *Router) Resolve(model string) ([]*Deployment, error) {
	a, err := r.alias(model)
	if err != nil {
		return nil, err
	}
	if a.isRules {
		a = a.defaultAlias
	}
	return a.Deployments, nil
}

// alias finds the alias for model, or makes one for a passthrough name.
func (r *Router) alias(model string) (*compiledAlias, error) {
	if a, ok := r.aliases[model]; ok {
		return a, nil
	}
	if prov, upstream, ok := strings.Cut(model, "/"); ok && upstream != "" {
		if p, ok := r.passthrough[prov]; ok {
			return r.passthroughAlias(model, prov, upstream, p), nil
		}
	}
	return nil, &llm.Error{
		Kind:    llm.KindNotFound,
		Code:    "model_not_found",
		Param:   "model",
		Message: fmt.Sprintf("the model %q does not exist or you do not have access to it; list the available models with GET /v1/models", model),
	}
}

// passthroughAlias is a one-deployment alias for "<provider>/<model>",
// with the provider's health state and retry budget.
func (r *Router) passthroughAlias(model, prov, upstream string, p llm.Provider) *compiledAlias {
	d := &Deployment{Name: model, ProviderName: prov, Model: upstream, Provider: p}
	a := &compiledAlias{
		Alias:  &Alias{Name: model, Deployments: []*Deployment{d}, Retry: r.ptRetry},
		budget: r.ptBudgets[prov],
	}
	a.members = []*member{{d: d, st: r.ptStates[prov], breaker: &r.ptBreaker, timeouts: r.ptTimeouts, alias: a}}
	return a
}

// upstreamRequest is req addressed to d's upstream model. The copy is
// shallow: providers must not modify the request.
func upstreamRequest(req *llm.Request, d *Deployment) *llm.Request {
	up := *req
	up.Model = d.Model
	return &up
}
