package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
)

// AuditStore is what RunAudit tests: the audit trail beside the tenancy
// store it reads payload retention from (the same database).
type AuditStore interface {
	auth.Store
	audit.Store
}

// RunAudit runs the conformance suite of audit.Store. newStore must return
// a new, empty store for each call and arrange its cleanup.
func RunAudit(t *testing.T, newStore func(t *testing.T) AuditStore) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s AuditStore)
	}{
		{"Events/RoundTripAndDuplicateID", testEventRoundTrip},
		{"Events/ListNewestFirstWithTiesByID", testEventOrder},
		{"Events/Filters", testEventFilters},
		{"Events/EraseDetails", testEventErase},
		{"Requests/RoundTripAndIdempotentWrites", testRequestRoundTrip},
		{"Requests/LargeBatches", testRequestLargeBatches},
		{"Requests/ListFiltersAndPagination", testRequestFilters},
		{"Requests/Payloads", testPayloads},
		{"Requests/DeleteUserRequests", testDeleteUserRequests},
		{"Requests/DeleteExpired", testDeleteExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

func newEvent(i int, at time.Time) audit.Event {
	return audit.Event{
		ID: audit.NewEventID(), Time: at, Actor: "key_0000000000000001", ActorRole: "admin",
		Action: audit.ActionKeyCreate, TargetType: audit.TargetKey, TargetID: fmt.Sprintf("key_%016d", i),
		TeamID: auth.DefaultTeamID, ClientAddress: "192.0.2.1", RequestID: fmt.Sprintf("req_%d", i), Outcome: audit.OutcomeOK,
	}
}

func mustEvents(t *testing.T, s AuditStore, events ...audit.Event) {
	t.Helper()
	for _, e := range events {
		if err := s.InsertEvent(t.Context(), e); err != nil {
			t.Fatalf("InsertEvent(%s): %v", e.ID, err)
		}
	}
}

// sameJSON compares JSON documents by meaning: a backend may store them
// normalized (PostgreSQL's jsonb reorders keys and drops spaces).
func sameJSON(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(x, y)
}

func assertSameEvent(t *testing.T, got, want audit.Event) {
	t.Helper()
	gb, wb := got.Before, want.Before
	ga, wa := got.After, want.After
	got.Before, want.Before, got.After, want.After = nil, nil, nil, nil
	if !got.Time.Equal(want.Time) {
		t.Errorf("event %s: time %v, want %v", want.ID, got.Time, want.Time)
	}
	got.Time = want.Time
	if !reflect.DeepEqual(got, want) {
		t.Errorf("event:\n got  %+v\n want %+v", got, want)
	}
	if !sameJSON(gb, wb) || !sameJSON(ga, wa) {
		t.Errorf("event %s: before/after %s / %s, want %s / %s", want.ID, gb, ga, wb, wa)
	}
}

func testEventRoundTrip(t *testing.T, s AuditStore) {
	e := newEvent(1, base)
	e.Action, e.TargetType = audit.ActionKeyUpdate, audit.TargetKey
	e.Before = json.RawMessage(`{"name": "old", "limits": {"rpm": "60"}, "tags": ["a", "b"]}`)
	e.After = json.RawMessage(`{"name":"new","limits":{"rpm":"120"},"tags":[]}`)
	bare := newEvent(2, base.Add(time.Second))
	bare.Outcome, bare.TargetID, bare.TeamID, bare.ActorRole = "permission_denied", "", "", ""
	mustEvents(t, s, e, bare)
	got, err := s.ListEvents(t.Context(), audit.EventQuery{Limit: 10})
	if err != nil || len(got) != 2 {
		t.Fatalf("ListEvents: %d events, %v", len(got), err)
	}
	assertSameEvent(t, got[1], e)
	assertSameEvent(t, got[0], bare)
	if got[0].Before != nil || got[0].After != nil {
		t.Errorf("absent before/after came back as %q / %q", got[0].Before, got[0].After)
	}
	dup := newEvent(3, base)
	dup.ID = e.ID
	if err := s.InsertEvent(t.Context(), dup); !errors.Is(err, audit.ErrAlreadyExists) {
		t.Errorf("InsertEvent(taken id): %v, want ErrAlreadyExists", err)
	}
}

func eventIDs(es []audit.Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// listEvents pages through ListEvents three at a time.
func listEvents(t *testing.T, s AuditStore, q audit.EventQuery) []audit.Event {
	t.Helper()
	var out []audit.Event
	q.Limit, q.After = 3, nil
	for page := 0; page < 1000; page++ {
		es, err := s.ListEvents(t.Context(), q)
		if err != nil {
			t.Fatalf("ListEvents: %v", err)
		}
		if len(es) == 0 {
			return out
		}
		out = append(out, es...)
		last := es[len(es)-1]
		q.After = &audit.Cursor{Time: last.Time, ID: last.ID}
	}
	t.Fatal("pagination does not terminate")
	return nil
}

func testEventOrder(t *testing.T, s AuditStore) {
	var all []audit.Event
	for i := range 10 {
		// Pairs share an instant, exercising the id tie-break.
		e := newEvent(i, base.Add(time.Duration((i*7)%10/2)*time.Microsecond))
		all = append(all, e)
	}
	mustEvents(t, s, all...)
	slices.SortFunc(all, func(a, b audit.Event) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		if b.ID < a.ID {
			return -1
		}
		return 1
	})
	if got := eventIDs(listEvents(t, s, audit.EventQuery{})); !slices.Equal(got, eventIDs(all)) {
		t.Errorf("order:\n got  %v\n want %v", got, eventIDs(all))
	}
}

func testEventFilters(t *testing.T, s AuditStore) {
	mk := func(i int, action, actor, team, targetType, targetID string) audit.Event {
		e := newEvent(i, base.Add(time.Duration(i)*time.Hour))
		e.Action, e.Actor, e.TeamID, e.TargetType, e.TargetID = action, actor, team, targetType, targetID
		return e
	}
	es := []audit.Event{
		mk(0, audit.ActionKeyCreate, "bootstrap", "team_red", audit.TargetKey, "key_a"),
		mk(1, audit.ActionKeyRevoke, "key_lead", "team_red", audit.TargetKey, "key_a"),
		mk(2, audit.ActionTeamUpdate, "bootstrap", "team_blue", audit.TargetTeam, "team_blue"),
		mk(3, audit.ActionKeyRotate, "key_lead", "team_blue", audit.TargetKey, "key_b"),
		mk(4, audit.ActionAdminKeyCreate, "bootstrap", "", audit.TargetAdminKey, "key_lead"),
	}
	mustEvents(t, s, es...)
	ids := func(idx ...int) []string {
		var out []string
		for i := len(idx) - 1; i >= 0; i-- { // newest first
			out = append(out, es[idx[i]].ID)
		}
		return out
	}
	cases := []struct {
		name string
		q    audit.EventQuery
		want []string
	}{
		{"actor", audit.EventQuery{Actor: "key_lead"}, ids(1, 3)},
		{"action", audit.EventQuery{Action: audit.ActionKeyRevoke}, ids(1)},
		{"action prefix", audit.EventQuery{Action: "key.*"}, ids(0, 1, 3)},
		{"every action", audit.EventQuery{Action: "*"}, ids(0, 1, 2, 3, 4)},
		{"team", audit.EventQuery{TeamID: "team_blue"}, ids(2, 3)},
		{"target", audit.EventQuery{TargetType: audit.TargetKey, TargetID: "key_a"}, ids(0, 1)},
		{"target type", audit.EventQuery{TargetType: audit.TargetAdminKey}, ids(4)},
		{"from is inclusive, to exclusive", audit.EventQuery{From: es[1].Time, To: es[3].Time}, ids(1, 2)},
		{"combined", audit.EventQuery{Actor: "bootstrap", Action: "team.*", TeamID: "team_blue"}, ids(2)},
		{"nothing", audit.EventQuery{Actor: "nobody"}, nil},
	}
	for _, tc := range cases {
		if got := eventIDs(listEvents(t, s, tc.q)); !slices.Equal(got, tc.want) && (len(got) != 0 || len(tc.want) != 0) {
			t.Errorf("%s:\n got  %v\n want %v", tc.name, got, tc.want)
		}
	}
}

func testEventErase(t *testing.T, s AuditStore) {
	user := newEvent(0, base)
	user.TargetType, user.TargetID, user.Action = audit.TargetUser, "user_x", audit.ActionUserCreate
	user.After = json.RawMessage(`{"name":"Ada","email":"ada@example.com"}`)
	key := newEvent(1, base.Add(time.Second))
	key.TargetID, key.Before, key.After = "key_x", json.RawMessage(`{"name":"ada's laptop"}`), json.RawMessage(`{"name":"ada's"}`)
	other := newEvent(2, base.Add(2*time.Second))
	other.TargetID, other.After = "key_y", json.RawMessage(`{"name":"keep me"}`)
	mustEvents(t, s, user, key, other)
	n, err := s.EraseEventDetails(t.Context(), []audit.Target{{Type: audit.TargetUser, ID: "user_x"}, {Type: audit.TargetKey, ID: "key_x"}})
	if err != nil || n != 2 {
		t.Fatalf("EraseEventDetails: %d, %v; want 2", n, err)
	}
	got := listEvents(t, s, audit.EventQuery{})
	byID := map[string]audit.Event{}
	for _, e := range got {
		byID[e.ID] = e
	}
	if e := byID[user.ID]; e.Before != nil || !sameJSON(e.After, audit.ErasedDetails) || e.Action != audit.ActionUserCreate {
		t.Errorf("user event after erasure: %+v", e)
	}
	if e := byID[key.ID]; !sameJSON(e.Before, audit.ErasedDetails) || !sameJSON(e.After, audit.ErasedDetails) {
		t.Errorf("key event after erasure: before %s after %s", e.Before, e.After)
	}
	if e := byID[other.ID]; !sameJSON(e.After, other.After) {
		t.Errorf("an unrelated event was erased: %s", e.After)
	}
	if n, err := s.EraseEventDetails(t.Context(), []audit.Target{{Type: audit.TargetUser, ID: "user_x"}}); err != nil || n != 0 {
		t.Errorf("second erasure changed %d events (%v); want 0", n, err)
	}
}

func newRequest(i int, at time.Time) audit.RequestRecord {
	return audit.RequestRecord{
		RequestID: fmt.Sprintf("req_%05d", i), Time: at, KeyID: "key_a", TeamID: auth.DefaultTeamID, UserID: "user_a",
		EndUser: "end-user-7", Operation: "chat", Alias: "demo", Model: "gpt-4o-mini-2024", Provider: "openai", Deployment: "primary",
		Transport: "openai", Stream: i%2 == 0, Status: audit.OutcomeOK, PromptSHA256: fmt.Sprintf("%064x", i),
		InputBytes: 1234, InputMessages: 3, InputTools: 1, InputImages: 2, OutputBytes: 567,
		InputTokens: 300, OutputTokens: 120, CostNanoUSD: 98_765, ClientAddress: "198.51.100.7", UserAgent: "openai-python/1.0",
		Latency: 1234567 * time.Microsecond, PayloadCaptured: i%3 == 0,
	}
}

func testRequestRoundTrip(t *testing.T, s AuditStore) {
	recs := []audit.RequestRecord{newRequest(1, base), newRequest(2, base.Add(time.Millisecond))}
	if err := s.WriteRequests(t.Context(), recs, nil); err != nil {
		t.Fatalf("WriteRequests: %v", err)
	}
	// A retried batch, overlapping the first, changes nothing it holds.
	changed := recs[0]
	changed.Status = "upstream"
	if err := s.WriteRequests(t.Context(), []audit.RequestRecord{changed, newRequest(3, base.Add(2*time.Millisecond))}, nil); err != nil {
		t.Fatalf("WriteRequests (retry): %v", err)
	}
	if err := s.WriteRequests(t.Context(), nil, nil); err != nil {
		t.Fatalf("WriteRequests (empty): %v", err)
	}
	got, err := s.ListRequests(t.Context(), audit.RequestQuery{Limit: 10})
	if err != nil || len(got) != 3 {
		t.Fatalf("ListRequests: %d, %v", len(got), err)
	}
	for i, want := range []audit.RequestRecord{recs[1], recs[0]} {
		g := got[i+1]
		if !g.Time.Equal(want.Time) {
			t.Errorf("%s: time %v, want %v", want.RequestID, g.Time, want.Time)
		}
		g.Time = want.Time
		if g != want {
			t.Errorf("record:\n got  %+v\n want %+v", g, want)
		}
	}
}

func requestIDs(rs []audit.RequestRecord) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.RequestID
	}
	return out
}

func testRequestFilters(t *testing.T, s AuditStore) {
	var recs []audit.RequestRecord
	for i := range 12 {
		r := newRequest(i, base.Add(time.Duration(i/2)*time.Second)) // pairs share an instant
		r.TeamID = []string{"team_red", "team_blue"}[i%2]
		r.UserID = []string{"user_a", "user_b", "user_c"}[i%3]
		r.KeyID = fmt.Sprintf("key_%d", i%4)
		r.Alias = []string{"demo", "fast"}[i%2]
		recs = append(recs, r)
	}
	if err := s.WriteRequests(t.Context(), recs, nil); err != nil {
		t.Fatal(err)
	}
	list := func(q audit.RequestQuery) []string {
		var out []audit.RequestRecord
		q.Limit = 5
		for page := 0; page < 100; page++ {
			rs, err := s.ListRequests(t.Context(), q)
			if err != nil {
				t.Fatalf("ListRequests: %v", err)
			}
			if len(rs) == 0 {
				break
			}
			out = append(out, rs...)
			last := rs[len(rs)-1]
			q.After = &audit.Cursor{Time: last.Time, ID: last.RequestID}
		}
		return requestIDs(out)
	}
	want := func(keep func(audit.RequestRecord) bool) []string {
		var out []audit.RequestRecord
		for _, r := range recs {
			if keep(r) {
				out = append(out, r)
			}
		}
		slices.SortFunc(out, func(a, b audit.RequestRecord) int {
			if c := b.Time.Compare(a.Time); c != 0 {
				return c
			}
			if b.RequestID < a.RequestID {
				return -1
			}
			return 1
		})
		return requestIDs(out)
	}
	cases := []struct {
		name string
		q    audit.RequestQuery
		keep func(audit.RequestRecord) bool
	}{
		{"all", audit.RequestQuery{}, func(audit.RequestRecord) bool { return true }},
		{"team", audit.RequestQuery{TeamID: "team_blue"}, func(r audit.RequestRecord) bool { return r.TeamID == "team_blue" }},
		{"user", audit.RequestQuery{UserID: "user_b"}, func(r audit.RequestRecord) bool { return r.UserID == "user_b" }},
		{"key", audit.RequestQuery{KeyID: "key_2"}, func(r audit.RequestRecord) bool { return r.KeyID == "key_2" }},
		{"alias", audit.RequestQuery{Alias: "fast"}, func(r audit.RequestRecord) bool { return r.Alias == "fast" }},
		{"range", audit.RequestQuery{From: base.Add(time.Second), To: base.Add(4 * time.Second)},
			func(r audit.RequestRecord) bool {
				return !r.Time.Before(base.Add(time.Second)) && r.Time.Before(base.Add(4*time.Second))
			}},
	}
	for _, tc := range cases {
		if got, w := list(tc.q), want(tc.keep); !slices.Equal(got, w) {
			t.Errorf("%s:\n got  %v\n want %v", tc.name, got, w)
		}
	}
}

func newPayload(i int, at time.Time, team, user string) audit.Payload {
	return audit.Payload{
		RequestID: fmt.Sprintf("req_%05d", i), Time: at, KeyID: "key_a", TeamID: team, UserID: user,
		Request:  []byte(fmt.Sprintf(`{"operation":"chat","model":"demo","messages":[{"role":"user","content":"hello %d [EMAIL]"}]}`, i)),
		Response: []byte(`{"model":"m","usage":{"input_tokens":1,"output_tokens":2}}`),
	}
}

func testPayloads(t *testing.T, s AuditStore) {
	ps := []audit.Payload{newPayload(1, base, "team_red", "user_a"), newPayload(2, base.Add(time.Second), "team_red", "user_b"),
		newPayload(3, base.Add(2*time.Second), "team_blue", "user_a")}
	if err := s.WriteRequests(t.Context(), []audit.RequestRecord{newRequest(1, base)}, ps); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteRequests(t.Context(), nil, ps[:1]); err != nil {
		t.Fatalf("rewriting a payload: %v", err)
	}
	got, err := s.ListPayloads(t.Context(), audit.PayloadQuery{Limit: 10, UserID: "user_a"})
	if err != nil || len(got) != 2 {
		t.Fatalf("ListPayloads(user_a): %d, %v", len(got), err)
	}
	if got[0].RequestID != ps[2].RequestID || got[1].RequestID != ps[0].RequestID {
		t.Errorf("order: %s, %s", got[0].RequestID, got[1].RequestID)
	}
	g := got[1]
	if !g.Time.Equal(ps[0].Time) || g.TeamID != "team_red" || g.KeyID != "key_a" || !bytes.Equal(g.Request, ps[0].Request) || !bytes.Equal(g.Response, ps[0].Response) {
		t.Errorf("payload round trip:\n got  %+v\n want %+v", g, ps[0])
	}
	page, err := s.ListPayloads(t.Context(), audit.PayloadQuery{Limit: 1, TeamID: "team_red", After: &audit.Cursor{Time: ps[1].Time, ID: ps[1].RequestID}})
	if err != nil || len(page) != 1 || page[0].RequestID != ps[0].RequestID {
		t.Errorf("ListPayloads(team_red, after the newest): %v, %v", page, err)
	}
}

func testDeleteUserRequests(t *testing.T, s AuditStore) {
	a1, a2, b := newRequest(1, base), newRequest(2, base), newRequest(3, base)
	b.UserID = "user_b"
	ps := []audit.Payload{newPayload(1, base, "t", "user_a"), newPayload(3, base, "t", "user_b")}
	if err := s.WriteRequests(t.Context(), []audit.RequestRecord{a1, a2, b}, ps); err != nil {
		t.Fatal(err)
	}
	records, payloads, err := s.DeleteUserRequests(t.Context(), "user_a")
	if err != nil || records != 2 || payloads != 1 {
		t.Fatalf("DeleteUserRequests: %d records, %d payloads, %v; want 2, 1", records, payloads, err)
	}
	left, _ := s.ListRequests(t.Context(), audit.RequestQuery{Limit: 10})
	leftPayloads, _ := s.ListPayloads(t.Context(), audit.PayloadQuery{Limit: 10})
	if len(left) != 1 || left[0].UserID != "user_b" || len(leftPayloads) != 1 || leftPayloads[0].UserID != "user_b" {
		t.Errorf("left: %v, %v", requestIDs(left), leftPayloads)
	}
	if records, payloads, err := s.DeleteUserRequests(t.Context(), "user_a"); err != nil || records != 0 || payloads != 0 {
		t.Errorf("second DeleteUserRequests: %d, %d, %v", records, payloads, err)
	}
}

func testDeleteExpired(t *testing.T, s AuditStore) {
	now := base.Add(100 * 24 * time.Hour)
	day := 24 * time.Hour
	short := mustTeam(t, s, "short retention", base)
	seven := 7
	if _, err := s.UpdateTeam(t.Context(), auth.TeamUpdate{ID: short.ID, PayloadRetentionDays: &seven, UpdatedAt: base}); err != nil {
		t.Fatal(err)
	}
	recs := []audit.RequestRecord{newRequest(1, now.Add(-91*day)), newRequest(2, now.Add(-89*day)), newRequest(3, now.Add(-95*day))}
	ps := []audit.Payload{
		newPayload(10, now.Add(-8*day), short.ID, "u"),              // past the team's 7 days
		newPayload(11, now.Add(-6*day), short.ID, "u"),              // within them
		newPayload(12, now.Add(-31*day), auth.DefaultTeamID, "u"),   // past the default 30 days
		newPayload(13, now.Add(-29*day), auth.DefaultTeamID, "u"),   // within them
		newPayload(14, now.Add(-31*day), "team_gone000000000", "u"), // a deleted team: the default
	}
	if err := s.WriteRequests(t.Context(), recs, ps); err != nil {
		t.Fatal(err)
	}
	q := audit.ExpiryQuery{RecordsBefore: now.Add(-90 * day), Now: now, DefaultPayloadRetentionDays: 30, Limit: 1}
	records, payloads, err := s.DeleteExpired(t.Context(), q)
	if err != nil || records != 1 || payloads != 1 {
		t.Fatalf("DeleteExpired(limit 1): %d, %d, %v; want 1, 1", records, payloads, err)
	}
	q.Limit = 100
	records, payloads, err = s.DeleteExpired(t.Context(), q)
	if err != nil || records != 1 || payloads != 2 {
		t.Fatalf("DeleteExpired: %d, %d, %v; want 1, 2", records, payloads, err)
	}
	left, _ := s.ListRequests(t.Context(), audit.RequestQuery{Limit: 10})
	if got := requestIDs(left); !slices.Equal(got, []string{"req_00002"}) {
		t.Errorf("records left: %v", got)
	}
	leftPayloads, _ := s.ListPayloads(t.Context(), audit.PayloadQuery{Limit: 10})
	var got []string
	for _, p := range leftPayloads {
		got = append(got, p.RequestID)
	}
	if !slices.Equal(got, []string{"req_00011", "req_00013"}) {
		t.Errorf("payloads left: %v", got)
	}
	// Zero bounds delete nothing.
	if records, payloads, err := s.DeleteExpired(t.Context(), audit.ExpiryQuery{Limit: 100}); err != nil || records != 0 || payloads != 0 {
		t.Errorf("DeleteExpired(nothing): %d, %d, %v", records, payloads, err)
	}
}
