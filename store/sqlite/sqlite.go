package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busyTimeoutMillis is how long a connection waits for another process's
// write lock before failing with SQLITE_BUSY.
const busyTimeoutMillis = 10_000

// Store is the embedded SQLite store. It is safe for concurrent use.
type Store struct {
	// writer has exactly one connection: SQLite allows one writer at a time,
	// and queueing in database/sql is cheaper and fairer than SQLITE_BUSY
	// retries.
	writer *sql.DB
	// reader has several query-only connections; in WAL mode they read a
	// consistent snapshot while the writer works.
	reader *sql.DB
	// appliedAtOpen names the migrations Open applied.
	appliedAtOpen []string
	// statements are the batch writes' prepared statements.
	statements writeStatements
}

// AppliedAtOpen names the migrations Open applied.
func (s *Store) AppliedAtOpen() []string { return s.appliedAtOpen }

// Option configures Open.
type Option func(*options)

type options struct{ skipMigrations bool }

// WithoutMigrations opens the database without applying migrations, and
// refuses it unless its schema is already current (see Store.Migrate and
// `switchboard migrate`).
func WithoutMigrations() Option { return func(o *options) { o.skipMigrations = true } }

// Open opens (creating if needed) the database file at path, creating its
// directory (mode 0700) and the file (mode 0600) when missing, and applies
// pending migrations. path must name a file: an in-memory database cannot be
// shared between the reader and writer connections.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" {
		return nil, errors.New("sqlite store: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	if err := createPrivateFile(abs); err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}

	writer, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite store: open %s: %w", abs, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	var applied []string
	prepare := func() (err error) { applied, err = migrate(ctx, writer); return err }
	if o.skipMigrations {
		prepare = func() error { return checkSchema(ctx, writer) }
	}
	if err := prepare(); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite store: %s: %w", abs, err)
	}

	reader, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite store: open %s: %w", abs, err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	reader.SetConnMaxLifetime(0)
	reader.SetConnMaxIdleTime(0)
	if err := reader.PingContext(ctx); err != nil {
		reader.Close()
		writer.Close()
		return nil, fmt.Errorf("sqlite store: open %s: %w", abs, err)
	}
	return &Store{writer: writer, reader: reader, appliedAtOpen: applied}, nil
}

// Migrate applies pending migrations and returns their names (none when
// the schema is current).
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	return migrate(ctx, s.writer)
}

// Ping checks that the database can be read.
func (s *Store) Ping(ctx context.Context) error { return s.reader.PingContext(ctx) }

// Close closes the batch writes' statements and both connection pools.
func (s *Store) Close() error {
	return errors.Join(s.statements.close(), s.reader.Close(), s.writer.Close())
}

// dsn builds a modernc.org/sqlite data source name. The path goes through
// a file: URI so characters such as '?' and '#' in it are escaped rather than
// read as parameters.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		// journal_mode is persistent in the file; setting it on the writer,
		// which opens first, is enough. synchronous=FULL keeps a committed
		// revocation durable across power loss.
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "FULL")
		// BEGIN IMMEDIATE takes the write lock up front, so a transaction
		// that reads then writes cannot fail half-way with SQLITE_BUSY.
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	return u.String()
}

// createPrivateFile makes path's directory (0700) and an empty file (0600)
// when they do not exist. SQLite accepts an empty file as a new database and
// gives its -wal and -shm files the same permissions, so key hashes are
// never world-readable.
func createPrivateFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	return f.Close()
}
