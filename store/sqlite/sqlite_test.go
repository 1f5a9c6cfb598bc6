package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/store/sqlite"
	"github.com/switchboard-gw/switchboard/store/storetest"
)

func openStore(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) auth.Store {
		return openStore(t, filepath.Join(t.TempDir(), "switchboard.db"))
	})
}

func TestOpenCreatesPrivateDirectoryAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	path := filepath.Join(dir, "switchboard.db")
	insertOne(t, openStore(t, path)) // a write creates the -wal file

	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatalf("stat %s: %v", p, err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", p, got, want)
		}
	}
}

func TestOpenHandlesPathsThatLookLikeURIParameters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd?name#with%chars.db")
	s := openStore(t, path)
	insertOne(t, s)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the given path: %v", err)
	}
}

func TestMigrationsAreAppliedOnceAndDataSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "switchboard.db")
	first, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	rec := insertOne(t, first)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := openStore(t, path)
	got, err := second.KeyByID(t.Context(), rec.ID)
	if err != nil {
		t.Fatalf("key lost across reopen: %v", err)
	}
	if got.Name != rec.Name {
		t.Errorf("name %q, want %q", got.Name, rec.Name)
	}

	db := rawDB(t, path)
	var applied, distinct int
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&applied, &distinct); err != nil {
		t.Fatal(err)
	}
	if applied == 0 || applied != distinct {
		t.Errorf("schema_migrations has %d rows, %d distinct versions", applied, distinct)
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode %q, want wal", mode)
	}
}

func TestConcurrentOpensOfANewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "switchboard.db")
	const n = 4
	var wg sync.WaitGroup
	stores := make([]*sqlite.Store, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = sqlite.Open(context.Background(), path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Open #%d: %v", i, errs[i])
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	// Two stores on one file write concurrently: the busy timeout, not luck,
	// keeps SQLITE_BUSY away.
	var writers sync.WaitGroup
	failures := make(chan error, 2*50)
	for _, s := range stores[:2] {
		writers.Go(func() {
			for range 50 {
				if err := s.InsertKey(context.Background(), record(fmt.Sprint("k"), time.Now())); err != nil {
					failures <- err
				}
			}
		})
	}
	writers.Wait()
	close(failures)
	for err := range failures {
		t.Error(err)
	}
}

func TestOpenRefusesASchemaNewerThanTheBinary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "switchboard.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, path)
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := sqlite.Open(t.Context(), path); err == nil {
		s.Close()
		t.Fatal("Open accepted a database migrated by a newer binary")
	}
}

func TestClosedStoreFailsWithoutNotFound(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	rec := insertOne(t, s)
	s.Close()
	if _, err := s.KeyByHash(t.Context(), rec.Hash); err == nil || errors.Is(err, auth.ErrNotFound) {
		t.Errorf("KeyByHash on a closed store: got %v, want a store failure", err)
	}
}

func record(name string, created time.Time) auth.KeyRecord {
	hash := make([]byte, 32)
	copy(hash, auth.NewKeyID()) // unique enough for a hash in these tests
	return auth.KeyRecord{
		ID:           auth.NewKeyID(),
		Name:         name,
		Hash:         hash,
		TeamID:       auth.DefaultTeamID,
		SecretPrefix: "sk-sb-test",
		CreatedAt:    created.UTC().Truncate(time.Microsecond),
		UpdatedAt:    created.UTC().Truncate(time.Microsecond),
	}
}

func insertOne(t *testing.T, s *sqlite.Store) auth.KeyRecord {
	t.Helper()
	rec := record("one", time.Now())
	if err := s.InsertKey(t.Context(), rec); err != nil {
		t.Fatalf("InsertKey: %v", err)
	}
	return rec
}

func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestAuditConformance(t *testing.T) {
	storetest.RunAudit(t, func(t *testing.T) storetest.AuditStore {
		return openStore(t, filepath.Join(t.TempDir(), "switchboard.db"))
	})
}
