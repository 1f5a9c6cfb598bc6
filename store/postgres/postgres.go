package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Defaults of Options.
const (
	DefaultMaxConns        = 10
	DefaultMinConns        = 1
	DefaultMaxConnLifetime = time.Hour
	DefaultConnectTimeout  = 5 * time.Second
)

// Options configures Open.
type Options struct {
	// DSN is a PostgreSQL connection string, URL ("postgres://...") or
	// key=value form. It may hold a password: it is never logged, and
	// errors from Open do not repeat it.
	DSN string
	// MaxConns and MinConns size the pool (0: the defaults).
	MaxConns, MinConns int32
	// MaxConnLifetime recycles connections (0: the default).
	MaxConnLifetime time.Duration
	// ConnectTimeout bounds each connection attempt (0: the default).
	ConnectTimeout time.Duration
	// Migrate applies pending migrations at Open; otherwise Open refuses a
	// schema that is not current.
	Migrate bool
}

// Store is the PostgreSQL store. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	// listenConfig is the configuration of the dedicated LISTEN connection.
	listenConfig *pgx.ConnConfig
	// appliedAtOpen names the migrations Open applied.
	appliedAtOpen []string
	// spendPartitions caches the spend partitions known to exist.
	spendPartitions spendPartitions
}

// Open connects to the database, checks it answers, and migrates it or
// checks its schema.
func Open(ctx context.Context, o Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(o.DSN)
	if err != nil {
		// pgconn's parse errors can quote the connection string; say what
		// is wrong without it.
		return nil, errors.New("postgres store: cannot parse the connection string (DSN); expected postgres://user:password@host:port/database or key=value pairs")
	}
	cfg.MaxConns = orDefault(o.MaxConns, DefaultMaxConns)
	cfg.MinConns = min(orDefault(o.MinConns, DefaultMinConns), cfg.MaxConns)
	cfg.MaxConnLifetime = orDefault(o.MaxConnLifetime, DefaultMaxConnLifetime)
	cfg.ConnConfig.ConnectTimeout = orDefault(o.ConnectTimeout, DefaultConnectTimeout)
	// A short health check period lets the pool drop connections broken by
	// a database restart soon after it happens.
	cfg.HealthCheckPeriod = 5 * time.Second

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	s := &Store{pool: pool, listenConfig: cfg.ConnConfig.Copy()}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres store: cannot reach the database: %w", err)
	}
	prepare := func() (err error) { s.appliedAtOpen, err = s.Migrate(ctx); return err }
	if !o.Migrate {
		prepare = func() error { return s.checkSchema(ctx) }
	}
	if err := prepare(); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	return s, nil
}

// AppliedAtOpen names the migrations Open applied (with Options.Migrate).
func (s *Store) AppliedAtOpen() []string { return s.appliedAtOpen }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
