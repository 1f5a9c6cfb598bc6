package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/llm"
)

// The pseudonymization cases of the spend suite: what an erasure request
// does to a user's spend (ledger.SpendPseudonymizer).

// erasedBob is the pseudonym user_bob's spend moves to.
const erasedBob = "erased_6hQ2mZtY0pLx9Kc"

func pseudonymizer(t *testing.T, s ledger.Store) ledger.SpendPseudonymizer {
	t.Helper()
	p, ok := s.(ledger.SpendPseudonymizer)
	if !ok {
		t.Skipf("%T does not implement ledger.SpendPseudonymizer", s)
	}
	return p
}

// pseudonymQueries are the queries compared with the model after each
// step: whole days (the rollups) and a range with partial days at both
// ends (the records), grouped with and without the user.
func pseudonymQueries() []ledger.Query {
	ranges := []ledger.Filter{
		{From: midnight(2026, 3, 8), To: midnight(2026, 3, 15)},
		{From: spendBase.Add(-20 * time.Hour), To: spendBase.Add(50 * time.Hour)},
	}
	groupings := [][]ledger.Dimension{nil, {ledger.ByUser}, {ledger.ByDay, ledger.ByUser}, {ledger.ByTeam, ledger.ByUser, ledger.ByModel},
		ledger.Dimensions}
	var qs []ledger.Query
	for _, f := range ranges {
		for _, g := range groupings {
			qs = append(qs, ledger.Query{Filter: f, GroupBy: g})
		}
		for _, user := range []string{"user_bob", erasedBob, "user_ann"} {
			byUser := f
			byUser.UserID = user
			qs = append(qs, ledger.Query{Filter: byUser, GroupBy: []ledger.Dimension{ledger.ByDay, ledger.ByKey, ledger.ByModel}})
		}
	}
	return qs
}

// withoutUser are groupings that do not see users: their answers must not
// change when a user's spend is pseudonymized.
func withoutUser() []ledger.Query {
	var qs []ledger.Query
	for _, f := range []ledger.Filter{everything(), {From: spendBase.Add(-20 * time.Hour), To: spendBase.Add(50 * time.Hour)}} {
		for _, g := range [][]ledger.Dimension{nil, {ledger.ByDay, ledger.ByKey, ledger.ByTeam, ledger.ByModel, ledger.ByProvider, ledger.ByDeployment, ledger.ByAlias}} {
			qs = append(qs, ledger.Query{Filter: f, GroupBy: g})
		}
	}
	return qs
}

func spendTotal(t *testing.T, s ledger.SpendTotaler, f ledger.Filter) int64 {
	t.Helper()
	total, err := s.SpendTotal(t.Context(), f)
	if err != nil {
		t.Fatalf("SpendTotal(%s): %v", describeQuery(ledger.Query{Filter: f}), err)
	}
	return total
}

func userIDsOf(t *testing.T, s ledger.SpendQuerier) []string {
	t.Helper()
	var users []string
	for _, r := range queryRows(t, s, ledger.Query{Filter: everything(), GroupBy: []ledger.Dimension{ledger.ByUser}}) {
		users = append(users, r.UserID)
	}
	return users
}

func testSpendPseudonymizeUser(t *testing.T, s ledger.Store) {
	p := pseudonymizer(t, s)
	ctx := t.Context()
	m := newSpendModel()
	recs := SpendRecords(16, 200, spendBase.Add(-36*time.Hour), 4*24*time.Hour)
	// Records the pseudonym already has on the grain of some of the
	// user's (same day, key, team and target): their rollup rows collide
	// with the user's once renamed, and must be merged.
	var prior []ledger.Record
	for _, r := range recs {
		if r.UserID == "user_bob" && len(prior) < 12 {
			r.RequestID, r.UserID = "prior_"+r.RequestID, erasedBob
			prior = append(prior, r)
		}
	}
	// A request of the user whose first attempt arrives only after the
	// erasure (a spool replayed late): it must move the request's count
	// from the pseudonym's rollup row to the user's, then back.
	late := ledger.Record{RequestID: "req_bob_late", Attempt: 1, Time: spendBase.Add(-26 * time.Hour), KeyID: "key_gamma",
		TeamID: "team_blue", UserID: "user_bob", Alias: "chat", Deployment: "openai-east", Provider: "openai", Model: "gpt-4o",
		Reason: llm.AttemptFirst, Outcome: llm.OutcomeBroken, Usage: llm.Usage{InputTokens: 100, OutputTokens: 1}, CostNanoUSD: 1_000}
	second := late
	second.Attempt, second.Time, second.Model, second.Deployment = 2, late.Time.Add(2*time.Second), "claude-sonnet-4", "anthropic-main"
	second.Provider, second.Reason, second.Outcome, second.CostNanoUSD = "anthropic", llm.AttemptFailover, llm.OutcomeOK, 2_000
	for _, batch := range chunks(append(append(recs, prior...), second), 80) {
		mustWriteSpend(t, s, m, batch...)
	}

	var unchanged [][]ledger.Row
	for _, q := range withoutUser() {
		unchanged = append(unchanged, queryRows(t, s, q))
	}
	bobTotal := spendTotal(t, s, ledger.Filter{From: everything().From, To: everything().To, UserID: "user_bob"})
	priorTotal := spendTotal(t, s, ledger.Filter{From: everything().From, To: everything().To, UserID: erasedBob})
	if bobTotal == 0 || priorTotal == 0 {
		t.Fatalf("the dataset gives user_bob %d and the pseudonym %d: both must have spend", bobTotal, priorTotal)
	}

	n, err := p.PseudonymizeUserSpend(ctx, "user_bob", erasedBob)
	if err != nil {
		t.Fatalf("PseudonymizeUserSpend: %v", err)
	}
	if want := m.pseudonymize("user_bob", erasedBob); n != want {
		t.Errorf("PseudonymizeUserSpend changed %d records, want %d", n, want)
	}
	for _, q := range pseudonymQueries() {
		assertRows(t, s, m, q)
	}
	for i, q := range withoutUser() {
		assertSameRows(t, describeQuery(q)+" after the pseudonymization, vs. before", queryRows(t, s, q), unchanged[i])
	}
	whole := everything()
	for _, f := range []ledger.Filter{whole, {From: spendBase.Add(-20 * time.Hour), To: spendBase.Add(50 * time.Hour)}} {
		f.UserID = "user_bob"
		if got := spendTotal(t, s, f); got != 0 {
			t.Errorf("SpendTotal(%s) = %d after the pseudonymization, want 0", describeQuery(ledger.Query{Filter: f}), got)
		}
		if rows := queryRows(t, s, ledger.Query{Filter: f, GroupBy: []ledger.Dimension{ledger.ByDay}}); len(rows) != 0 {
			t.Errorf("QuerySpend(%s) still finds %v", describeQuery(ledger.Query{Filter: f}), rows)
		}
	}
	whole.UserID = erasedBob
	if got := spendTotal(t, s, whole); got != bobTotal+priorTotal {
		t.Errorf("the pseudonym's total is %d, want the user's %d plus its own %d", got, bobTotal, priorTotal)
	}
	if users := userIDsOf(t, s); slices.Contains(users, "user_bob") || !slices.Contains(users, erasedBob) {
		t.Errorf("grouped by user: %q, want %s in place of user_bob", users, erasedBob)
	}

	// A replay of records already pseudonymized (the Writer's spool after
	// an outage) stores nothing: the user does not come back.
	for _, batch := range chunks(recs, 80) {
		mustWriteSpend(t, s, m, batch...)
	}
	if users := userIDsOf(t, s); slices.Contains(users, "user_bob") {
		t.Errorf("replaying the user's records brought the user back: %q", users)
	}

	// The late first attempt lands under the user, takes the request's
	// count from the pseudonym's row, and a second call moves it too.
	mustWriteSpend(t, s, m, late)
	for _, q := range pseudonymQueries() {
		assertRows(t, s, m, q)
	}
	if n, err := p.PseudonymizeUserSpend(ctx, "user_bob", erasedBob); err != nil || n != 1 {
		t.Errorf("PseudonymizeUserSpend after a late record: %d, %v; want 1 record", n, err)
	}
	m.pseudonymize("user_bob", erasedBob)
	for _, q := range pseudonymQueries() {
		assertRows(t, s, m, q)
	}
}

func testSpendPseudonymizeArguments(t *testing.T, s ledger.Store) {
	p := pseudonymizer(t, s)
	ctx := t.Context()
	m := newSpendModel()
	mustWriteSpend(t, s, m, SpendRecords(17, 60, spendBase.Add(-30*time.Hour), 3*24*time.Hour)...)
	queries := pseudonymQueries()

	for name, args := range map[string][2]string{
		"an empty user id (every record without a user)": {"", erasedBob},
		"an empty pseudonym":                             {"user_ann", ""},
		"the user id as the pseudonym":                   {"user_ann", "user_ann"},
		"a user id with a NUL":                           {"user_ann\x00", erasedBob},
		"a pseudonym with invalid UTF-8":                 {"user_ann", "erased_\xff"},
		"a pseudonym too long to store":                  {"user_ann", strings.Repeat("e", ledger.MaxFieldBytes+1)},
	} {
		n, err := p.PseudonymizeUserSpend(ctx, args[0], args[1])
		if !errors.Is(err, ledger.ErrInvalidPseudonymization) || n != 0 {
			t.Errorf("PseudonymizeUserSpend with %s: %d, %v; want ErrInvalidPseudonymization", name, n, err)
		}
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.PseudonymizeUserSpend(canceled, "user_ann", erasedBob); err == nil {
		t.Error("PseudonymizeUserSpend with a canceled context succeeded")
	}
	for _, q := range queries {
		assertRows(t, s, m, q) // nothing changed
	}

	if n, err := p.PseudonymizeUserSpend(ctx, "user_nobody", erasedBob); err != nil || n != 0 {
		t.Errorf("PseudonymizeUserSpend of a user without spend: %d, %v; want 0, nil", n, err)
	}
	n, err := p.PseudonymizeUserSpend(ctx, "user_ann", "erased_ann")
	if want := m.pseudonymize("user_ann", "erased_ann"); err != nil || n != want || n == 0 {
		t.Fatalf("PseudonymizeUserSpend: %d, %v; want %d records", n, err, want)
	}
	var after [][]ledger.Row
	for _, q := range queries {
		after = append(after, queryRows(t, s, q))
	}
	if n, err := p.PseudonymizeUserSpend(ctx, "user_ann", "erased_ann"); err != nil || n != 0 {
		t.Errorf("a second PseudonymizeUserSpend: %d, %v; want 0, nil", n, err)
	}
	if n, err := p.PseudonymizeUserSpend(ctx, "user_ann", "erased_other"); err != nil || n != 0 {
		t.Errorf("a second PseudonymizeUserSpend with another pseudonym: %d, %v; want 0, nil", n, err)
	}
	for i, q := range queries {
		assertSameRows(t, describeQuery(q)+" after a second call", queryRows(t, s, q), after[i])
	}
}

// A pseudonymization racing writers (late attempts of the user's requests
// among them, which move request counts between rollup rows) leaves the
// rollups equal to the records.
func testSpendPseudonymizeWhileWriting(t *testing.T, s ledger.Store) {
	p := pseudonymizer(t, s)
	m := newSpendModel()
	recs := SpendRecords(18, 300, spendBase, 30*time.Hour)
	m.write(recs...)
	// Later attempts first, first attempts after: each first attempt
	// takes its request's count from a row the pseudonymization may be
	// moving.
	var later, first []ledger.Record
	for _, r := range recs {
		if r.Attempt == 1 {
			first = append(first, r)
		} else {
			later = append(later, r)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Go(func() {
		for _, batch := range append(chunks(later, 20), chunks(first, 20)...) {
			var err error
			for range 5 { // a store may abort a write under contention; a retry is safe
				if err = s.WriteSpend(context.Background(), batch); err == nil {
					break
				}
			}
			if err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Go(func() {
		for range 20 {
			if _, err := p.PseudonymizeUserSpend(context.Background(), "user_bob", erasedBob); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent writes and pseudonymizations: %v", err)
	}
	if _, err := p.PseudonymizeUserSpend(t.Context(), "user_bob", erasedBob); err != nil {
		t.Fatal(err)
	}
	m.pseudonymize("user_bob", erasedBob)
	for _, q := range pseudonymQueries() {
		assertRows(t, s, m, q)
	}
}
