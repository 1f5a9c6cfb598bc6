package audit_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/llm"
)

// seedUserData gives the tenancy's user a request record with a captured
// payload, a revoked second key, and audit events about them and their key;
// another user of the team gets a record that must survive.
func seedUserData(t *testing.T, st interface {
	audit.Store
}, tn tenancy) (other auth.User) {
	t.Helper()
	ctx := t.Context()
	second, _, err := tn.keys.Create(ctx, auth.CreateKeyParams{Name: "old phone", UserID: tn.user.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tn.keys.Revoke(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	if other, err = tn.users.Create(ctx, auth.CreateUserParams{TeamID: tn.team.ID, Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	now := tn.key.CreatedAt
	recs := []audit.RequestRecord{
		{RequestID: "req_ada", Time: now, KeyID: tn.key.ID, TeamID: tn.team.ID, UserID: tn.user.ID, ClientAddress: "203.0.113.5", PayloadCaptured: true},
		{RequestID: "req_bob", Time: now, TeamID: tn.team.ID, UserID: other.ID},
	}
	payloads := []audit.Payload{{RequestID: "req_ada", Time: now, TeamID: tn.team.ID, UserID: tn.user.ID, Request: []byte(`{"messages":[]}`), Response: []byte(`{}`)}}
	if err := st.WriteRequests(ctx, recs, payloads); err != nil {
		t.Fatal(err)
	}
	trail := audit.NewTrail(st, nil)
	for _, ev := range []audit.Event{
		{Actor: "bootstrap", Action: audit.ActionUserCreate, TargetType: audit.TargetUser, TargetID: tn.user.ID, TeamID: tn.team.ID,
			After: json.RawMessage(`{"name":"Ada Lovelace","email":"ada@example.com"}`), Outcome: "ok"},
		{Actor: "bootstrap", Action: audit.ActionKeyUpdate, TargetType: audit.TargetKey, TargetID: tn.key.ID, TeamID: tn.team.ID,
			Before: json.RawMessage(`{"name":"ada's"}`), After: json.RawMessage(`{"name":"ada's laptop"}`), Outcome: "ok"},
		{Actor: "bootstrap", Action: audit.ActionUserCreate, TargetType: audit.TargetUser, TargetID: other.ID, TeamID: tn.team.ID,
			After: json.RawMessage(`{"name":"Bob"}`), Outcome: "ok"},
	} {
		if _, err := trail.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	return other
}

func TestExportHoldsEverythingAboutTheUserAndNoSecret(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	seedUserData(t, st, tn)
	privacy := audit.NewPrivacy(tn.users, tn.keys, st, audit.PrivacyOptions{Spend: st})
	var all audit.ExportPart
	parts := 0
	err := privacy.Export(t.Context(), tn.user.ID, func(p audit.ExportPart) error {
		parts++
		if p.User != nil {
			all.User = p.User
		}
		all.Keys = append(all.Keys, p.Keys...)
		all.Requests = append(all.Requests, p.Requests...)
		all.Payloads = append(all.Payloads, p.Payloads...)
		all.Events = append(all.Events, p.Events...)
		all.Spend = append(all.Spend, p.Spend...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if all.User == nil || all.User.Email != "ada@example.com" || len(all.Keys) != 2 {
		t.Fatalf("export: user %+v, %d keys", all.User, len(all.Keys))
	}
	if len(all.Requests) != 1 || all.Requests[0].RequestID != "req_ada" || len(all.Payloads) != 1 || len(all.Events) != 2 {
		t.Errorf("export: %d records, %d payloads, %d events", len(all.Requests), len(all.Payloads), len(all.Events))
	}
	b, _ := json.Marshal(all)
	if strings.Contains(string(b), tn.secret) || strings.Contains(string(b), "req_bob") {
		t.Error("the export holds the key's secret or another user's data")
	}
	if err := privacy.Export(t.Context(), "user_0000000000000000", func(audit.ExportPart) error { return nil }); llm.KindOf(err) != llm.KindNotFound {
		t.Errorf("export of an unknown user: %v", err)
	}
}

func TestEraseLeavesNothingOfTheUser(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	other := seedUserData(t, st, tn)
	ctx := t.Context()
	if _, err := tn.keys.Verify(ctx, tn.secret); err != nil {
		t.Fatalf("the key does not work before the erasure: %v", err)
	}
	privacy := audit.NewPrivacy(tn.users, tn.keys, st, audit.PrivacyOptions{Spend: st})
	e, err := privacy.Erase(ctx, tn.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.KeysRevoked != 1 || e.KeysDeleted != 2 || e.RequestRecords != 1 || e.Payloads != 1 || e.Events != 2 || e.User.ID != tn.user.ID {
		t.Errorf("erasure: %+v", e)
	}
	if _, err := tn.keys.Verify(ctx, tn.secret); llm.KindOf(err) != llm.KindUnauthenticated {
		t.Errorf("the erased user's key still works: %v", err)
	}
	if _, err := tn.users.Get(ctx, tn.user.ID); llm.KindOf(err) != llm.KindNotFound {
		t.Errorf("the user is still there: %v", err)
	}
	if _, err := tn.keys.Get(ctx, tn.key.ID); llm.KindOf(err) != llm.KindNotFound {
		t.Errorf("the key is still there: %v", err)
	}
	recs, _ := st.ListRequests(ctx, audit.RequestQuery{Limit: 10})
	if len(recs) != 1 || recs[0].UserID != other.ID {
		t.Errorf("records left: %+v", recs)
	}
	events, _ := st.ListEvents(ctx, audit.EventQuery{Limit: 10})
	for _, ev := range events {
		text := string(ev.Before) + string(ev.After)
		if strings.Contains(text, "Ada") || strings.Contains(text, "ada@") || strings.Contains(text, "laptop") {
			t.Errorf("an event still names the user: %s %s", ev.Action, text)
		}
	}
	if len(events) != 3 {
		t.Errorf("%d events left, want all 3 (their details erased)", len(events))
	}
	if _, err := privacy.Erase(ctx, tn.user.ID); llm.KindOf(err) != llm.KindNotFound {
		t.Errorf("a second erasure: %v", err)
	}
}

// The user's spend is in their export, per day, key and model; the erasure
// moves it to a pseudonym in the spend store, so the user's total is then
// 0 and every total that does not name users is what it was.
func TestSpendIsExportedThenPseudonymizedWithTheTotalsKept(t *testing.T) {
	st := openStore(t)
	tn := newTenancy(t, st)
	other := seedUserData(t, st, tn)
	ctx := t.Context()
	// Midday, so that "yesterday" and "a minute ago" are two UTC days.
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	attempt := func(request string, n int, at time.Time, userID, model string, cost int64) ledger.Record {
		return ledger.Record{RequestID: request, Attempt: n, Time: at, KeyID: tn.key.ID, TeamID: tn.team.ID, UserID: userID,
			Provider: "openai", Model: model, Usage: llm.Usage{InputTokens: 100 * int64(n), OutputTokens: 10}, CostNanoUSD: cost}
	}
	yesterday := now.Add(-24 * time.Hour)
	if err := st.WriteSpend(ctx, []ledger.Record{
		attempt("req_ada_1", 1, yesterday, tn.user.ID, "gpt-4o", 1_500),
		attempt("req_ada_1", 2, yesterday.Add(time.Second), tn.user.ID, "gpt-4o-mini", 700), // a failover
		attempt("req_ada_2", 1, now.Add(-time.Minute), tn.user.ID, "gpt-4o", 2_000),
		attempt("req_bob_1", 1, now.Add(-time.Minute), other.ID, "gpt-4o", 9_000),
	}); err != nil {
		t.Fatal(err)
	}
	all := ledger.Filter{From: now.AddDate(0, 0, -7), To: now.Add(time.Hour)}
	total := func(userID string) int64 {
		t.Helper()
		f := all
		f.UserID = userID
		got, err := st.SpendTotal(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	overall := total("")

	privacy := audit.NewPrivacy(tn.users, tn.keys, st, audit.PrivacyOptions{Spend: st, Now: func() time.Time { return now }})
	var spend []ledger.Row
	if err := privacy.Export(ctx, tn.user.ID, func(p audit.ExportPart) error {
		spend = append(spend, p.Spend...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var exported int64
	for _, r := range spend {
		exported += r.CostNanoUSD
		if r.KeyID != tn.key.ID || r.Day.IsZero() || r.Model == "" {
			t.Errorf("exported spend row %+v: want its day, key and model", r)
		}
	}
	if len(spend) != 3 || exported != 4_200 {
		t.Errorf("exported %d spend rows costing %d, want 3 (day and model) costing 4200: %+v", len(spend), exported, spend)
	}

	e, err := privacy.Erase(ctx, tn.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !e.SpendPseudonymized || e.SpendRecords != 3 || !strings.HasPrefix(e.SpendPseudonym, "erased_") {
		t.Fatalf("erasure: pseudonymized %v, %d records, pseudonym %q; want 3 records under erased_...", e.SpendPseudonymized, e.SpendRecords, e.SpendPseudonym)
	}
	if got := total(tn.user.ID); got != 0 {
		t.Errorf("the erased user's spend is %d, want 0", got)
	}
	if got := total(e.SpendPseudonym); got != 4_200 {
		t.Errorf("the pseudonym's spend is %d, want the user's 4200", got)
	}
	if got, bob := total(""), total(other.ID); got != overall || bob != 9_000 {
		t.Errorf("after the erasure the total is %d (was %d) and the other user's %d (was 9000)", got, overall, bob)
	}
	if err := st.QuerySpend(ctx, ledger.Query{Filter: all, GroupBy: []ledger.Dimension{ledger.ByUser}}, func(r ledger.Row) error {
		if r.UserID == tn.user.ID {
			t.Errorf("spend grouped by user still names the erased user: %+v", r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
