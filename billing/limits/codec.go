package limits

import (
	"encoding/json"
	"fmt"
)

// budgetJSON is a Budget as the stores keep it: one JSON array per scope,
// so that a scope's settings are one row, replaced atomically.
type budgetJSON struct {
	Window       Window `json:"window"`
	LimitNanoUSD int64  `json:"limit_nano_usd"`
	Policy       Policy `json:"policy"`
	Target       string `json:"target,omitempty"`
}

// EncodeBudgets is the stored form of budgets ("[]" for none), for the
// stores.
func EncodeBudgets(budgets []Budget) string {
	out := make([]budgetJSON, len(budgets))
	for i, b := range budgets {
		out[i] = budgetJSON(b)
	}
	data, _ := json.Marshal(out) // strings and integers: cannot fail
	return string(data)
}

// DecodeBudgets reads what EncodeBudgets wrote.
func DecodeBudgets(s string) ([]Budget, error) {
	if s == "" {
		return nil, nil
	}
	var in []budgetJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("limits: stored budgets: %w", err)
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]Budget, len(in))
	for i, b := range in {
		out[i] = Budget(b)
	}
	return out, nil
}
