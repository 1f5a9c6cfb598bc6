package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/llm"
)

// RunSpend runs the conformance suite of ledger.Store, and of
// ledger.SpendPseudonymizer when the store implements it (those cases are
// skipped otherwise). newStore must return a new, empty store for each
// call and arrange its cleanup with t.Cleanup.
// Every answer is compared with a reference computed from the records
// written, so rollups, partial days and request counting are all checked
// against the same definition.
func RunSpend(t *testing.T, newStore func(t *testing.T) ledger.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s ledger.Store)
	}{
		{"Spend/WriteThenQuery", testSpendWriteThenQuery},
		{"Spend/ReplayIsIdempotent", testSpendReplayIdempotent},
		{"Spend/DuplicatesWithinABatch", testSpendDuplicatesInBatch},
		{"Spend/BatchIsAtomic", testSpendBatchAtomic},
		{"Spend/GroupByEachDimension", testSpendGroupBy},
		{"Spend/RangeBounds", testSpendRangeBounds},
		{"Spend/RandomRanges", testSpendRandomRanges},
		{"Spend/RollupsEqualRawSums", testSpendRollupsEqualRaw},
		{"Spend/RequestCountedOnceAtLowestAttempt", testSpendRequestCounting},
		{"Spend/LargeBatchesWithLateAttemptsAndReplays", testSpendLargeBatches},
		{"Spend/Filters", testSpendFilters},
		{"Spend/SpendTotal", testSpendTotal},
		{"Spend/LargeRangeStreamsInOrder", testSpendLargeRange},
		{"Spend/MonthsAndYearsCrossing", testSpendMonthsCrossing},
		{"Spend/InvalidQueries", testSpendInvalidQueries},
		{"Spend/NormalizesRecords", testSpendNormalizes},
		{"Spend/ConcurrentWriters", testSpendConcurrentWriters},
		{"Spend/PseudonymizeUser", testSpendPseudonymizeUser},
		{"Spend/PseudonymizeIsIdempotentAndChecksItsArguments", testSpendPseudonymizeArguments},
		{"Spend/PseudonymizeWhileWriting", testSpendPseudonymizeWhileWriting},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

// spendBase is a Tuesday morning; datasets span the days around it.
var spendBase = time.Date(2026, 3, 10, 9, 26, 53, 589793000, time.UTC)

func everything() ledger.Filter {
	return ledger.Filter{From: midnight(1970, 1, 2), To: midnight(9999, 1, 1)}
}

func testSpendWriteThenQuery(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	recs := SpendRecords(1, 40, spendBase, 72*time.Hour)
	mustWriteSpend(t, s, m, recs...)
	assertRows(t, s, m, ledger.Query{Filter: everything()})
	assertRows(t, s, m, ledger.Query{Filter: everything(), GroupBy: []ledger.Dimension{ledger.ByDay}})

	rows := queryRows(t, s, ledger.Query{Filter: everything()})
	if len(rows) != 1 || rows[0].Attempts != int64(len(recs)) || rows[0].Requests != 40 {
		t.Errorf("totals %v, want %d attempts of 40 requests", rows, len(recs))
	}
	if got := queryRows(t, s, ledger.Query{Filter: ledger.Filter{From: midnight(2020, 1, 1), To: midnight(2020, 1, 2)}}); len(got) != 0 {
		t.Errorf("a range with no record gave rows %v, want none", got)
	}
	if err := s.WriteSpend(t.Context(), nil); err != nil {
		t.Errorf("WriteSpend(empty batch): %v", err)
	}
}

func testSpendReplayIdempotent(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	a := SpendRecords(2, 30, spendBase, 48*time.Hour)
	b := SpendRecords(3, 30, spendBase, 48*time.Hour)
	mustWriteSpend(t, s, m, a...)
	byDay := ledger.Query{Filter: everything(), GroupBy: []ledger.Dimension{ledger.ByDay, ledger.ByModel}}
	before := queryRows(t, s, byDay)

	mustWriteSpend(t, s, m, a...) // the same batch again: a replay
	assertSameRows(t, "after replaying a batch", queryRows(t, s, byDay), before)

	// A batch half old, half new, and the old half in another order.
	overlap := append(append([]ledger.Record(nil), b...), a[len(a)/2:]...)
	rand.New(rand.NewPCG(4, 4)).Shuffle(len(overlap), func(i, j int) { overlap[i], overlap[j] = overlap[j], overlap[i] })
	mustWriteSpend(t, s, m, overlap...)
	assertRows(t, s, m, byDay)
	assertRows(t, s, m, ledger.Query{Filter: everything()})
	for _, batch := range chunks(append(a, b...), 7) { // everything again, in other batches
		mustWriteSpend(t, s, m, batch...)
	}
	assertRows(t, s, m, byDay)
}

func testSpendDuplicatesInBatch(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	recs := SpendRecords(5, 10, spendBase, time.Hour)
	batch := append(append([]ledger.Record(nil), recs...), recs...)
	// A copy whose time differs only below the microsecond is the same
	// record once normalized.
	sub := recs[0]
	sub.Time = sub.Time.Add(300 * time.Nanosecond)
	batch = append(batch, sub)
	mustWriteSpend(t, s, m, batch...)
	rows := queryRows(t, s, ledger.Query{Filter: everything()})
	if len(rows) != 1 || rows[0].Attempts != int64(len(recs)) {
		t.Errorf("totals %v, want %d attempts", rows, len(recs))
	}
	assertRows(t, s, m, ledger.Query{Filter: everything(), GroupBy: []ledger.Dimension{ledger.ByKey, ledger.ByDay}})
}

func testSpendBatchAtomic(t *testing.T, s ledger.Store) {
	recs := SpendRecords(6, 10, spendBase, time.Hour)
	bad := recs[3]
	bad.Attempt = 0
	batch := append(append(append([]ledger.Record(nil), recs[:3]...), bad), recs[4:]...)
	err := s.WriteSpend(t.Context(), batch)
	if !errors.Is(err, ledger.ErrInvalidRecord) {
		t.Fatalf("WriteSpend(batch with attempt 0) = %v, want ErrInvalidRecord", err)
	}
	if rows := queryRows(t, s, ledger.Query{Filter: everything()}); len(rows) != 0 {
		t.Fatalf("a refused batch left rows: %v", rows)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.WriteSpend(ctx, recs); err == nil {
		t.Fatal("WriteSpend with a canceled context succeeded")
	}
	if rows := queryRows(t, s, ledger.Query{Filter: everything()}); len(rows) != 0 {
		t.Fatalf("a failed batch left rows: %v", rows)
	}

	m := newSpendModel()
	mustWriteSpend(t, s, m, recs...)
	assertRows(t, s, m, ledger.Query{Filter: everything(), GroupBy: []ledger.Dimension{ledger.ByDay}})
}

func testSpendGroupBy(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	for _, batch := range chunks(SpendRecords(7, 150, spendBase.Add(-36*time.Hour), 5*24*time.Hour), 100) {
		mustWriteSpend(t, s, m, batch...)
	}
	// Whole days (rollups) and a range with partial days at both ends.
	ranges := []ledger.Filter{
		{From: midnight(2026, 3, 8), To: midnight(2026, 3, 15)},
		{From: spendBase.Add(-20 * time.Hour), To: spendBase.Add(50 * time.Hour)},
	}
	groupings := [][]ledger.Dimension{{ledger.ByModel, ledger.ByProvider}, {ledger.ByDay, ledger.ByKey},
		{ledger.ByTeam, ledger.ByUser, ledger.ByDay}, {ledger.ByAlias, ledger.ByDeployment, ledger.ByModel}, ledger.Dimensions}
	for _, d := range ledger.Dimensions {
		groupings = append(groupings, []ledger.Dimension{d})
	}
	for _, f := range ranges {
		for _, g := range groupings {
			assertRows(t, s, m, ledger.Query{Filter: f, GroupBy: g})
		}
	}
	// Reversed grouping order changes the sort order.
	assertRows(t, s, m, ledger.Query{Filter: ranges[0], GroupBy: []ledger.Dimension{ledger.ByKey, ledger.ByDay}})
}

func testSpendRangeBounds(t *testing.T, s ledger.Store) {
	d0, d1 := midnight(2026, 4, 14), midnight(2026, 4, 15)
	at := []time.Time{d0.Add(-time.Microsecond), d0, d0.Add(time.Microsecond), d0.Add(12 * time.Hour),
		d1.Add(-time.Microsecond), d1, d1.Add(time.Microsecond)}
	m := newSpendModel()
	var recs []ledger.Record
	for i, ts := range at {
		r := SpendRecords(uint64(100+i), 1, ts, time.Microsecond)[0]
		r.Attempt, r.Time, r.CostNanoUSD, r.Unpriced = 1, ts, int64(1)<<i, false
		recs = append(recs, r)
	}
	mustWriteSpend(t, s, m, recs...)
	cost := func(f ledger.Filter) int64 {
		t.Helper()
		total, err := s.SpendTotal(t.Context(), f)
		if err != nil {
			t.Fatalf("SpendTotal: %v", err)
		}
		return total
	}
	// Each record's cost is a distinct bit, so a total names the records
	// it includes.
	for _, c := range []struct {
		from, to time.Time
		want     int64
	}{
		{d0, d1, 0b0011110},                                              // one whole day
		{d0.Add(time.Microsecond), d1, 0b0011100},                        // partial start
		{d0, d1.Add(-time.Microsecond), 0b0001110},                       // partial end
		{d0.Add(-time.Microsecond), d1.Add(time.Microsecond), 0b0111111}, // a whole day and a microsecond either side
		{d0.Add(12 * time.Hour), d0.Add(12*time.Hour + time.Microsecond), 0b0001000},
		{d0.Add(-time.Hour), d0, 0b0000001},
		{d0.Add(time.Nanosecond), d1.Add(time.Nanosecond), 0b0111100}, // bounds round up to the microsecond
		{d1, d1.Add(48 * time.Hour), 0b1100000},
	} {
		f := ledger.Filter{From: c.from, To: c.to}
		if got := cost(f); got != c.want {
			t.Errorf("SpendTotal[%s, %s) = %07b, want %07b", c.from.Format(time.RFC3339Nano), c.to.Format(time.RFC3339Nano), got, c.want)
		}
		assertRows(t, s, m, ledger.Query{Filter: f, GroupBy: []ledger.Dimension{ledger.ByDay}})
	}
}

func testSpendRandomRanges(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	start := midnight(2026, 5, 1)
	for _, batch := range chunks(SpendRecords(8, 300, start, 10*24*time.Hour), 150) {
		mustWriteSpend(t, s, m, batch...)
	}
	rng := rand.New(rand.NewPCG(8, 9))
	instant := func() time.Time {
		day := start.AddDate(0, 0, rng.IntN(12)-1)
		switch rng.IntN(3) {
		case 0:
			return day // a midnight
		case 1:
			return day.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
		}
		return day.Add(time.Duration(rng.Int64N(int64(time.Hour))) * time.Microsecond)
	}
	for range 40 {
		from, to := instant(), instant()
		if !from.Before(to) {
			from, to = to, from.Add(time.Microsecond)
		}
		f := ledger.Filter{From: from, To: to}
		assertRows(t, s, m, ledger.Query{Filter: f, GroupBy: []ledger.Dimension{ledger.ByDay, ledger.ByKey}})
		assertRows(t, s, m, ledger.Query{Filter: f})
	}
}

func testSpendRollupsEqualRaw(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	for _, batch := range chunks(SpendRecords(9, 200, midnight(2026, 6, 1), 4*24*time.Hour), 60) {
		mustWriteSpend(t, s, m, batch...)
	}
	dims := []ledger.Dimension{ledger.ByKey, ledger.ByTeam, ledger.ByUser, ledger.ByModel, ledger.ByProvider, ledger.ByDeployment, ledger.ByAlias}
	for d := midnight(2026, 6, 1); d.Before(midnight(2026, 6, 5)); d = d.AddDate(0, 0, 1) {
		// The whole day comes from the rollups; its two halves, neither a
		// whole day, from the records.
		rollup := queryRows(t, s, ledger.Query{Filter: ledger.Filter{From: d, To: d.AddDate(0, 0, 1)}, GroupBy: dims})
		merged := map[string]*ledger.Row{}
		var order []string
		for _, half := range []ledger.Filter{{From: d, To: d.Add(12 * time.Hour)}, {From: d.Add(12 * time.Hour), To: d.AddDate(0, 0, 1)}} {
			for _, r := range queryRows(t, s, ledger.Query{Filter: half, GroupBy: dims}) {
				k := rowKey(r)
				if g, ok := merged[k]; ok {
					g.Totals.Add(r.Totals)
				} else {
					r := r
					merged[k] = &r
					order = append(order, k)
				}
			}
		}
		var raw []ledger.Row
		for _, k := range order {
			raw = append(raw, *merged[k])
		}
		sortRows(raw, dims)
		assertSameRows(t, "rollup of "+d.Format(time.DateOnly)+" vs. the sum of its records", rollup, raw)
		assertSameRows(t, "rollup of "+d.Format(time.DateOnly)+" vs. the reference", rollup,
			m.rows(ledger.Query{Filter: ledger.Filter{From: d, To: d.AddDate(0, 0, 1)}, GroupBy: dims}))
	}
}

func testSpendRequestCounting(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	day1 := midnight(2026, 7, 1)
	base := ledger.Record{RequestID: "req_failover", KeyID: "key_alpha", TeamID: "team_red", Provider: "openai",
		Deployment: "d", Alias: "chat", Reason: llm.AttemptFirst, Usage: llm.Usage{InputTokens: 10, OutputTokens: 5}, CostNanoUSD: 100}
	attempt := func(n int, ts time.Time, model string) ledger.Record {
		r := base
		r.Attempt, r.Time, r.Model = n, ts, model
		return r
	}
	first := attempt(1, day1.Add(-30*time.Second), "model-a") // the day before
	second := attempt(2, day1.Add(10*time.Second), "model-b")
	third := attempt(3, day1.Add(40*time.Second), "model-c")
	byModel := ledger.Query{Filter: everything(), GroupBy: []ledger.Dimension{ledger.ByModel}}
	byDay := ledger.Query{Filter: ledger.Filter{From: day1.AddDate(0, 0, -1), To: day1.AddDate(0, 0, 1)}, GroupBy: []ledger.Dimension{ledger.ByDay}}

	// Written out of order, in separate batches, as hedges and spools do.
	mustWriteSpend(t, s, m, third)
	assertRows(t, s, m, byModel)
	mustWriteSpend(t, s, m, first)
	assertRows(t, s, m, byModel)
	mustWriteSpend(t, s, m, second, third, first)
	assertRows(t, s, m, byModel)
	assertRows(t, s, m, byDay)
	rows := queryRows(t, s, ledger.Query{Filter: everything()})
	if len(rows) != 1 || rows[0].Requests != 1 || rows[0].Attempts != 3 || rows[0].CostNanoUSD != 300 {
		t.Errorf("totals %v, want 1 request, 3 attempts, cost 300", rows)
	}
	models := queryRows(t, s, byModel)
	if len(models) != 3 || models[0].Requests != 1 || models[1].Requests != 0 || models[2].Requests != 0 {
		t.Errorf("by model %v, want the request counted under model-a only", models)
	}
}

func testSpendFilters(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	mustWriteSpend(t, s, m, SpendRecords(10, 120, spendBase, 3*24*time.Hour)...)
	ranges := []ledger.Filter{
		{From: midnight(2026, 3, 10), To: midnight(2026, 3, 14)},
		{From: spendBase.Add(time.Hour), To: spendBase.Add(40 * time.Hour)},
	}
	for _, f := range ranges {
		for _, p := range spendPrincipals {
			for _, filter := range []ledger.Filter{{KeyID: p.key}, {TeamID: p.team}, {UserID: p.user}, {TeamID: p.team, UserID: p.user}} {
				if filter == (ledger.Filter{}) {
					continue
				}
				filter.From, filter.To = f.From, f.To
				assertRows(t, s, m, ledger.Query{Filter: filter, GroupBy: []ledger.Dimension{ledger.ByKey, ledger.ByDay}})
			}
		}
		nobody := f
		nobody.KeyID = "key_nobody"
		if rows := queryRows(t, s, ledger.Query{Filter: nobody}); len(rows) != 0 {
			t.Errorf("an unknown key has rows %v", rows)
		}
	}
}

func testSpendTotal(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	mustWriteSpend(t, s, m, SpendRecords(11, 100, spendBase.Add(-48*time.Hour), 5*24*time.Hour)...)
	filters := []ledger.Filter{everything(),
		{From: midnight(2026, 3, 9), To: midnight(2026, 3, 12)}, // whole days
		{From: midnight(2026, 3, 9), To: spendBase},             // month-to-date style: whole days then today
		{From: spendBase.Add(-30 * time.Hour), To: spendBase.Add(time.Hour)},
		{From: spendBase, To: spendBase.Add(time.Minute)},
	}
	for _, f := range filters {
		for _, scope := range []ledger.Filter{{}, {KeyID: "key_alpha"}, {TeamID: "team_blue"}, {UserID: "user_bob"}} {
			scope.From, scope.To = f.From, f.To
			got, err := s.SpendTotal(t.Context(), scope)
			if err != nil {
				t.Fatalf("SpendTotal: %v", err)
			}
			if want := m.total(scope); got != want {
				t.Errorf("SpendTotal(%s) = %d, want %d", describeQuery(ledger.Query{Filter: scope}), got, want)
			}
		}
	}
	if got, err := s.SpendTotal(t.Context(), ledger.Filter{From: midnight(2001, 1, 1), To: midnight(2001, 2, 1), KeyID: "key_alpha"}); err != nil || got != 0 {
		t.Errorf("SpendTotal of an empty range = %d, %v; want 0, nil", got, err)
	}
	if _, err := s.SpendTotal(t.Context(), ledger.Filter{From: spendBase, To: spendBase}); !errors.Is(err, ledger.ErrInvalidQuery) {
		t.Errorf("SpendTotal(empty range) error %v, want ErrInvalidQuery", err)
	}
}

func testSpendLargeRange(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	start := midnight(2025, 11, 20)
	for _, batch := range chunks(SpendRecords(12, 2000, start, 400*24*time.Hour), 500) {
		mustWriteSpend(t, s, m, batch...)
	}
	q := ledger.Query{Filter: ledger.Filter{From: start.Add(5 * time.Hour), To: start.AddDate(1, 2, 0).Add(-time.Minute)},
		GroupBy: []ledger.Dimension{ledger.ByDay, ledger.ByKey}}
	var got []ledger.Row
	err := s.QuerySpend(t.Context(), q, func(r ledger.Row) error {
		if n := len(got); n > 0 && compareRows(got[n-1], r, q.GroupBy) >= 0 {
			return fmt.Errorf("row %d (%s) does not come after row %d (%s)", n, formatRow(r), n-1, formatRow(got[n-1]))
		}
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatalf("QuerySpend: %v", err)
	}
	assertSameRows(t, describeQuery(q), got, m.rows(q))
	if len(got) < 500 {
		t.Errorf("only %d rows: the dataset is too small to test streaming", len(got))
	}

	// A consumer that stops (a client that went away) ends the query with
	// its own error.
	stop := errors.New("consumer stopped")
	calls := 0
	err = s.QuerySpend(t.Context(), q, func(ledger.Row) error {
		calls++
		if calls == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 10 {
		t.Errorf("QuerySpend with a yield that stops: %v after %d calls, want the yield's error after 10", err, calls)
	}
}

func testSpendMonthsCrossing(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	instants := []time.Time{
		time.Date(2025, 12, 31, 23, 59, 59, 999999000, time.UTC),
		midnight(2026, 1, 1),
		time.Date(2026, 1, 31, 23, 59, 59, 999999000, time.UTC),
		midnight(2026, 2, 1),
		midnight(2026, 3, 1).Add(-time.Microsecond),
		midnight(2026, 3, 1),
	}
	var recs []ledger.Record
	for i, ts := range instants {
		r := SpendRecords(uint64(200+i), 1, ts, time.Microsecond)[0]
		r.Attempt, r.Time = 1, ts
		recs = append(recs, r)
	}
	// One batch spanning four months (four partitions where the backend
	// partitions by month), written twice.
	mustWriteSpend(t, s, m, recs...)
	mustWriteSpend(t, s, m, recs...)
	for _, f := range []ledger.Filter{
		{From: midnight(2025, 12, 1), To: midnight(2026, 4, 1)},
		{From: midnight(2026, 1, 1), To: midnight(2026, 2, 1)},
		{From: instants[0], To: instants[3]},
		{From: time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC), To: time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)},
	} {
		assertRows(t, s, m, ledger.Query{Filter: f, GroupBy: []ledger.Dimension{ledger.ByDay}})
	}
	rows := queryRows(t, s, ledger.Query{Filter: everything()})
	if len(rows) != 1 || rows[0].Attempts != int64(len(instants)) {
		t.Errorf("totals %v, want %d attempts", rows, len(instants))
	}
}

func testSpendInvalidQueries(t *testing.T, s ledger.Store) {
	for name, q := range map[string]ledger.Query{
		"no bounds":          {},
		"no end":             {Filter: ledger.Filter{From: spendBase}},
		"empty range":        {Filter: ledger.Filter{From: spendBase, To: spendBase}},
		"reversed range":     {Filter: ledger.Filter{From: spendBase, To: spendBase.Add(-time.Hour)}},
		"unknown dimension":  {Filter: everything(), GroupBy: []ledger.Dimension{"color"}},
		"repeated dimension": {Filter: everything(), GroupBy: []ledger.Dimension{ledger.ByDay, ledger.ByKey, ledger.ByDay}},
	} {
		err := s.QuerySpend(t.Context(), q, func(ledger.Row) error { return nil })
		if !errors.Is(err, ledger.ErrInvalidQuery) {
			t.Errorf("%s: QuerySpend error %v, want ErrInvalidQuery", name, err)
		}
	}
}

func testSpendNormalizes(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	r := SpendRecords(13, 1, spendBase, time.Second)[0]
	r.Time = time.Date(2026, 3, 10, 11, 0, 0, 123456789, time.FixedZone("CET", 3600))
	r.EndUser = "caller\x00with NUL and \xff invalid bytes"
	r.Alias = strings.Repeat("é", 200) // 400 bytes
	r.Model = "model\x00x"
	mustWriteSpend(t, s, m, r)
	mustWriteSpend(t, s, m, r) // the same record again: still one row
	rows := queryRows(t, s, ledger.Query{Filter: everything(), GroupBy: []ledger.Dimension{ledger.ByAlias, ledger.ByModel, ledger.ByDay}})
	if len(rows) != 1 || rows[0].Attempts != 1 {
		t.Fatalf("rows %v, want one attempt", rows)
	}
	if got := rows[0].Alias; len(got) > ledger.MaxFieldBytes || !strings.HasPrefix(strings.Repeat("é", 200), got) || len(got) < ledger.MaxFieldBytes-1 {
		t.Errorf("alias stored as %d bytes %q, want the first %d bytes on a character boundary", len(got), got, ledger.MaxFieldBytes)
	}
	if got := rows[0].Model; got != "model\uFFFDx" {
		t.Errorf("model stored as %q, want the NUL replaced", got)
	}
	if want := midnight(2026, 3, 10); !rows[0].Day.Equal(want) {
		t.Errorf("day %s, want %s (the UTC day)", rows[0].Day, want)
	}
	assertRows(t, s, m, ledger.Query{Filter: ledger.Filter{From: r.Time, To: r.Time.Add(time.Microsecond)}})
}

func testSpendConcurrentWriters(t *testing.T, s ledger.Store) {
	m := newSpendModel()
	recs := SpendRecords(14, 200, spendBase, 30*time.Hour)
	m.write(recs...)
	// Batches hold whole requests, as one gateway's writer sends them;
	// every writer sends all of them, in its own order.
	var batches [][]ledger.Record
	for i := 0; i < len(recs); {
		j := i + 1
		for j < len(recs) && (j-i < 25 || recs[j].RequestID == recs[j-1].RequestID) {
			j++
		}
		batches = append(batches, recs[i:j:j])
		i = j
	}
	const writers = 4
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		order := rand.New(rand.NewPCG(uint64(w), 15)).Perm(len(batches))
		wg.Go(func() {
			for _, i := range order {
				// A store may fail a write under contention (a deadlock
				// abort); the contract is that a retry is safe.
				var err error
				for range 5 {
					if err = s.WriteSpend(context.Background(), batches[i]); err == nil {
						break
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent WriteSpend: %v", err)
	}
	assertRows(t, s, m, ledger.Query{Filter: everything(), GroupBy: []ledger.Dimension{ledger.ByDay, ledger.ByModel, ledger.ByKey}})
	assertRows(t, s, m, ledger.Query{Filter: everything()})
}

func sortRows(rows []ledger.Row, dims []ledger.Dimension) {
	slices.SortFunc(rows, func(a, b ledger.Row) int { return compareRows(a, b, dims) })
}
