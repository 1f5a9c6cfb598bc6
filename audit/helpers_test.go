package audit_test

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// openStore opens a real SQLite store in a temporary directory: the audit
// trail is tested against the store it runs on.
func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 6, 1, 12, 0, 0, 123456000, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// runLog runs a RequestLog's writer for the test.
func runLog(t *testing.T, l *audit.RequestLog) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

func flush(t *testing.T, l *audit.RequestLog) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := l.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

var testServerSecret = bytes.Repeat([]byte{0x5b}, 32)

// tenancy is a team with a user and a key of that user.
type tenancy struct {
	keys   *auth.Keys
	teams  *auth.Teams
	users  *auth.Users
	team   auth.Team
	user   auth.User
	key    auth.Key
	secret string
}

func newTenancy(t *testing.T, st *sqlite.Store) tenancy {
	t.Helper()
	ctx := t.Context()
	tn := tenancy{keys: auth.NewKeys(st, testServerSecret), teams: auth.NewTeams(st, nil), users: auth.NewUsers(st, nil)}
	var err error
	if tn.team, err = tn.teams.Create(ctx, "red"); err != nil {
		t.Fatal(err)
	}
	if tn.user, err = tn.users.Create(ctx, auth.CreateUserParams{TeamID: tn.team.ID, Name: "Ada Lovelace", Email: "ada@example.com"}); err != nil {
		t.Fatal(err)
	}
	if tn.key, tn.secret, err = tn.keys.Create(ctx, auth.CreateKeyParams{Name: "ada's laptop", UserID: tn.user.ID}); err != nil {
		t.Fatal(err)
	}
	return tn
}

func (tn tenancy) principal() *auth.Principal {
	return &auth.Principal{KeyID: tn.key.ID, TeamID: tn.team.ID, UserID: tn.user.ID}
}
