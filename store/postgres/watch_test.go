package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/store/postgres"
	"github.com/switchboard-gw/switchboard/store/postgres/pgtest"
)

// watch runs WatchKeyChanges on s until the test ends and returns the
// changes it delivers.
func watch(t *testing.T, s *postgres.Store) <-chan auth.KeyChange {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	changes := make(chan auth.KeyChange, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.WatchKeyChanges(ctx, func(c auth.KeyChange) { changes <- c })
	}()
	t.Cleanup(func() { cancel(); <-done })
	return changes
}

// next waits for the next change whose key is id (or a resync when id is
// ""), skipping others: the channel is shared by every schema on the
// server, so other tests' changes may arrive too.
func next(t *testing.T, changes <-chan auth.KeyChange, id string) auth.KeyChange {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case c := <-changes:
			if (id == "" && c.Resync) || (id != "" && c.KeyID == id) {
				return c
			}
		case <-deadline:
			t.Fatalf("no change for key %q announced within 30 s", id)
		}
	}
}

// insertKey inserts a key, retrying for a while: right after a database
// restart the pool may hand out a connection that died with the server.
func insertKey(t *testing.T, s *postgres.Store) auth.KeyRecord {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	hash := make([]byte, 32)
	copy(hash, auth.NewKeyID())
	rec := auth.KeyRecord{ID: auth.NewKeyID(), Name: "watched", TeamID: auth.DefaultTeamID, Hash: hash,
		SecretPrefix: "sk-sb-test", CreatedAt: now, UpdatedAt: now}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := s.InsertKey(t.Context(), rec)
		if err == nil {
			return rec
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestChangesMadeThroughOneStoreAreAnnouncedToAnother(t *testing.T) {
	dsn := pgtest.NewSchema(t)
	writer, watcher := open(t, dsn, true), open(t, dsn, false)
	changes := watch(t, watcher)
	next(t, changes, "") // listening

	rec := insertKey(t, writer)
	name := "renamed"
	if _, err := writer.UpdateKey(t.Context(), auth.KeyUpdate{ID: rec.ID, Name: &name, UpdatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	if c := next(t, changes, rec.ID); c.Revoked {
		t.Errorf("an update was announced as a revocation: %+v", c)
	}
	// Usage is not announced: the next announcement of the key is the
	// revocation.
	if err := writer.RecordKeyUsage(t.Context(), []auth.KeyUsage{{KeyID: rec.ID, UsedAt: time.Now().UTC()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.RevokeKey(t.Context(), rec.ID, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if c := next(t, changes, rec.ID); !c.Revoked {
		t.Errorf("revocation announced as %+v, want Revoked", c)
	}
}

func TestWatcherReconnectsAfterARestartAndAsksForAResync(t *testing.T) {
	srv := pgtest.StartServer(t)
	s := open(t, srv.DSN, true)
	changes := watch(t, s)
	next(t, changes, "")

	srv.Stop(t)
	srv.Start(t)
	next(t, changes, "") // reconnected: whatever was announced meanwhile is lost

	// The pool's connections died with the server: the first statements
	// may fail until it has replaced them.
	rec := insertKey(t, s)
	if _, err := s.RevokeKey(t.Context(), rec.ID, time.Now().UTC()); err != nil {
		t.Fatalf("RevokeKey after the restart: %v", err)
	}
	if c := next(t, changes, rec.ID); !c.Revoked {
		t.Errorf("after reconnecting: %+v", c)
	}
}
