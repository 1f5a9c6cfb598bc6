package audit_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/llm"
)

func TestRecordFillsIDAndTimeAndScrubsSecrets(t *testing.T) {
	st := openStore(t)
	clock := newFakeClock()
	trail := audit.NewTrail(st, clock.Now)
	secret := "sk-sb-4fJ9kLmN0pQrStUvWxYz0123456789ABCDEFabc"
	ev, err := trail.Record(t.Context(), audit.Event{
		Actor: audit.ActorBootstrap, ActorRole: "admin", Action: audit.ActionKeyCreate, TargetType: audit.TargetKey, TargetID: "key_x",
		After:   json.RawMessage(`{"name":"k","secret_prefix":"sk-sb-AbC1","note":"` + secret + `"}`),
		Outcome: audit.OutcomeOK,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ev.ID, "evt_") || len(ev.ID) != 20 || !ev.Time.Equal(clock.Now().Truncate(time.Microsecond)) {
		t.Errorf("recorded %s at %v", ev.ID, ev.Time)
	}
	events, _, err := trail.List(t.Context(), audit.ListEventsParams{})
	if err != nil || len(events) != 1 {
		t.Fatalf("List: %v, %v", events, err)
	}
	after := string(events[0].After)
	if strings.Contains(after, secret) || !strings.Contains(after, "[API_KEY]") || !strings.Contains(after, "sk-sb-AbC1") {
		t.Errorf("after as stored: %s (the secret must go, the display prefix stay)", after)
	}
}

func TestRecordRefusesIncompleteEvents(t *testing.T) {
	trail := audit.NewTrail(openStore(t), nil)
	for _, ev := range []audit.Event{
		{Action: audit.ActionKeyCreate, Outcome: audit.OutcomeOK},                                                     // no actor
		{Actor: "bootstrap", Action: audit.ActionKeyCreate, Outcome: audit.OutcomeOK, Before: json.RawMessage(`[1]`)}, // not an object
	} {
		if _, err := trail.Record(t.Context(), ev); err == nil {
			t.Errorf("Record(%+v) succeeded", ev)
		}
	}
}

func TestListPagesWithTokensBoundToTheirFilters(t *testing.T) {
	st := openStore(t)
	clock := newFakeClock()
	trail := audit.NewTrail(st, clock.Now)
	for i := range 7 {
		action := audit.ActionKeyRevoke
		if i%2 == 0 {
			action = audit.ActionTeamUpdate
		}
		clock.Advance(time.Second)
		if _, err := trail.Record(t.Context(), audit.Event{Actor: audit.ActorBootstrap, Action: action, Outcome: audit.OutcomeOK}); err != nil {
			t.Fatal(err)
		}
	}
	var got []audit.Event
	p := audit.ListEventsParams{PageSize: 2, Action: "team.*"}
	for pages := 0; ; pages++ {
		page, next, err := trail.List(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		p.PageToken = next
	}
	if len(got) != 4 {
		t.Fatalf("%d team events, want 4", len(got))
	}
	for i := 1; i < len(got); i++ {
		if !got[i].Time.Before(got[i-1].Time) {
			t.Errorf("not newest first: %v after %v", got[i].Time, got[i-1].Time)
		}
	}
	_, next, _ := trail.List(t.Context(), audit.ListEventsParams{PageSize: 1})
	_, _, err := trail.List(t.Context(), audit.ListEventsParams{PageSize: 1, PageToken: next, Actor: "someone"})
	if llm.KindOf(err) != llm.KindInvalidRequest {
		t.Errorf("a token used with other filters: %v", err)
	}
	for _, bad := range []audit.ListEventsParams{
		{PageToken: "garbage"},
		{PageSize: -1},
		{Action: "key.*.x*"},
		{From: clock.Now(), To: clock.Now().Add(-time.Hour)},
	} {
		if _, _, err := trail.List(t.Context(), bad); llm.KindOf(err) != llm.KindInvalidRequest {
			t.Errorf("List(%+v): %v, want invalid_request", bad, err)
		}
	}
}

func TestOutcomeOf(t *testing.T) {
	if audit.OutcomeOf(nil) != "ok" || audit.OutcomeOf(&llm.Error{Kind: llm.KindPermissionDenied}) != "permission_denied" ||
		audit.OutcomeOf(errors.New("boom")) != "internal" {
		t.Error("OutcomeOf names outcomes wrongly")
	}
}
