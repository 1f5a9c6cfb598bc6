package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/store/internal/spendrows"
)

// spendDimensionColumns maps each dimension to its column in the union of
// rollup and record rows that QuerySpend groups, and to its ORDER BY term:
// strings in byte order (COLLATE "C"), as every backend sorts them.
var spendDimensionColumns = map[ledger.Dimension]struct{ column, order string }{
	ledger.ByKey:        {"key_id", `key_id COLLATE "C"`},
	ledger.ByTeam:       {"team_id", `team_id COLLATE "C"`},
	ledger.ByUser:       {"user_id", `user_id COLLATE "C"`},
	ledger.ByModel:      {"model", `model COLLATE "C"`},
	ledger.ByProvider:   {"provider", `provider COLLATE "C"`},
	ledger.ByDeployment: {"deployment", `deployment COLLATE "C"`},
	ledger.ByAlias:      {"alias", `alias COLLATE "C"`},
	ledger.ByDay:        {"day", "day"},
}

// QuerySpend reads whole days from spend_daily and the partial days at the
// ends of the range from spend (pruned to their partitions), and groups
// the union. Rows stream from the server as yield consumes them.
func (s *Store) QuerySpend(ctx context.Context, q ledger.Query, yield func(ledger.Row) error) error {
	q.Filter = q.Filter.Normalize()
	if err := q.Validate(); err != nil {
		return err
	}
	query, args := spendQuery(q)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("query spend: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var row ledger.Row
		if err := rows.Scan(spendrows.Targets(&row, q.GroupBy, &row.Day)...); err != nil {
			return fmt.Errorf("query spend: %w", err)
		}
		row.Day = row.Day.UTC()
		if err := yield(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query spend: %w", err)
	}
	return nil
}

// spendQuery builds the query of a validated q. Arguments are numbered as
// they are added.
func spendQuery(q ledger.Query) (string, []any) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	filter := func() string {
		var b strings.Builder
		for _, f := range []struct{ column, value string }{{"key_id", q.KeyID}, {"team_id", q.TeamID}, {"user_id", q.UserID}} {
			if f.value != "" {
				fmt.Fprintf(&b, " AND %s = %s", f.column, arg(f.value))
			}
		}
		return b.String()
	}
	split := ledger.SplitDays(q.From, q.To)
	var branches []string
	if !split.Days.Empty() {
		branches = append(branches, fmt.Sprintf(`SELECT day, key_id, team_id, user_id, model, provider, deployment, alias,
			requests, attempts, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
			cost_nano_usd, estimated_attempts, unpriced_attempts
			FROM spend_daily WHERE day >= %s::date AND day < %s::date`, arg(split.Days.From), arg(split.Days.To))+filter())
	}
	for _, span := range []ledger.Span{split.Head, split.Tail} {
		if span.Empty() {
			continue
		}
		branches = append(branches, fmt.Sprintf(`SELECT (started_at AT TIME ZONE 'UTC')::date, key_id, team_id, user_id,
			model, provider, deployment, alias,
			counts_request::integer::bigint, 1::bigint, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens,
			reasoning_tokens, cost_nano_usd, estimated::integer::bigint, unpriced::integer::bigint
			FROM spend WHERE started_at >= %s AND started_at < %s`, arg(span.From), arg(span.To))+filter())
	}
	var dims, order []string
	for _, d := range q.GroupBy {
		dims = append(dims, spendDimensionColumns[d].column)
		order = append(order, spendDimensionColumns[d].order)
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
	b.WriteString(`SUM(requests)::bigint, SUM(attempts)::bigint, SUM(input_tokens)::bigint, SUM(cached_input_tokens)::bigint,
		SUM(cache_write_tokens)::bigint, SUM(output_tokens)::bigint, SUM(reasoning_tokens)::bigint, SUM(cost_nano_usd)::bigint,
		SUM(estimated_attempts)::bigint, SUM(unpriced_attempts)::bigint FROM src`)
	if len(dims) > 0 {
		b.WriteString(" GROUP BY " + strings.Join(dims, ", "))
	}
	b.WriteString(" HAVING SUM(attempts) > 0")
	if len(order) > 0 {
		b.WriteString(" ORDER BY " + strings.Join(order, ", "))
	}
	return b.String(), args
}

// SpendTotal is QuerySpend's cost without grouping.
func (s *Store) SpendTotal(ctx context.Context, f ledger.Filter) (int64, error) {
	return spendrows.Total(ctx, s.QuerySpend, f)
}
