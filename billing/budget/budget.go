package budget

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Policy says what happens to a request whose worst-case cost does not fit
// in a budget.
type Policy string

// Policies. The zero value is Hard: a budget nobody thought about refuses
// rather than lets money through.
const (
	// Hard refuses the request and reserves nothing.
	Hard Policy = "hard"
	// Soft admits the request, reserves its cost like any other, and
	// reports the budget in Decision.Over so the caller can warn or alert.
	Soft Policy = "soft"
	// Downgrade refuses like Hard; the caller reads Budget.Target (an alias
	// the engine does not interpret) and may retry the request on that
	// alias. See the package documentation for the recipe.
	Downgrade Policy = "downgrade"
)

// Budget is one limit on one scope's spend in one window.
type Budget struct {
	// Scope names whose spend this is, e.g. "key:key_123", "team:t_1" or
	// "user:u_9". The engine does not interpret it beyond using it as part
	// of the counter's name.
	Scope string
	// Window is the period the limit applies to.
	Window Window
	// LimitNano is the most that may be spent in a window, in nano-USD.
	LimitNano int64
	// Policy is what happens when a request does not fit.
	Policy Policy
	// Target is opaque to the engine: for Downgrade, the alias to use
	// instead. It is handed back in Decision.Refused.
	Target string
}

// refuses reports whether a request that does not fit is refused.
func (b Budget) refuses() bool { return b.Policy != Soft }

// Usage is the state of one budget in its current window.
type Usage struct {
	Budget Budget
	// WindowStart and ResetAt bound the window (UTC). Both are zero for a
	// Lifetime budget, which never resets.
	WindowStart time.Time
	ResetAt     time.Time
	// SpentNano is what settled requests and charges cost in this window;
	// it may exceed the limit (a soft budget, or a request that cost more
	// than its reservation).
	SpentNano int64
	// ReservedNano is held by requests still running.
	ReservedNano int64
	// RemainingNano is LimitNano - SpentNano - ReservedNano, never below 0.
	RemainingNano int64
}

// Decision is the answer to Reserve.
type Decision struct {
	// Allowed is true when the amount was reserved.
	Allowed bool
	// Refused, when not Allowed, is the first refusing budget the request
	// did not fit in, as found before the request.
	Refused *Usage
	// Over lists, when Allowed, the soft budgets the request's worst case
	// did not fit in (as found before the request): admitted anyway, to be
	// reported.
	Over []Usage
}

// Reservation is money held for a running request. Pass it to Settle
// exactly once when the request ends (with any engine sharing the same
// state). The zero Reservation holds nothing and settles nowhere.
type Reservation struct {
	// ID names the reservation in the counters; random.
	ID string
	// AmountNano is what was held in each budget's window.
	AmountNano int64
	// Deadline is when the hold lapses by itself if Settle never comes (the
	// gateway crashed): ReservationTTL after Reserve.
	Deadline time.Time

	windows []window
}

// Seeder returns what a scope has already spent since windowStart (the zero
// time for a Lifetime budget), in nano-USD. The engine calls it when a
// window's counter does not exist yet: first use, or the Redis data was
// lost. The wiring backs it with the spend ledger.
type Seeder func(ctx context.Context, scope string, windowStart time.Time) (int64, error)

// Engine enforces budgets. Memory and Redis implement it with the same
// semantics; every method is safe for concurrent use.
type Engine interface {
	// Reserve holds amountNano in every budget's current window if it fits
	// in every refusing budget (spent + reserved + amount <= limit), and
	// holds nothing otherwise. The check and the hold are one atomic step
	// across all budgets. A refusal is a Decision, not an error; errors
	// mean the engine could not decide (store down, bad input, the Seeder
	// failed).
	Reserve(ctx context.Context, budgets []Budget, amountNano int64) (Reservation, Decision, error)
	// Settle releases res and adds actualNano (which may exceed the
	// reservation) to spent in the windows res was made in.
	Settle(ctx context.Context, res Reservation, actualNano int64) error
	// Charge adds amountNano to spent in every budget's current window
	// without a check: for spend discovered after the fact.
	Charge(ctx context.Context, budgets []Budget, amountNano int64) error
	// Status returns each budget's usage in its current window.
	Status(ctx context.Context, budgets []Budget) ([]Usage, error)
}

// Options configure an engine.
type Options struct {
	// Seeder initialises a window's spend; nil means every window starts
	// at zero.
	Seeder Seeder
	// Clock tells the time; nil means time.Now. Windows are computed from
	// it in UTC.
	Clock func() time.Time
	// ReservationTTL is how long a reservation holds money if it is never
	// settled; default DefaultReservationTTL. It must outlast the longest
	// request, streams included.
	ReservationTTL time.Duration
}

// DefaultReservationTTL is the default Options.ReservationTTL: longer than
// any request the gateway lets run.
const DefaultReservationTTL = 15 * time.Minute

// ErrInvalid is wrapped by the errors returned for bad input (an unknown
// window or policy, a negative amount, the same window listed twice).
var ErrInvalid = errors.New("budget: invalid input")

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.ReservationTTL <= 0 {
		o.ReservationTTL = DefaultReservationTTL
	}
	return o
}

func (o Options) now() time.Time { return o.Clock().UTC() }

// seed asks the Seeder for a window's opening spend.
func (o Options) seed(ctx context.Context, w window) (int64, error) {
	if o.Seeder == nil {
		return 0, nil
	}
	spent, err := o.Seeder(ctx, w.scope, w.start)
	if err != nil {
		return 0, fmt.Errorf("budget: seeding %s %s: %w", w.scope, w.id, err)
	}
	if spent < 0 {
		return 0, fmt.Errorf("budget: seeding %s %s: seeder returned negative spend %d", w.scope, w.id, spent)
	}
	return spent, nil
}

// reserveRequest is what both engines' Reserve start from.
type reserveRequest struct {
	now, deadline time.Time
	windows       []window
	id            string
}

// prepareReserve checks a Reserve call's arguments and gives the call its
// time, windows, reservation id and deadline (none of those when budgets is
// empty: there is nothing to reserve).
func (o Options) prepareReserve(budgets []Budget, amountNano int64) (reserveRequest, error) {
	if err := checkAmount(amountNano); err != nil {
		return reserveRequest{}, err
	}
	now := o.now()
	windows, err := validate(budgets, now)
	if err != nil || len(budgets) == 0 {
		return reserveRequest{}, err
	}
	id, err := newReservationID()
	if err != nil {
		return reserveRequest{}, err
	}
	return reserveRequest{now: now, deadline: now.Add(o.ReservationTTL), windows: windows, id: id}, nil
}

func checkAmount(amountNano int64) error {
	if amountNano < 0 {
		return fmt.Errorf("%w: negative amount %d", ErrInvalid, amountNano)
	}
	return nil
}

// validate checks budgets and resolves their current windows.
func validate(budgets []Budget, now time.Time) ([]window, error) {
	windows := make([]window, len(budgets))
	seen := make(map[string]bool, len(budgets))
	for i, b := range budgets {
		switch {
		case b.Scope == "":
			return nil, fmt.Errorf("%w: budget %d has no scope", ErrInvalid, i)
		case b.LimitNano < 0:
			return nil, fmt.Errorf("%w: budget %s has a negative limit", ErrInvalid, b.Scope)
		}
		switch b.Policy {
		case "", Hard, Soft, Downgrade:
		default:
			return nil, fmt.Errorf("%w: budget %s has unknown policy %q", ErrInvalid, b.Scope, string(b.Policy))
		}
		w, err := current(b.Scope, b.Window, now)
		if err != nil {
			return nil, err
		}
		name := w.name()
		if seen[name] {
			return nil, fmt.Errorf("%w: budget %s %s listed twice", ErrInvalid, b.Scope, b.Window)
		}
		seen[name] = true
		windows[i] = w
	}
	return windows, nil
}

// usage builds a Usage from a budget's counters.
func usage(b Budget, w window, spent, reserved int64) Usage {
	remaining := b.LimitNano - spent - reserved
	if remaining < 0 {
		remaining = 0
	}
	return Usage{Budget: b, WindowStart: w.start, ResetAt: w.end, SpentNano: spent, ReservedNano: reserved, RemainingNano: remaining}
}

// fits reports whether amount fits in b on top of spent and reserved,
// without overflowing.
func fits(b Budget, spent, reserved, amount int64) bool {
	return amount <= b.LimitNano-spent-reserved
}
