package budget_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/billing/budget"
)

func TestMemory(t *testing.T) {
	runConformance(t, func(t *testing.T, opts budget.Options) (budget.Engine, budget.Engine) {
		m := budget.NewMemory(opts)
		return m, m
	})
}
