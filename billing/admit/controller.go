package admit

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/billing/idempotency"
	"github.com/switchboard-gw/switchboard/billing/limits"
	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/billing/ratelimit"
	"github.com/switchboard-gw/switchboard/llm"
)

// Pricer tells admission what the deployments a request may reach cost,
// for its worst case. The gateway implements it from its configuration and
// router. (What attempts actually cost comes from metering: ObserveCost.)
type Pricer interface {
	// Prices returns the price of every deployment a request for model may
	// be routed to: the alias's deployments and those of the aliases its
	// rules and fallbacks name, transitively. ok is false when one of them
	// has no price (or the model is unknown). The slice is read-only.
	Prices(model string) (prices []pricing.Price, ok bool)
}

// Events are told what admission refused, for metrics. Any may be nil.
type Events struct {
	// RateLimited: a rate limit refused a request. scope is "key",
	// "team", "user" or "deployment"; kind "rpm" or "tpm".
	RateLimited func(ctx context.Context, scope, kind string)
	// Budget: a request did not fit in a budget. scope is "key", "team"
	// or "user"; window "daily", "monthly" or "lifetime"; action "reject",
	// "downgrade" (sent to the cheaper alias) or "soft" (let through).
	Budget func(ctx context.Context, scope, window, action string)
}

// Options configure a Controller. Every engine is optional: without a
// Limiter no rate limit is enforced, without Budgets no budget, without
// Idempotency an Idempotency-Key is ignored.
//
// An engine whose state is in this process says so with a method Local()
// bool returning true (ratelimit.Memory and budget.Memory do): a request
// that both rate limits and budgets apply to then runs them one after the
// other on its own goroutine, which costs less than handing one to another
// goroutine to overlap them; it overlaps them otherwise.
type Options struct {
	Limiter     ratelimit.Limiter
	Budgets     budget.Engine
	Idempotency idempotency.Engine
	// Combined, when set, makes the rate-limit check and the reservation
	// of a request that needs both one round trip, and its settlement and
	// TPM correction another (billing/redisadmit, for a Limiter and
	// Budgets in the same Redis). It must act on the same state as Limiter
	// and Budgets, which stay required: they serve every other call.
	Combined Combined
	// Settings holds the limits set through the admin API (nil: only keys'
	// own limits apply); SettingsTTL is how long this instance uses what
	// it read (default DefaultSettingsTTL).
	Settings    limits.Store
	SettingsTTL time.Duration
	// Pricer prices worst cases and attempts; required for budgets and
	// max_cost.
	Pricer Pricer
	// IdempotencyTTL is how long a completed result is replayed (default
	// idempotency.DefaultTTL, 24 h).
	IdempotencyTTL time.Duration
	// DefaultMaxOutputTokens bounds the output of a request that sets no
	// max_tokens, for a model whose maximum output the pricing table does
	// not know (default DefaultMaxOutputTokens).
	DefaultMaxOutputTokens int64
	// ImageTokens bounds the prompt tokens of one image (default
	// DefaultImageTokens).
	ImageTokens int64
	// AllowUnpriced lets requests to a model without a price through
	// budgets and max_cost, reserving nothing for them; by default they
	// are refused when a budget or max_cost applies (their cost cannot be
	// bounded).
	AllowUnpriced bool
	// FailClosed refuses requests (HTTP 503) when the budgets, the
	// idempotency keys or the settings cannot be read (Redis or the
	// database down); by default they are let through, logged and counted
	// (Stats). The rate limiter has its own failure mode.
	FailClosed bool
	// Timeout bounds one budget reservation or settlement (default
	// DefaultTimeout): a store that answers later counts as unreachable.
	Timeout time.Duration
	Events  Events
	Logger  *slog.Logger
	// Clock is the time source (default time.Now).
	Clock func() time.Time
}

// Defaults of Options.
const (
	DefaultSettingsTTL           = 10 * time.Second
	DefaultMaxOutputTokens int64 = 16_384
	DefaultTimeout               = time.Second
	asyncTimeout                 = 10 * time.Second
	degradedLogEvery             = 10 * time.Second
)

// Controller admits requests: idempotency first, then rate limits, then
// budgets; and settles them when they end. It is safe for concurrent use.
type Controller struct {
	o        Options
	settings *settingsCache
	stats    struct {
		budgetFailures, idempotencyFailures, settingsFailures, failOpens atomic.Uint64
	}
	lastLog atomic.Int64 // unix nanos of the last degraded warning
	// localLimiter and localBudgets: the engines keep their state in this
	// process (Local), so calls to them are cheaper than a hand-off.
	localLimiter, localBudgets bool
}

// New returns a Controller.
func New(o Options) *Controller {
	if o.SettingsTTL <= 0 {
		o.SettingsTTL = DefaultSettingsTTL
	}
	if o.IdempotencyTTL <= 0 {
		o.IdempotencyTTL = idempotency.DefaultTTL
	}
	if o.DefaultMaxOutputTokens <= 0 {
		o.DefaultMaxOutputTokens = DefaultMaxOutputTokens
	}
	if o.ImageTokens <= 0 {
		o.ImageTokens = DefaultImageTokens
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	c := &Controller{o: o, localLimiter: isLocal(o.Limiter), localBudgets: isLocal(o.Budgets)}
	if o.Combined != nil && (o.Limiter == nil || o.Budgets == nil) {
		c.o.Combined = nil
	}
	if o.Settings != nil {
		c.settings = newSettingsCache(o.Settings, o.SettingsTTL, o.Clock)
	}
	return c
}

// Stats count the times a dependency of admission could not be reached.
type Stats struct {
	BudgetFailures      uint64
	IdempotencyFailures uint64
	SettingsFailures    uint64
	// FailOpens counts the requests let through without the check that
	// failed.
	FailOpens uint64
}

// Stats returns the failure counts since New.
func (c *Controller) Stats() Stats {
	return Stats{
		BudgetFailures:      c.stats.budgetFailures.Load(),
		IdempotencyFailures: c.stats.idempotencyFailures.Load(),
		SettingsFailures:    c.stats.settingsFailures.Load(),
		FailOpens:           c.stats.failOpens.Load(),
	}
}

// degraded handles a dependency failure: an error to fail the request
// with when failing closed, nil (after counting and, at most every 10 s,
// logging) when failing open. A canceled request is returned as such.
func (c *Controller) degraded(ctx context.Context, what string, counter *atomic.Uint64, err error) error {
	if ctx.Err() != nil {
		return llm.AsError(ctx.Err())
	}
	counter.Add(1)
	if c.o.FailClosed {
		return unavailableError(what, err)
	}
	c.stats.failOpens.Add(1)
	now := c.o.Clock().UnixNano()
	if last := c.lastLog.Load(); now-last >= int64(degradedLogEvery) && c.lastLog.CompareAndSwap(last, now) {
		c.o.Logger.WarnContext(ctx, "limits: a dependency failed; letting requests through without it", "check", what, "error", err)
	}
	return nil
}

// Admit admits one completion request of caller (stream says which
// kind): max_cost, the idempotency key, rate limits and budgets, in that
// order. The returned Ticket says what to do: replay a stored answer
// (Replayed), or route Ticket.Request and call Finish (or wrap the stream
// with Stream) when done. An error refuses the request; nothing is held
// then.
func (c *Controller) Admit(ctx context.Context, caller Caller, req *llm.Request, stream bool) (*Ticket, error) {
	t := c.newTicket(ctx, caller, req.Model)
	inputBound := InputTokenBound(req, c.o.ImageTokens)
	t.estimate = tpmEstimate(inputBound, req)
	worst := func(model string) (int64, bool) {
		if c.o.Pricer == nil {
			return 0, false
		}
		prices, ok := c.o.Pricer.Prices(model)
		if !ok {
			return 0, false
		}
		return worstCase(prices, inputBound, req, c.o.DefaultMaxOutputTokens)
	}
	if err := c.checkMaxCost(t, worst); err != nil {
		return nil, err
	}
	if t.notes != nil && t.notes.IdempotencyKey != "" && c.o.Idempotency != nil {
		route := "complete"
		if stream {
			route = "stream"
		}
		if err := t.beginIdempotent(ctx, route, req); err != nil {
			return nil, err
		}
		if t.replay != nil {
			return t, nil
		}
	}
	if err := c.admit(ctx, t, worst); err != nil {
		t.abandonIdempotent(ctx)
		return nil, err
	}
	return t, nil
}

// AdmitEmbed admits an embeddings request: rate limits and budgets (an
// embedding's worst case is its input bound at the dearest input price);
// no idempotency. Call FinishEmbed when it ends.
func (c *Controller) AdmitEmbed(ctx context.Context, caller Caller, req *llm.EmbedRequest) (*Ticket, error) {
	t := c.newTicket(ctx, caller, req.Model)
	inputBound := EmbedTokenBound(req)
	t.estimate = (inputBound + 3) / 4
	worst := func(model string) (int64, bool) {
		if c.o.Pricer == nil {
			return 0, false
		}
		prices, ok := c.o.Pricer.Prices(model)
		if !ok {
			return 0, false
		}
		return worstCase(prices, inputBound, nil, 0)
	}
	if err := c.checkMaxCost(t, worst); err != nil {
		return nil, err
	}
	if err := c.admit(ctx, t, worst); err != nil {
		return nil, err
	}
	return t, nil
}

func (c *Controller) newTicket(ctx context.Context, caller Caller, model string) *Ticket {
	return &Ticket{c: c, caller: caller, model: model, asked: model, notes: NotesFrom(ctx)}
}

// checkMaxCost refuses a request whose worst case is above its max_cost,
// before anything else: it is the request itself that is too expensive.
func (c *Controller) checkMaxCost(t *Ticket, worst func(string) (int64, bool)) error {
	if t.notes == nil || t.notes.MaxCostNanoUSD <= 0 {
		return nil
	}
	w, ok := worst(t.model)
	switch {
	case !ok && !c.o.AllowUnpriced:
		return unpricedError(t.model, "its max_cost")
	case ok && w > t.notes.MaxCostNanoUSD:
		return maxCostError(w, t.notes.MaxCostNanoUSD)
	}
	return nil
}

// admit checks the rate limits and reserves the budgets of t's caller.
func (c *Controller) admit(ctx context.Context, t *Ticket, worst func(string) (int64, bool)) error {
	var scopeBuf [3]limits.Scope
	var setBuf [3]limits.Settings
	scopes := t.caller.scopes(scopeBuf[:0])
	sets, err := c.settings.get(ctx, scopes, setBuf[:0])
	if err != nil {
		if derr := c.degraded(ctx, "limit settings", &c.stats.settingsFailures, err); derr != nil {
			return derr
		}
	}
	var rates []ratelimit.Limit
	var budgets []budget.Budget
	for i, s := range scopes {
		var key *KeyLimits
		if i == 0 && t.caller.KeyID != "" {
			key = &t.caller.Key
		}
		r, b := Effective(s, sets[i], key)
		rates = append(rates, r...)
		budgets = append(budgets, b...)
	}
	checkRates := len(rates) > 0 && c.o.Limiter != nil
	checkBudgets := len(budgets) > 0 && c.o.Budgets != nil
	if checkRates && checkBudgets {
		switch {
		case c.o.Combined != nil:
			return c.checkAndReserve(ctx, t, rates, budgets, worst)
		case !c.localLimiter && !c.localBudgets:
			return c.checkAndReserveConcurrently(ctx, t, rates, budgets, worst)
		}
	}
	// One after the other: a rate limit that refuses leaves nothing to
	// undo; a budget that refuses gives the TPM estimate back.
	if checkRates {
		if err := c.checkRates(ctx, t, rates); err != nil {
			return err
		}
	}
	if checkBudgets {
		if err := c.reserve(ctx, t, budgets, worst); err != nil {
			t.refundTokens()
			return err
		}
	}
	return nil
}

// checkAndReserveConcurrently makes the rate-limit check and the
// reservation, two independent round trips, at once. Whichever refuses
// undoes the other: a reservation is released, a TPM estimate given back.
func (c *Controller) checkAndReserveConcurrently(ctx context.Context, t *Ticket, rates []ratelimit.Limit, budgets []budget.Budget, worst func(string) (int64, bool)) error {
	reserved := make(chan error, 1)
	go func() { reserved <- c.reserve(ctx, t, budgets, worst) }()
	rerr := c.checkRates(ctx, t, rates)
	return c.undoRefused(ctx, t, rerr, <-reserved)
}

// undoRefused settles the outcome of a rate-limit check (rerr) and a
// reservation (berr) made together: whichever refused, or failed closed,
// undoes the other, and its error refuses the request.
func (c *Controller) undoRefused(ctx context.Context, t *Ticket, rerr, berr error) error {
	switch {
	case rerr != nil:
		if berr == nil && t.reserved {
			t.reserved = false
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.o.Timeout)
			_ = c.o.Budgets.Settle(sctx, t.reservation, 0)
			cancel()
		}
		return rerr
	case berr != nil:
		t.refundTokens()
		return berr
	}
	return nil
}

// checkRates checks the caller's rate limits, charging the TPM estimate.
func (c *Controller) checkRates(ctx context.Context, t *Ticket, rates []ratelimit.Limit) error {
	d, err := c.o.Limiter.Check(ctx, rates, t.estimate)
	return c.ratesChecked(ctx, t, rates, d, err)
}

// ratesChecked applies the outcome of the check of the caller's rate
// limits to t.
func (c *Controller) ratesChecked(ctx context.Context, t *Ticket, rates []ratelimit.Limit, d ratelimit.Decision, err error) error {
	if err != nil {
		return llm.AsError(err) // failing closed (the limiter logged and counted it)
	}
	if t.notes != nil {
		t.notes.RateLimit, t.notes.HasRateLimit = d, true
	}
	if !d.Allowed {
		if s, ok := d.Rejection(); ok && c.o.Events.RateLimited != nil {
			kind, _, _ := cutScope(s.Scope)
			c.o.Events.RateLimited(ctx, kind, string(s.Kind))
		}
		return d.Err()
	}
	if !d.Degraded {
		t.rates = rates
	}
	return nil
}

// reserve holds t's worst case in every budget, or, when a downgrade
// budget refuses, the worst case of its target alias with that budget
// made soft.
func (c *Controller) reserve(ctx context.Context, t *Ticket, budgets []budget.Budget, worst func(string) (int64, bool)) error {
	amount, err := c.reserveAmount(t, worst)
	if err != nil {
		return err
	}
	res, d, err := c.reserveBounded(ctx, budgets, amount)
	return c.reservationMade(ctx, t, budgets, worst, res, d, err)
}

// reserveAmount is what t reserves: its worst case, or nothing for an
// unpriced model when Options.AllowUnpriced lets it through.
func (c *Controller) reserveAmount(t *Ticket, worst func(string) (int64, bool)) (int64, error) {
	amount, ok := worst(t.model)
	if !ok {
		if !c.o.AllowUnpriced {
			return 0, unpricedError(t.model, "its budget")
		}
		amount = 0
	}
	t.reservedAmount = amount
	return amount, nil
}

// reservationMade applies the outcome of the reservation of t's worst
// case in budgets: a store failure goes through degraded, a downgrade
// budget that refused is retried with the target alias's worst case, and
// a refusal is the request's error.
func (c *Controller) reservationMade(ctx context.Context, t *Ticket, budgets []budget.Budget, worst func(string) (int64, bool),
	res budget.Reservation, d budget.Decision, err error) error {
	if err != nil {
		if errors.Is(err, budget.ErrInvalid) {
			return llm.AsError(err)
		}
		return c.degraded(ctx, "budgets", &c.stats.budgetFailures, err)
	}
	if !d.Allowed && heldOnly(d, t.reservedAmount) {
		if res, d, err = c.awaitHolds(ctx, budgets, t.reservedAmount, d); err != nil {
			return c.degraded(ctx, "budgets", &c.stats.budgetFailures, err)
		}
	}
	if !d.Allowed && d.Refused != nil && d.Refused.Budget.Policy == budget.Downgrade && d.Refused.Budget.Target != "" && d.Refused.Budget.Target != t.model {
		refused := *d.Refused
		target := refused.Budget.Target
		if amount2, ok := worst(target); ok || c.o.AllowUnpriced {
			softened := make([]budget.Budget, len(budgets))
			copy(softened, budgets)
			for i := range softened {
				if softened[i].Scope == refused.Budget.Scope && softened[i].Window == refused.Budget.Window {
					softened[i].Policy = budget.Soft
				}
			}
			res, d, err = c.reserveBounded(ctx, softened, amount2)
			if err != nil {
				return c.degraded(ctx, "budgets", &c.stats.budgetFailures, err)
			}
			if d.Allowed {
				c.budgetEvent(ctx, refused.Budget, "downgrade")
				t.model = target
				if t.notes != nil {
					t.notes.DowngradedTo = target
				}
				budgets = softened
				d.Over = withoutBudget(d.Over, refused.Budget) // expected to be over now
			} else if d.Refused == nil {
				d.Refused = &refused
			}
		}
	}
	if !d.Allowed {
		c.budgetEvent(ctx, d.Refused.Budget, "reject")
		return budgetError(*d.Refused, c.o.Clock())
	}
	for _, u := range d.Over {
		c.budgetEvent(ctx, u.Budget, "soft")
	}
	t.budgets, t.reservation, t.reserved = budgets, res, true
	return nil
}

// reserveBounded is Reserve within Options.Timeout. A caller that went
// away is reported as such, not as a store failure (degraded).
func (c *Controller) reserveBounded(ctx context.Context, budgets []budget.Budget, amount int64) (budget.Reservation, budget.Decision, error) {
	rctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	return c.o.Budgets.Reserve(rctx, budgets, amount)
}

func (c *Controller) budgetEvent(ctx context.Context, b budget.Budget, action string) {
	if c.o.Events.Budget == nil {
		return
	}
	kind, _, _ := cutScope(b.Scope)
	c.o.Events.Budget(ctx, kind, string(b.Window), action)
}

// cutScope splits "kind:id".
func cutScope(scope string) (kind, id string, ok bool) {
	for i := 0; i < len(scope); i++ {
		if scope[i] == ':' {
			return scope[:i], scope[i+1:], true
		}
	}
	return scope, "", false
}

// withoutBudget is us without the usage of b's scope and window.
func withoutBudget(us []budget.Usage, b budget.Budget) []budget.Usage {
	out := us[:0:0]
	for _, u := range us {
		if u.Budget.Scope != b.Scope || u.Budget.Window != b.Window {
			out = append(out, u)
		}
	}
	return out
}
