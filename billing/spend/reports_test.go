package spend_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/billing/spend"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

var day = time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)

func storeWith(t *testing.T, recs ...ledger.Record) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "spend.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.WriteSpend(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	return st
}

func rec(id string, at time.Time, team, model string, nano int64) ledger.Record {
	return ledger.Record{RequestID: id, Attempt: 1, Time: at, KeyID: "key_" + team, TeamID: team, Provider: "p", Model: model,
		Usage: llm.Usage{InputTokens: 10, OutputTokens: 5}, CostNanoUSD: nano}
}

func collect(t *testing.T, r *spend.Reports, p spend.Params) []ledger.Row {
	t.Helper()
	var rows []ledger.Row
	if err := r.Query(context.Background(), p, func(row ledger.Row) error { rows = append(rows, row); return nil }); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestQueryGroupsAndFilters(t *testing.T) {
	st := storeWith(t,
		rec("r1", day.Add(time.Hour), "team_a", "gpt-4o", 100),
		rec("r2", day.Add(2*time.Hour), "team_a", "gpt-4o-mini", 10),
		rec("r3", day.Add(26*time.Hour), "team_b", "gpt-4o", 1000),
	)
	r := spend.NewReports(st, func() time.Time { return day.AddDate(0, 0, 3) })
	rows := collect(t, r, spend.Params{From: day, GroupBy: []ledger.Dimension{ledger.ByTeam, ledger.ByDay}})
	if len(rows) != 2 || rows[0].TeamID != "team_a" || !rows[0].Day.Equal(day) || rows[0].CostNanoUSD != 110 || rows[0].Requests != 2 ||
		rows[1].TeamID != "team_b" || rows[1].CostNanoUSD != 1000 {
		t.Errorf("by team and day: %+v", rows)
	}
	rows = collect(t, r, spend.Params{From: day, TeamID: "team_a", GroupBy: []ledger.Dimension{ledger.ByModel}})
	if len(rows) != 2 || rows[0].Model != "gpt-4o" || rows[1].Model != "gpt-4o-mini" || rows[0].TeamID != "" {
		t.Errorf("team_a by model: %+v", rows)
	}
	rows = collect(t, r, spend.Params{From: day, To: day.Add(24 * time.Hour)})
	if len(rows) != 1 || rows[0].CostNanoUSD != 110 || rows[0].Attempts != 2 {
		t.Errorf("the first day's total: %+v", rows)
	}
}

func TestQueryRefusesMalformedQuestions(t *testing.T) {
	r := spend.NewReports(storeWith(t), nil)
	now := time.Now()
	cases := map[string]struct {
		p     spend.Params
		param string
	}{
		"no start":          {spend.Params{}, "start_time"},
		"end before start":  {spend.Params{From: now, To: now.Add(-time.Hour)}, "end_time"},
		"too long":          {spend.Params{From: now.AddDate(-5, 0, 0)}, "start_time"},
		"unknown dimension": {spend.Params{From: now.Add(-time.Hour), GroupBy: []ledger.Dimension{"colour"}}, "group_by"},
		"dimension twice":   {spend.Params{From: now.Add(-time.Hour), GroupBy: []ledger.Dimension{ledger.ByDay, ledger.ByDay}}, "group_by"},
	}
	for name, c := range cases {
		err := r.Query(context.Background(), c.p, func(ledger.Row) error { return nil })
		var e *llm.Error
		if !errors.As(err, &e) || e.Kind != llm.KindInvalidRequest || e.Param != c.param {
			t.Errorf("%s: %v, want an invalid request naming %s", name, err, c.param)
		}
	}
}

func TestQueryStopsWhenTheCallerDoes(t *testing.T) {
	st := storeWith(t, rec("r1", day, "a", "m1", 1), rec("r2", day, "b", "m2", 2))
	r := spend.NewReports(st, nil)
	stop := errors.New("enough")
	n := 0
	err := r.Query(context.Background(), spend.Params{From: day, To: day.Add(time.Hour), GroupBy: []ledger.Dimension{ledger.ByTeam}},
		func(ledger.Row) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("err %v after %d rows", err, n)
	}
}

func TestAFailingStoreIsUnavailable(t *testing.T) {
	st := storeWith(t)
	st.Close()
	err := spend.NewReports(st, nil).Query(context.Background(), spend.Params{From: day, To: day.Add(time.Hour)}, func(ledger.Row) error { return nil })
	if llm.KindOf(err) != llm.KindUnavailable {
		t.Errorf("closed store: %v", err)
	}
}
