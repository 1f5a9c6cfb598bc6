package spendrows

import (
	"context"

	"github.com/switchboard-gw/switchboard/billing/ledger"
)

// Targets returns the scan destinations of one result row: a column per
// groupBy dimension, in order, then the ten totals in the order Totals
// declares them (requests, attempts, input, cached input, cache write,
// output and reasoning tokens, cost, estimated and unpriced attempts). The
// ByDay column is read into day, whose type is the backend's.
func Targets(row *ledger.Row, groupBy []ledger.Dimension, day any) []any {
	dest := make([]any, 0, len(groupBy)+10)
	for _, d := range groupBy {
		dest = append(dest, dimension(row, d, day))
	}
	t := &row.Totals
	return append(dest, &t.Requests, &t.Attempts, &t.Usage.InputTokens, &t.Usage.CachedInputTokens,
		&t.Usage.CacheWriteTokens, &t.Usage.OutputTokens, &t.Usage.ReasoningTokens, &t.CostNanoUSD,
		&t.EstimatedAttempts, &t.UnpricedAttempts)
}

func dimension(row *ledger.Row, d ledger.Dimension, day any) any {
	switch d {
	case ledger.ByKey:
		return &row.KeyID
	case ledger.ByTeam:
		return &row.TeamID
	case ledger.ByUser:
		return &row.UserID
	case ledger.ByModel:
		return &row.Model
	case ledger.ByProvider:
		return &row.Provider
	case ledger.ByDeployment:
		return &row.Deployment
	case ledger.ByAlias:
		return &row.Alias
	}
	return day
}

// Total is the cost of the records matching f, read through querySpend
// without grouping so that it is served as QuerySpend serves it (rollups
// for whole days): a backend's SpendTotal.
func Total(ctx context.Context, querySpend func(context.Context, ledger.Query, func(ledger.Row) error) error, f ledger.Filter) (int64, error) {
	var total int64
	err := querySpend(ctx, ledger.Query{Filter: f}, func(r ledger.Row) error {
		total += r.CostNanoUSD
		return nil
	})
	return total, err
}
