package auth_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

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
// make them fail the way an unreachable database would.
type observedStore struct {
	auth.KeyStore
	hashLookups atomic.Int64
	failing     atomic.Bool
}

var errStoreDown = errors.New("connection refused")

func (s *observedStore) KeyByHash(ctx context.Context, hash []byte) (auth.KeyRecord, error) {
	s.hashLookups.Add(1)
	if s.failing.Load() {
		return auth.KeyRecord{}, errStoreDown
	}
	return s.KeyStore.KeyByHash(ctx, hash)
}

// newKeys returns Keys over a fresh SQLite store (observed) and a fake clock.
func newKeys(t testing.TB, opts ...auth.KeysOption) (*auth.Keys, *observedStore, *fakeClock) {
	t.Helper()
	store := &observedStore{KeyStore: openSQLite(t)}
	clock := newFakeClock()
	keys := auth.NewKeys(store, testServerSecret, append([]auth.KeysOption{auth.WithClock(clock.Now)}, opts...)...)
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
