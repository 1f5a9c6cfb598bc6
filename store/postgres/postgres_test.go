package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/store/postgres"
	"github.com/switchboard-gw/switchboard/store/postgres/pgtest"
	"github.com/switchboard-gw/switchboard/store/storetest"
)

func open(t *testing.T, dsn string, migrate bool) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), postgres.Options{DSN: dsn, Migrate: migrate, MaxConns: 4})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStoreConformance(t *testing.T) {
	pgtest.DSN(t) // skip once, not in every subtest
	storetest.Run(t, func(t *testing.T) auth.Store {
		return open(t, pgtest.NewSchema(t), true)
	})
}

func TestOpenWithoutMigratingRefusesAnOldSchema(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	_, err := postgres.Open(t.Context(), postgres.Options{DSN: dsn})
	if err == nil || !strings.Contains(err.Error(), "switchboard migrate") {
		t.Fatalf("Open on an empty schema without migrating: %v, want advice to run switchboard migrate", err)
	}
	s := open(t, dsn, true)
	again, err := s.Migrate(t.Context())
	if err != nil || len(again) != 0 {
		t.Errorf("second Migrate applied %v (%v), want nothing", again, err)
	}
	open(t, dsn, false) // current schema: fine
}

func TestConcurrentMigrationsApplyEachOnce(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			s, err := postgres.Open(context.Background(), postgres.Options{DSN: dsn, Migrate: true, MaxConns: 2})
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open #%d: %v", i, err)
		}
	}
	current, known, err := open(t, dsn, false).SchemaVersion(t.Context())
	if err != nil || current != known {
		t.Errorf("schema version %d of %d (%v)", current, known, err)
	}
}

func TestBadDSNErrorDoesNotRepeatIt(t *testing.T) {
	const dsn = "postgres://user:hunter2-secret@127.0.0.1:1/db?sslmode=bogus&x=%zz"
	_, err := postgres.Open(t.Context(), postgres.Options{DSN: dsn})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Open(bad DSN): %v", err)
	}
}

func TestAuditConformance(t *testing.T) {
	pgtest.DSN(t)
	storetest.RunAudit(t, func(t *testing.T) storetest.AuditStore {
		return open(t, pgtest.NewSchema(t), true)
	})
}
