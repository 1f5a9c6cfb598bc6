package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/audit/redact"
	"github.com/switchboard-gw/switchboard/internal/pagetoken"
	"github.com/switchboard-gw/switchboard/llm"
)

// recordTimeout bounds the write of one event. The write is detached from
// the caller's cancellation: an admin who hangs up right after a change
// must not keep it out of the trail.
const recordTimeout = 10 * time.Second

// Trail records admin actions and lists them. It is safe for concurrent
// use.
type Trail struct {
	store EventStore
	now   func() time.Time
}

// NewTrail returns a Trail over store; now may be nil (time.Now).
func NewTrail(store EventStore, now func() time.Time) *Trail {
	if store == nil {
		panic("audit.NewTrail: nil EventStore")
	}
	if now == nil {
		now = time.Now
	}
	return &Trail{store: store, now: now}
}

// Record appends e to the trail and returns it as stored, with its ID and
// Time filled in when they were empty. Before and After must be JSON
// objects (or empty); any secret in them (an API key, an AWS key id, a
// bearer token) is replaced by its placeholder before they are stored, so
// a mistake upstream cannot put one in the trail.
func (t *Trail) Record(ctx context.Context, e Event) (Event, error) {
	if e.Action == "" || e.Actor == "" || e.Outcome == "" {
		return Event{}, fmt.Errorf("audit: an event needs an action, an actor and an outcome (got %q, %q, %q)", e.Action, e.Actor, e.Outcome)
	}
	var err error
	if e.Before, err = cleanDetails("before", e.Before); err != nil {
		return Event{}, err
	}
	if e.After, err = cleanDetails("after", e.After); err != nil {
		return Event{}, err
	}
	if e.Time.IsZero() {
		e.Time = t.now()
	}
	e.Time = storedTime(e.Time)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	generated := e.ID == ""
	for range 3 {
		if generated {
			e.ID = NewEventID()
		}
		err = t.store.InsertEvent(ctx, e)
		if !generated || !errors.Is(err, ErrAlreadyExists) {
			break
		}
	}
	if err != nil {
		return Event{}, fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return e, nil
}

func cleanDetails(field string, raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("audit: event %s is not a JSON object: %w", field, err)
	}
	return json.RawMessage(redact.Secrets(string(raw))), nil
}

// storedTime is the time as stores keep it: UTC, to the microsecond.
func storedTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// ListEventsParams pages through the trail. Every filter that is set must
// match.
type ListEventsParams struct {
	PageSize  int
	PageToken string
	// From and To bound the events' time to [From, To); zero is open.
	From, To time.Time
	// Actor is an admin key id or "bootstrap".
	Actor string
	// Action matches exactly, or as a prefix when it ends with "*".
	Action     string
	TargetType string
	TargetID   string
	TeamID     string
}

// List returns a page of events, newest first, and the token of the next
// page ("" on the last one). Errors are *llm.Error.
func (t *Trail) List(ctx context.Context, p ListEventsParams) ([]Event, string, error) {
	size, verr := pageSize(p.PageSize)
	if verr != nil {
		return nil, "", verr
	}
	if !p.From.IsZero() && !p.To.IsZero() && !p.From.Before(p.To) {
		return nil, "", invalidParam("end_time", "end_time must be after start_time")
	}
	if strings.Count(p.Action, "*") > 1 || strings.Contains(strings.TrimSuffix(p.Action, "*"), "*") {
		return nil, "", invalidParam("action", `action: "*" is only allowed at the end, as a prefix wildcard ("key.*")`)
	}
	filter := strings.Join([]string{fmtTime(p.From), fmtTime(p.To), p.Actor, p.Action, p.TargetType, p.TargetID, p.TeamID}, "|")
	after, verr := decodePageToken(p.PageToken, listingEvents, filter)
	if verr != nil {
		return nil, "", verr
	}
	events, err := t.store.ListEvents(ctx, EventQuery{
		Limit: size + 1, After: after, From: storedTime(p.From), To: storedTime(p.To),
		Actor: p.Actor, Action: p.Action, TargetType: p.TargetType, TargetID: p.TargetID, TeamID: p.TeamID,
	})
	if err != nil {
		return nil, "", storeError(err)
	}
	events, next := pagetoken.Next(pageTokens, events, size, listingEvents, filter, func(e Event) pagetoken.Position { return pagetoken.Position{Time: e.Time, ID: e.ID} })
	return events, next, nil
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// OutcomeOf is the Outcome of an action that ended with err.
func OutcomeOf(err error) string {
	if err == nil {
		return OutcomeOK
	}
	return llm.KindOf(err).String()
}
