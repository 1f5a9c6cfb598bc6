package audit

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
)

// teamSettings caches each team's payload capture switch, so that the
// request path asks the store at most once per team per TTL. An entry
// past its TTL is still used while one goroutine refreshes it in the
// background; only a team never seen waits for the store, bounded by
// lookupTimeout. When the store cannot answer, capture is off for that
// team until the next try: a payload is never captured without a yes.
type teamSettings struct {
	store  auth.TeamStore
	ttl    time.Duration
	logger *slog.Logger

	mu      sync.Mutex
	entries map[string]*teamEntry
}

type teamEntry struct {
	capture    bool
	freshUntil time.Time
	refreshing bool
}

const (
	lookupTimeout = time.Second
	// failedLookupTTL is how soon a team whose settings could not be read
	// is asked again.
	failedLookupTTL = 5 * time.Second
	// maxTeamEntries bounds the cache; past it, it starts over.
	maxTeamEntries = 10_000
)

func (t *teamSettings) capture(ctx context.Context, teamID string, now time.Time) bool {
	if t.store == nil || teamID == "" {
		return false
	}
	t.mu.Lock()
	e, ok := t.entries[teamID]
	switch {
	case ok && now.Before(e.freshUntil):
		on := e.capture
		t.mu.Unlock()
		return on
	case ok:
		on := e.capture
		if !e.refreshing {
			e.refreshing = true
			go t.refresh(context.WithoutCancel(ctx), teamID)
		}
		t.mu.Unlock()
		return on
	}
	t.mu.Unlock()
	return t.refresh(ctx, teamID)
}

// refresh reads a team's settings and caches them.
func (t *teamSettings) refresh(ctx context.Context, teamID string) bool {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	rec, err := t.store.TeamByID(ctx, teamID)
	ttl := t.ttl
	if err != nil {
		// A deleted team captures nothing; a failing store is asked again
		// soon.
		rec = auth.TeamRecord{}
		if ctx.Err() != nil || !isNotFound(err) {
			ttl = failedLookupTTL
			t.logger.Warn("audit: cannot read a team's payload capture setting; not capturing its payloads until it can", "team_id", teamID, "error", err)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.entries == nil || len(t.entries) >= maxTeamEntries {
		t.entries = map[string]*teamEntry{}
	}
	t.entries[teamID] = &teamEntry{capture: rec.PayloadCapture, freshUntil: time.Now().Add(ttl)}
	return rec.PayloadCapture
}

// forget drops a team's cached settings, so the next request reads them.
func (t *teamSettings) forget(teamID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, teamID)
}
