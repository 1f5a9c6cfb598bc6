package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the advisory lock key migrations run under ("SWBD").
const migrationLock = 0x53574244

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

// Migrate applies pending migrations and returns their names (none when
// the schema is current). Each runs in its own transaction holding a
// transaction-level advisory lock, and re-checks schema_migrations under
// it, so concurrent migrators apply each migration exactly once.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	ms, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	if err := s.createMigrationsTable(ctx); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []string
	for _, m := range ms {
		did, err := s.apply(ctx, m, len(ms))
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if did {
			applied = append(applied, m.name)
		}
	}
	return applied, nil
}

// createMigrationsTable creates schema_migrations under the advisory lock:
// CREATE TABLE IF NOT EXISTS is not safe against a concurrent twin.
func (s *Store) createMigrationsTable(ctx context.Context) (err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreClosed(tx.Rollback(ctx)))
		}
	}()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func (s *Store) apply(ctx context.Context, m migration, known int) (applied bool, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreClosed(tx.Rollback(ctx)))
		}
	}()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return false, err
	}
	var newest int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return false, err
	}
	if newest > known {
		return false, fmt.Errorf("database schema version %d is newer than this binary knows (%d); upgrade switchboard", newest, known)
	}
	if newest >= m.version {
		return false, tx.Commit(ctx) // applied earlier, or by another instance
	}
	if _, err := tx.Exec(ctx, m.sql); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}

// SchemaVersion is the newest applied migration (0 for a new database) and
// the newest this binary knows.
func (s *Store) SchemaVersion(ctx context.Context) (current, known int, err error) {
	ms, err := loadMigrations()
	if err != nil {
		return 0, 0, err
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, 0, fmt.Errorf("read schema version: %w", err)
	}
	if exists {
		if err := s.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return 0, 0, fmt.Errorf("read schema version: %w", err)
		}
	}
	return current, len(ms), nil
}

func (s *Store) checkSchema(ctx context.Context) error {
	current, known, err := s.SchemaVersion(ctx)
	switch {
	case err != nil:
		return err
	case current < known:
		return fmt.Errorf("database schema is at version %d, this binary needs %d: run `switchboard migrate` (or set store.migrate_on_start: true)", current, known)
	case current > known:
		return fmt.Errorf("database schema version %d is newer than this binary knows (%d); upgrade switchboard", current, known)
	}
	return nil
}

func ignoreClosed(err error) error {
	if errors.Is(err, pgx.ErrTxClosed) {
		return nil
	}
	return err
}
