package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations, named NNNN_description.sql,
// and checks they are numbered 1, 2, 3... without gaps or duplicates.
func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: version, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate applies the migrations db has not seen yet and returns their
// names. Each runs in its own BEGIN IMMEDIATE transaction that first
// re-checks schema_migrations, so two processes opening a new file at once
// apply each migration exactly once.
func migrate(ctx context.Context, db *sql.DB) ([]string, error) {
	ms, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL -- unix microseconds, UTC
	) STRICT`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	newest, err := schemaVersion(ctx, db)
	if err != nil {
		return nil, err
	}
	if newest > len(ms) {
		return nil, fmt.Errorf("database schema version %d is newer than this binary knows (%d); upgrade switchboard", newest, len(ms))
	}
	var applied []string
	for _, m := range ms[newest:] {
		did, err := applyMigration(ctx, db, m)
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if did {
			applied = append(applied, m.name)
		}
	}
	return applied, nil
}

// schemaVersion is the newest applied migration, 0 for a new database.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var exists int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if exists == 0 {
		return 0, nil
	}
	var newest sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(newest.Int64), nil
}

// checkSchema refuses a database whose schema is not exactly the one this
// binary's migrations produce, for stores opened without migrating.
func checkSchema(ctx context.Context, db *sql.DB) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	v, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	switch {
	case v < len(ms):
		return fmt.Errorf("database schema is at version %d, this binary needs %d: run `switchboard migrate` (or set store.migrate_on_start)", v, len(ms))
	case v > len(ms):
		return fmt.Errorf("database schema version %d is newer than this binary knows (%d); upgrade switchboard", v, len(ms))
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) (applied bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreDone(tx.Rollback()))
		}
	}()
	var seen int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&seen); err != nil {
		return false, err
	}
	if seen > 0 {
		return false, tx.Commit() // another process got here first
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, time.Now().UTC().UnixMicro()); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
