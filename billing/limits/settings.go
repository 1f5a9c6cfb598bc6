package limits

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ScopeKind is what a scope limits.
type ScopeKind string

// Scope kinds.
const (
	ScopeKey  ScopeKind = "key"
	ScopeTeam ScopeKind = "team"
	ScopeUser ScopeKind = "user"
)

// Scope names one key, team or user: "key:key_abc", "team:team_x",
// "user:user_y". The same strings name the rate limit and budget counters
// (billing/ratelimit, billing/budget), so a scope's settings and its
// counters meet by name.
type Scope string

// KeyScope, TeamScope and UserScope build scopes.
func KeyScope(id string) Scope  { return Scope("key:" + id) }
func TeamScope(id string) Scope { return Scope("team:" + id) }
func UserScope(id string) Scope { return Scope("user:" + id) }

// ErrInvalid is wrapped by the errors of malformed scopes and settings.
var ErrInvalid = errors.New("limits: invalid settings")

// ParseScope splits a scope into its kind and id, checking both.
func ParseScope(s string) (ScopeKind, string, error) {
	kind, id, ok := strings.Cut(s, ":")
	if !ok || id == "" {
		return "", "", fmt.Errorf("%w: scope %q: want key:<id>, team:<id> or user:<id>", ErrInvalid, s)
	}
	switch ScopeKind(kind) {
	case ScopeKey, ScopeTeam, ScopeUser:
	default:
		return "", "", fmt.Errorf("%w: scope %q: unknown kind %q (want key, team or user)", ErrInvalid, s, kind)
	}
	if len(id) > 128 || strings.ContainsAny(id, " \t\r\n:") {
		return "", "", fmt.Errorf("%w: scope %q: malformed id", ErrInvalid, s)
	}
	return ScopeKind(kind), id, nil
}

// Window is the period of a budget: a UTC calendar day or month, or the
// scope's whole life. The names are billing/budget's.
type Window string

// Windows.
const (
	Daily    Window = "daily"
	Monthly  Window = "monthly"
	Lifetime Window = "lifetime"
)

// Policy is what happens to a request whose worst-case cost does not fit in
// a budget. The names are billing/budget's.
type Policy string

// Policies.
const (
	// Hard refuses it (HTTP 429, kind budget). The default.
	Hard Policy = "hard"
	// Soft lets it through and reports the budget as exceeded.
	Soft Policy = "soft"
	// Downgrade sends it to the cheaper alias Budget.Target instead.
	Downgrade Policy = "downgrade"
)

// Budget is one spend limit of a scope.
type Budget struct {
	Window Window
	// LimitNanoUSD is the most the scope may spend in a window, in
	// nano-USD (1 USD = 1e9).
	LimitNanoUSD int64
	Policy       Policy
	// Target is the alias a Downgrade budget sends requests to once spent.
	Target string
}

// Settings are the limits set on one scope. Zero RPM or TPM means no limit
// of that kind (for a key: the key's own).
type Settings struct {
	Scope Scope
	RPM   int64
	TPM   int64
	// Budgets has at most one budget per window.
	Budgets   []Budget
	UpdatedAt time.Time
}

// IsZero reports whether s sets nothing: storing it deletes the scope's
// settings.
func (s Settings) IsZero() bool { return s.RPM == 0 && s.TPM == 0 && len(s.Budgets) == 0 }

// MaxPerMinute bounds RPM and TPM (billing/ratelimit's bound).
const MaxPerMinute = 10_000_000_000

// MaxBudgetNanoUSD bounds a budget: 9 million USD, below 2^53 nano-USD so
// that Redis's Lua compares amounts exactly (billing/budget).
const MaxBudgetNanoUSD = 9_000_000 * 1_000_000_000

// Validate checks s, naming the offending field in the error
// ("budgets[1].target").
func (s Settings) Validate() error {
	if _, _, err := ParseScope(string(s.Scope)); err != nil {
		return fieldError("scope", err.Error())
	}
	if s.RPM < 0 || s.RPM > MaxPerMinute {
		return fieldError("requests_per_minute", fmt.Sprintf("must be between 0 (no limit) and %d", int64(MaxPerMinute)))
	}
	if s.TPM < 0 || s.TPM > MaxPerMinute {
		return fieldError("tokens_per_minute", fmt.Sprintf("must be between 0 (no limit) and %d", int64(MaxPerMinute)))
	}
	seen := map[Window]bool{}
	for i, b := range s.Budgets {
		field := fmt.Sprintf("budgets[%d]", i)
		switch b.Window {
		case Daily, Monthly, Lifetime:
		default:
			return fieldError(field+".window", fmt.Sprintf("unknown window %q (want daily, monthly or lifetime)", b.Window))
		}
		if seen[b.Window] {
			return fieldError(field+".window", fmt.Sprintf("a %s budget is already set; one budget per window", b.Window))
		}
		seen[b.Window] = true
		if b.LimitNanoUSD <= 0 || b.LimitNanoUSD > MaxBudgetNanoUSD {
			return fieldError(field+".limit_nano_usd", fmt.Sprintf("must be above 0 and at most %d (9 million USD)", int64(MaxBudgetNanoUSD)))
		}
		switch b.Policy {
		case Hard, Soft:
			if b.Target != "" {
				return fieldError(field+".downgrade_alias", "only a downgrade budget names an alias")
			}
		case Downgrade:
			if b.Target == "" {
				return fieldError(field+".downgrade_alias", "a downgrade budget needs the alias to send requests to")
			}
		default:
			return fieldError(field+".policy", fmt.Sprintf("unknown policy %q (want hard, soft or downgrade)", b.Policy))
		}
	}
	return nil
}

// FieldError names the field of Settings that is wrong.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Unwrap makes every FieldError match ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldError(field, reason string) error { return &FieldError{Field: field, Reason: reason} }

// Store persists Settings, one record per scope. Implementations are safe
// for concurrent use.
type Store interface {
	// LimitSettings returns the settings of the scopes that have any, in
	// no particular order; scopes without settings are left out.
	LimitSettings(ctx context.Context, scopes []Scope) ([]Settings, error)
	// PutLimitSettings replaces the settings of s.Scope with s, or deletes
	// them when s.IsZero(). s has been validated.
	PutLimitSettings(ctx context.Context, s Settings) error
}
