package admit

import (
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-gw/switchboard/billing/budget"
	"github.com/switchboard-gw/switchboard/llm"
)

// Machine-readable codes of admission's errors. The transports map the
// codes that have no llm.Kind of their own (409, 422) in their one error
// mapping place.
const (
	// CodeBudgetExceeded: a hard (or downgrade, with no cheaper way) budget
	// cannot hold the request's worst case. HTTP 429, Connect
	// ResourceExhausted, X-Switchboard-Limit-Kind: budget.
	CodeBudgetExceeded = "budget_exceeded"
	// CodeMaxCostExceeded: the request's worst-case cost is above its own
	// max_cost. HTTP 400, Connect InvalidArgument: the request itself is
	// too expensive, and sending it again will not help.
	CodeMaxCostExceeded = "max_cost_exceeded"
	// CodeUnpriced: the model has no price, so its cost cannot be bounded
	// for a budget or max_cost (limits.unpriced: reject). HTTP 400,
	// Connect InvalidArgument.
	CodeUnpriced = "model_unpriced"
	// CodeIdempotencyConflict: the Idempotency-Key was used with another
	// request. HTTP 422, Connect FailedPrecondition.
	CodeIdempotencyConflict = "idempotency_key_reused"
	// CodeIdempotencyInProgress: a request with this Idempotency-Key is
	// still running and did not finish in time. HTTP 409, Connect Aborted.
	CodeIdempotencyInProgress = "idempotency_key_in_progress"
	// CodeLimitsUnavailable: the limits store (Redis) could not be reached
	// and the configuration says to fail closed. HTTP 503.
	CodeLimitsUnavailable = "limits_unavailable"
)

// BudgetRefusal is the cause of a budget refusal's error: the budget that
// refused, as it stood.
type BudgetRefusal struct {
	Usage budget.Usage
}

func (b *BudgetRefusal) Error() string {
	return fmt.Sprintf("budget %s %s refused the request", b.Usage.Budget.Scope, b.Usage.Budget.Window)
}

// BudgetRefusalOf returns the refusing budget in err's chain.
func BudgetRefusalOf(err error) (budget.Usage, bool) {
	var r *BudgetRefusal
	if errors.As(err, &r) {
		return r.Usage, true
	}
	return budget.Usage{}, false
}

// budgetError is the error of a request a budget refused: 429 with the
// time until the window resets as RetryAfter (none for a lifetime budget,
// which never resets). The message names the kind of scope and the window,
// not the scope's id.
func budgetError(u budget.Usage, now time.Time) *llm.Error {
	noun, _, _ := cutScope(u.Budget.Scope)
	msg := fmt.Sprintf("the %s budget of this %s is spent: %s USD remaining of %s USD", u.Budget.Window, noun,
		FormatUSD(u.RemainingNano), FormatUSD(u.Budget.LimitNano))
	var wait time.Duration
	if !u.ResetAt.IsZero() {
		wait = u.ResetAt.Sub(now)
		if wait < time.Second {
			wait = time.Second
		}
		msg += fmt.Sprintf("; it resets at %s", u.ResetAt.UTC().Format(time.RFC3339))
	}
	return &llm.Error{Kind: llm.KindRateLimited, Code: CodeBudgetExceeded, RetryAfter: wait, Message: msg,
		Err: &BudgetRefusal{Usage: u}}
}

func maxCostError(worst, max int64) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Code: CodeMaxCostExceeded, Param: "max_cost",
		Message: fmt.Sprintf("the request could cost up to %s USD (its input and max_tokens at the dearest deployment it may be routed to), above its max_cost of %s USD; lower max_tokens or raise max_cost",
			FormatUSD(worst), FormatUSD(max))}
}

func unpricedError(model, why string) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Code: CodeUnpriced, Param: "model",
		Message: fmt.Sprintf("the gateway has no price for a deployment of %q, so it cannot bound the request's cost for %s; ask the operator to price the model", model, why)}
}

var errIdempotencyConflict = &llm.Error{Kind: llm.KindInvalidRequest, Code: CodeIdempotencyConflict, Param: "idempotency_key",
	Message: "this Idempotency-Key was already used for a different request; use a new key for a new request"}

var errIdempotencyInProgress = &llm.Error{Kind: llm.KindInvalidRequest, Code: CodeIdempotencyInProgress, Param: "idempotency_key",
	Message: "a request with this Idempotency-Key is still in progress; retry later"}

func unavailableError(what string, err error) *llm.Error {
	return &llm.Error{Kind: llm.KindUnavailable, Code: CodeLimitsUnavailable, Err: err,
		Message: "the gateway cannot check " + what + " right now; retry later"}
}
