package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/store/internal/spendrows"
)

const microsPerDay = int64(24 * time.Hour / time.Microsecond)

// spendDimensionColumns maps each dimension to its column in the union of
// rollup and record rows that QuerySpend groups.
var spendDimensionColumns = map[ledger.Dimension]string{
	ledger.ByKey: "key_id", ledger.ByTeam: "team_id", ledger.ByUser: "user_id", ledger.ByModel: "model",
	ledger.ByProvider: "provider", ledger.ByDeployment: "deployment", ledger.ByAlias: "alias", ledger.ByDay: "day",
}

// QuerySpend reads whole days from spend_daily and the partial days at the
// ends of the range from spend, and groups the union.
func (s *Store) QuerySpend(ctx context.Context, q ledger.Query, yield func(ledger.Row) error) error {
	q.Filter = q.Filter.Normalize()
	if err := q.Validate(); err != nil {
		return err
	}
	query, args := spendQuery(q)
	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("query spend: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var row ledger.Row
		var day int64
		if err := rows.Scan(spendrows.Targets(&row, q.GroupBy, &day)...); err != nil {
			return fmt.Errorf("query spend: %w", err)
		}
		for _, d := range q.GroupBy {
			if d == ledger.ByDay {
				row.Day = fromMicros(day)
			}
		}
		if err := yield(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query spend: %w", err)
	}
	return nil
}

// spendQuery builds the query of a validated q.
func spendQuery(q ledger.Query) (string, []any) {
	split := ledger.SplitDays(q.From, q.To)
	var filter strings.Builder
	var filterArgs []any
	for _, f := range []struct{ column, value string }{{"key_id", q.KeyID}, {"team_id", q.TeamID}, {"user_id", q.UserID}} {
		if f.value != "" {
			fmt.Fprintf(&filter, " AND %s = ?", f.column)
			filterArgs = append(filterArgs, f.value)
		}
	}
	var branches []string
	var args []any
	if !split.Days.Empty() {
		branches = append(branches, `SELECT day, key_id, team_id, user_id, model, provider, deployment, alias,
			requests, attempts, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
			cost_nano_usd, estimated_attempts, unpriced_attempts
			FROM spend_daily WHERE day >= ? AND day < ?`+filter.String())
		args = append(append(args, micros(split.Days.From), micros(split.Days.To)), filterArgs...)
	}
	for _, span := range []ledger.Span{split.Head, split.Tail} {
		if span.Empty() {
			continue
		}
		branches = append(branches, fmt.Sprintf(`SELECT started_at - started_at %% %d, key_id, team_id, user_id, model, provider, deployment, alias,
			counts_request, 1, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
			cost_nano_usd, estimated, unpriced
			FROM spend WHERE started_at >= ? AND started_at < ?`, microsPerDay)+filter.String())
		args = append(append(args, micros(span.From), micros(span.To)), filterArgs...)
	}
	dims := make([]string, len(q.GroupBy))
	for i, d := range q.GroupBy {
		dims[i] = spendDimensionColumns[d]
	}
	var b strings.Builder
	b.WriteString(`WITH src (day, key_id, team_id, user_id, model, provider, deployment, alias,
		requests, attempts, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
		cost_nano_usd, estimated_attempts, unpriced_attempts) AS (`)
	b.WriteString(strings.Join(branches, " UNION ALL "))
	b.WriteString(") SELECT ")
	for _, d := range dims {
		b.WriteString(d + ", ")
	}
	b.WriteString(`SUM(requests), SUM(attempts), SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens),
		SUM(output_tokens), SUM(reasoning_tokens), SUM(cost_nano_usd), SUM(estimated_attempts), SUM(unpriced_attempts) FROM src`)
	if len(dims) > 0 {
		b.WriteString(" GROUP BY " + strings.Join(dims, ", "))
	}
	b.WriteString(" HAVING SUM(attempts) > 0")
	if len(dims) > 0 {
		b.WriteString(" ORDER BY " + strings.Join(dims, ", "))
	}
	return b.String(), args
}

// SpendTotal is QuerySpend's cost without grouping.
func (s *Store) SpendTotal(ctx context.Context, f ledger.Filter) (int64, error) {
	return spendrows.Total(ctx, s.QuerySpend, f)
}
