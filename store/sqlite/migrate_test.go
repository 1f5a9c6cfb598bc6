package sqlite_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// TestKeysOfTheFirstSchemaJoinTheDefaultTeam builds a database as the first
// release left it (migration 1 only, with keys) and opens it: every key
// survives, in the default team, and keeps verifying.
func TestKeysOfTheFirstSchemaJoinTheDefaultTeam(t *testing.T) {
	path := filepath.Join(t.TempDir(), "switchboard.db")
	db := rawDB(t, path)
	for _, stmt := range []string{
		`CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`,
		`INSERT INTO schema_migrations VALUES (1, '0001_virtual_keys.sql', 0)`,
		`CREATE TABLE virtual_keys (id TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, secret_hash BLOB NOT NULL UNIQUE,
			secret_prefix TEXT NOT NULL, allowed_models TEXT NOT NULL DEFAULT '[]', created_at INTEGER NOT NULL,
			expires_at INTEGER, revoked_at INTEGER) STRICT`,
		`INSERT INTO virtual_keys VALUES ('key_AAAAAAAAAAAAAAAA', 'old one', x'0102', 'sk-sb-AAAA', '["demo"]', 1700000000000000, NULL, NULL)`,
		`INSERT INTO virtual_keys VALUES ('key_BBBBBBBBBBBBBBBB', 'old revoked', x'0304', 'sk-sb-BBBB', '[]', 1700000000000001, 1800000000000000, 1700000000000002)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", strings.Fields(stmt)[0], err)
		}
	}
	db.Close()

	// Without migrating, the old schema is refused with advice.
	if s, err := sqlite.Open(t.Context(), path, sqlite.WithoutMigrations()); err == nil || !strings.Contains(err.Error(), "switchboard migrate") {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open(WithoutMigrations) of an old schema: %v", err)
	}
	s := openStore(t, path)
	if got := s.AppliedAtOpen(); len(got) == 0 || got[0] != "0002_tenancy.sql" { // and the later ones
		t.Errorf("applied %v", got)
	}
	old, err := s.KeyByID(t.Context(), "key_AAAAAAAAAAAAAAAA")
	if err != nil {
		t.Fatal(err)
	}
	if old.TeamID != auth.DefaultTeamID || old.Name != "old one" || len(old.AllowedModels) != 1 || !old.UpdatedAt.Equal(old.CreatedAt) {
		t.Errorf("migrated key %+v", old)
	}
	m, err := s.KeyByHash(t.Context(), []byte{3, 4})
	if err != nil || m.Key.RevokedAt.IsZero() || m.Key.ExpiresAt.IsZero() {
		t.Errorf("migrated revoked key %+v, %v", m, err)
	}
}
