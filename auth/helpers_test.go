package auth_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// quietLogger drops the outage warnings that tests provoke on purpose.
var quietLogger = slog.New(slog.DiscardHandler)

// testServerSecret is a fixed 32-byte HMAC key for tests.
var testServerSecret = bytes.Repeat([]byte{0x5b}, 32)

// fakeClock is a settable clock for expiry and cache-TTL tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 5, 1, 12, 0, 0, 123456789, time.UTC)}
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

// openSQLite opens a real SQLite store in a temporary directory.
func openSQLite(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// observedStore wraps a real store to count hash lookups and, on demand,
// make them (failing) or every call (unreachable) fail the way an
// unreachable database would.
type observedStore struct {
	auth.Store
	hashLookups atomic.Int64
	failing     atomic.Bool
	unreachable atomic.Bool
}

var errStoreDown = errors.New("connection refused")

func (s *observedStore) down() error {
	if s.unreachable.Load() {
		return errStoreDown
	}
	return nil
}

func (s *observedStore) KeyByHash(ctx context.Context, hash []byte) (auth.KeyMatch, error) {
	s.hashLookups.Add(1)
	if s.failing.Load() || s.unreachable.Load() {
		return auth.KeyMatch{}, errStoreDown
	}
	if err := s.down(); err != nil {
		return auth.KeyMatch{}, err
	}
	return s.Store.KeyByHash(ctx, hash)
}

func (s *observedStore) KeyByID(ctx context.Context, id string) (auth.KeyRecord, error) {
	if err := s.down(); err != nil {
		return auth.KeyRecord{}, err
	}
	return s.Store.KeyByID(ctx, id)
}

func (s *observedStore) InsertKey(ctx context.Context, k auth.KeyRecord) error {
	if err := s.down(); err != nil {
		return err
	}
	return s.Store.InsertKey(ctx, k)
}

func (s *observedStore) RevokeKey(ctx context.Context, id string, at time.Time) (auth.KeyRecord, error) {
	if err := s.down(); err != nil {
		return auth.KeyRecord{}, err
	}
	return s.Store.RevokeKey(ctx, id, at)
}

func (s *observedStore) RecordKeyUsage(ctx context.Context, usage []auth.KeyUsage) error {
	if err := s.down(); err != nil {
		return err
	}
	return s.Store.RecordKeyUsage(ctx, usage)
}

// newKeys returns Keys over a fresh SQLite store (observed) and a fake clock.
func newKeys(t testing.TB, opts ...auth.KeysOption) (*auth.Keys, *observedStore, *fakeClock) {
	t.Helper()
	store := &observedStore{Store: openSQLite(t)}
	clock := newFakeClock()
	keys := auth.NewKeys(store, testServerSecret, append([]auth.KeysOption{auth.WithClock(clock.Now), auth.WithLogger(quietLogger)}, opts...)...)
	return keys, store, clock
}

func mustCreate(t testing.TB, keys *auth.Keys, p auth.CreateKeyParams) (auth.Key, string) {
	t.Helper()
	key, secret, err := keys.Create(context.Background(), p)
	if err != nil {
		t.Fatalf("Create(%+v): %v", p, err)
	}
	return key, secret
}

// assertError checks that err is an *llm.Error of the kind, with errors.Is
// matching cause when cause is non-nil.
func assertError(t *testing.T, err error, kind llm.Kind, cause error) *llm.Error {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want *llm.Error of kind %v", err, err, kind)
	}
	if e.Kind != kind {
		t.Errorf("kind %v (%q), want %v", e.Kind, e.Message, kind)
	}
	if cause != nil && !errors.Is(err, cause) {
		t.Errorf("error %q does not wrap %v", e.Message, cause)
	}
	return e
}

// slowStore answers KeyByHash only after delay, or when ctx ends.
type slowStore struct {
	auth.Store
	delay time.Duration
}

var errSlow = errors.New("slow store")

func (s *slowStore) KeyByHash(ctx context.Context, hash []byte) (auth.KeyMatch, error) {
	select {
	case <-time.After(s.delay):
		return s.Store.KeyByHash(ctx, hash)
	case <-ctx.Done():
		return auth.KeyMatch{}, errors.Join(errSlow, ctx.Err())
	}
}
