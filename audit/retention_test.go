package audit_test

import (
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
)

func TestSweeperDeletesWhatOutlivedItsRetention(t *testing.T) {
	st := openStore(t)
	clock := newFakeClock()
	ctx := t.Context()
	teams := auth.NewTeams(st, nil)
	short, err := teams.Create(ctx, "short")
	if err != nil {
		t.Fatal(err)
	}
	three := 3
	if _, err := teams.Update(ctx, auth.UpdateTeamParams{ID: short.ID, PayloadRetentionDays: &three}); err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	start := clock.Now()
	var recs []audit.RequestRecord
	var payloads []audit.Payload
	for i := range 12 { // one a day for 12 days, alternating teams
		team := auth.DefaultTeamID
		if i%2 == 1 {
			team = short.ID
		}
		id := "req_" + string(rune('a'+i))
		at := start.Add(time.Duration(i) * day)
		recs = append(recs, audit.RequestRecord{RequestID: id, Time: at, TeamID: team})
		payloads = append(payloads, audit.Payload{RequestID: id, Time: at, TeamID: team, Request: []byte(`{}`), Response: []byte(`{}`)})
	}
	if err := st.WriteRequests(ctx, recs, payloads); err != nil {
		t.Fatal(err)
	}
	sweeper := audit.NewSweeper(st, audit.SweeperOptions{RequestRetention: 10 * day, PayloadRetention: 5 * day, Batch: 2, Now: clock.Now})
	clock.Advance(12 * day) // now: 12 days after the first record

	swept, err := sweeper.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Records: days 0 and 1 are more than 10 days old. Payloads: the
	// default team's (5 days) on days 0, 2, 4, 6; the short team's (3
	// days) on days 1, 3, 5, 7.
	if swept.Records != 2 || swept.Payloads != 8 {
		t.Errorf("swept %+v, want 2 records and 8 payloads", swept)
	}
	if again, _ := sweeper.Sweep(ctx); again != (audit.Swept{}) {
		t.Errorf("a second sweep deleted %+v", again)
	}
	left, _ := st.ListPayloads(ctx, audit.PayloadQuery{Limit: 100})
	if len(left) != 4 {
		t.Errorf("%d payloads left, want 4 (days 8 to 11)", len(left))
	}
	// A negative retention keeps records for ever.
	clock.Advance(365 * day)
	forever := audit.NewSweeper(st, audit.SweeperOptions{RequestRetention: -1, Now: clock.Now})
	if swept, _ := forever.Sweep(ctx); swept.Records != 0 || swept.Payloads != 4 {
		t.Errorf("sweep with records kept for ever: %+v", swept)
	}
}
