package auth

import (
	"fmt"

	"github.com/switchboard-gw/switchboard/llm"
)

// BudgetPeriod is the window a key's budget applies to.
type BudgetPeriod string

const (
	// BudgetLifetime: the budget is for the key's whole life (the default
	// when a budget is set without a period).
	BudgetLifetime BudgetPeriod = ""
	// BudgetDaily and BudgetMonthly reset at the start of each UTC day and
	// month.
	BudgetDaily   BudgetPeriod = "daily"
	BudgetMonthly BudgetPeriod = "monthly"
)

// Limits are a key's rate limits and budget. Zero means "no limit". They are
// stored and returned here and enforced by the limits and budgets layer.
type Limits struct {
	// RPM and TPM bound requests and tokens per minute.
	RPM, TPM int64
	// BudgetNanoUSD bounds spend, in billionths of a US dollar (integer
	// money: 1 USD = 1e9), over BudgetPeriod.
	BudgetNanoUSD int64
	BudgetPeriod  BudgetPeriod
}

// IsZero reports whether no limit is set.
func (l Limits) IsZero() bool { return l == Limits{} }

// validateLimits returns what is wrong with l, naming the field, or nil.
func validateLimits(l Limits) *llm.Error {
	switch {
	case l.RPM < 0:
		return invalidParam("limits.requests_per_minute", "requests_per_minute must not be negative")
	case l.TPM < 0:
		return invalidParam("limits.tokens_per_minute", "tokens_per_minute must not be negative")
	case l.BudgetNanoUSD < 0:
		return invalidParam("limits.budget_nano_usd", "budget_nano_usd must not be negative")
	}
	switch l.BudgetPeriod {
	case BudgetLifetime, BudgetDaily, BudgetMonthly:
	default:
		return invalidParam("limits.budget_period", fmt.Sprintf("unknown budget_period %q: want daily, monthly or none (lifetime)", string(l.BudgetPeriod)))
	}
	if l.BudgetPeriod != BudgetLifetime && l.BudgetNanoUSD == 0 {
		return invalidParam("limits.budget_period", "budget_period needs a budget_nano_usd above zero")
	}
	return nil
}
