package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/llm"
)

// spendModel is the reference the spend suite compares a store with: the
// records written, and the contract's totals computed from them directly,
// with no rollup.
type spendModel struct {
	stored map[string]ledger.Record // by identity
}

func newSpendModel() *spendModel { return &spendModel{stored: map[string]ledger.Record{}} }

func identity(r ledger.Record) string {
	return fmt.Sprintf("%d|%s|%d", r.Time.UnixMicro(), r.RequestID, r.Attempt)
}

// write records what a successful WriteSpend stores: the normalized
// records that were not stored yet.
func (m *spendModel) write(recs ...ledger.Record) {
	for _, r := range recs {
		r = r.Normalize()
		if _, ok := m.stored[identity(r)]; !ok {
			m.stored[identity(r)] = r
		}
	}
}

// pseudonymize is what PseudonymizeUserSpend does: the user's records
// under the pseudonym, nothing else changed. It returns how many changed.
func (m *spendModel) pseudonymize(userID, pseudonym string) int64 {
	var n int64
	for id, r := range m.stored {
		if r.UserID == userID {
			r.UserID = pseudonym
			m.stored[id] = r
			n++
		}
	}
	return n
}

// rows is what QuerySpend must return for q.
func (m *spendModel) rows(q ledger.Query) []ledger.Row {
	q.Filter = q.Filter.Normalize()
	counting := map[string]ledger.Record{}
	for _, r := range m.stored {
		if c, ok := counting[r.RequestID]; !ok || r.Attempt < c.Attempt {
			counting[r.RequestID] = r
		}
	}
	groups := map[string]*ledger.Row{}
	for _, r := range m.stored {
		if r.Time.Before(q.From) || !r.Time.Before(q.To) ||
			(q.KeyID != "" && r.KeyID != q.KeyID) || (q.TeamID != "" && r.TeamID != q.TeamID) || (q.UserID != "" && r.UserID != q.UserID) {
			continue
		}
		row := groupOf(r, q.GroupBy)
		key := rowKey(row)
		g, ok := groups[key]
		if !ok {
			g = &row
			groups[key] = g
		}
		g.AddRecord(r)
		if identity(counting[r.RequestID]) == identity(r) {
			g.Requests++
		}
	}
	out := make([]ledger.Row, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b ledger.Row) int { return compareRows(a, b, q.GroupBy) })
	return out
}

func (m *spendModel) total(f ledger.Filter) int64 {
	var total int64
	for _, r := range m.rows(ledger.Query{Filter: f}) {
		total += r.CostNanoUSD
	}
	return total
}

// groupOf is the row of r's group: the grouped dimensions set, the others
// empty.
func groupOf(r ledger.Record, dims []ledger.Dimension) ledger.Row {
	var row ledger.Row
	for _, d := range dims {
		switch d {
		case ledger.ByKey:
			row.KeyID = r.KeyID
		case ledger.ByTeam:
			row.TeamID = r.TeamID
		case ledger.ByUser:
			row.UserID = r.UserID
		case ledger.ByModel:
			row.Model = r.Model
		case ledger.ByProvider:
			row.Provider = r.Provider
		case ledger.ByDeployment:
			row.Deployment = r.Deployment
		case ledger.ByAlias:
			row.Alias = r.Alias
		case ledger.ByDay:
			row.Day = ledger.Day(r.Time)
		}
	}
	return row
}

func rowKey(r ledger.Row) string {
	return strings.Join([]string{r.KeyID, r.TeamID, r.UserID, r.Model, r.Provider, r.Deployment, r.Alias, r.Day.Format(time.DateOnly)}, "\x00")
}

// compareRows orders rows as QuerySpend must: by the grouped dimensions in
// GroupBy's order, strings by bytes, days by date.
func compareRows(a, b ledger.Row, dims []ledger.Dimension) int {
	for _, d := range dims {
		var c int
		switch d {
		case ledger.ByKey:
			c = strings.Compare(a.KeyID, b.KeyID)
		case ledger.ByTeam:
			c = strings.Compare(a.TeamID, b.TeamID)
		case ledger.ByUser:
			c = strings.Compare(a.UserID, b.UserID)
		case ledger.ByModel:
			c = strings.Compare(a.Model, b.Model)
		case ledger.ByProvider:
			c = strings.Compare(a.Provider, b.Provider)
		case ledger.ByDeployment:
			c = strings.Compare(a.Deployment, b.Deployment)
		case ledger.ByAlias:
			c = strings.Compare(a.Alias, b.Alias)
		case ledger.ByDay:
			c = a.Day.Compare(b.Day)
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func formatRow(r ledger.Row) string {
	var dims []string
	for _, f := range []struct{ name, v string }{{"key", r.KeyID}, {"team", r.TeamID}, {"user", r.UserID}, {"model", r.Model},
		{"provider", r.Provider}, {"deployment", r.Deployment}, {"alias", r.Alias}} {
		if f.v != "" {
			dims = append(dims, f.name+"="+f.v)
		}
	}
	if !r.Day.IsZero() {
		dims = append(dims, "day="+r.Day.UTC().Format(time.DateOnly))
	}
	t := r.Totals
	return fmt.Sprintf("{%s} requests=%d attempts=%d tokens=%+v cost=%d estimated=%d unpriced=%d",
		strings.Join(dims, " "), t.Requests, t.Attempts, t.Usage, t.CostNanoUSD, t.EstimatedAttempts, t.UnpricedAttempts)
}

// queryRows runs QuerySpend and collects its rows.
func queryRows(t testing.TB, s ledger.SpendQuerier, q ledger.Query) []ledger.Row {
	t.Helper()
	var rows []ledger.Row
	if err := s.QuerySpend(t.Context(), q, func(r ledger.Row) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatalf("QuerySpend(%s): %v", describeQuery(q), err)
	}
	return rows
}

func describeQuery(q ledger.Query) string {
	s := fmt.Sprintf("[%s, %s) by %v", q.From.UTC().Format(time.RFC3339Nano), q.To.UTC().Format(time.RFC3339Nano), q.GroupBy)
	for _, f := range [][2]string{{"key", q.KeyID}, {"team", q.TeamID}, {"user", q.UserID}} {
		if f[1] != "" {
			s += " " + f[0] + "=" + f[1]
		}
	}
	return s
}

// assertRows checks that s answers q as the model does.
func assertRows(t testing.TB, s ledger.SpendQuerier, m *spendModel, q ledger.Query) {
	t.Helper()
	assertSameRows(t, describeQuery(q), queryRows(t, s, q), m.rows(q))
}

func assertSameRows(t testing.TB, what string, got, want []ledger.Row) {
	t.Helper()
	g, w := make([]string, len(got)), make([]string, len(want))
	for i, r := range got {
		g[i] = formatRow(r)
	}
	for i, r := range want {
		w[i] = formatRow(r)
	}
	if !slices.Equal(g, w) {
		t.Errorf("%s:\n got %d rows:\n  %s\nwant %d rows:\n  %s", what, len(g), strings.Join(g, "\n  "), len(w), strings.Join(w, "\n  "))
	}
}

func mustWriteSpend(t testing.TB, s ledger.SpendWriter, m *spendModel, recs ...ledger.Record) {
	t.Helper()
	if err := s.WriteSpend(t.Context(), recs); err != nil {
		t.Fatalf("WriteSpend(%d records): %v", len(recs), err)
	}
	if m != nil {
		m.write(recs...)
	}
}

// principal is a key with its team and user, as the gateway records them.
type principal struct{ key, team, user string }

var spendPrincipals = []principal{
	{"key_alpha", "team_red", "user_ann"},
	{"key_beta", "team_red", ""},
	{"key_gamma", "team_blue", "user_bob"},
	{"key_delta", "team_blue", "user_bob"},
}

// target is something a request can be served by.
type target struct{ alias, deployment, provider, model string }

var spendTargets = []target{
	{"chat", "openai-east", "openai", "gpt-4o"},
	{"chat", "openai-west", "openai", "gpt-4o"},
	{"chat", "anthropic-main", "anthropic", "claude-sonnet-4"},
	{"fast", "groq-main", "groq", "llama-3.1-8b"},
	{"fast", "openai-east", "openai", "gpt-4o-mini"},
}

var attemptReasons = []llm.AttemptReason{llm.AttemptRetry, llm.AttemptFailover, llm.AttemptFallback, llm.AttemptHedge}

// SpendRecords generates the records of n requests (1 to 3 attempts each,
// a few seconds apart) starting at random instants in [from, from+span),
// with varied principals, targets, tokens, costs and flags. The same seed
// gives the same records.
func SpendRecords(seed uint64, n int, from time.Time, span time.Duration) []ledger.Record {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var recs []ledger.Record
	for i := range n {
		p := spendPrincipals[rng.IntN(len(spendPrincipals))]
		start := from.Add(time.Duration(rng.Int64N(int64(span/time.Microsecond))) * time.Microsecond)
		reqID := fmt.Sprintf("req_%d_%06d", seed, i)
		attempts := 1 + rng.IntN(3)
		for a := 1; a <= attempts; a++ {
			tg := spendTargets[rng.IntN(len(spendTargets))]
			r := ledger.Record{
				RequestID: reqID, Attempt: a, Time: start.Add(time.Duration(a-1) * 1500 * time.Millisecond),
				KeyID: p.key, TeamID: p.team, UserID: p.user, EndUser: fmt.Sprintf("end-user-%d", rng.IntN(5)),
				Alias: tg.alias, Deployment: tg.deployment, Provider: tg.provider, Model: tg.model,
				Reason: llm.AttemptFirst, Outcome: llm.OutcomeOK, Stream: rng.IntN(2) == 0,
				PricingVersion: "2026-01-01",
			}
			if a > 1 {
				r.Reason = attemptReasons[rng.IntN(len(attemptReasons))]
			}
			if a < attempts {
				r.Outcome = llm.OutcomeBroken
			}
			in := 10 + rng.Int64N(5000)
			out := rng.Int64N(2000)
			r.Usage = llm.Usage{InputTokens: in, CachedInputTokens: rng.Int64N(in/2 + 1), CacheWriteTokens: rng.Int64N(in/4 + 1),
				OutputTokens: out, ReasoningTokens: rng.Int64N(out/3 + 1)}
			r.Estimated = rng.IntN(10) == 0
			if rng.IntN(20) == 0 {
				r.Unpriced = true
			} else {
				r.CostNanoUSD = 1 + rng.Int64N(50_000_000)
			}
			recs = append(recs, r)
		}
	}
	return recs
}

// chunks cuts recs into batches of at most size.
func chunks(recs []ledger.Record, size int) [][]ledger.Record {
	var out [][]ledger.Record
	for len(recs) > 0 {
		k := min(size, len(recs))
		out = append(out, recs[:k:k])
		recs = recs[k:]
	}
	return out
}

func midnight(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
