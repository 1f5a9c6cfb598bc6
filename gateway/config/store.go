package config

import (
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/secrets"
)

// Store drivers.
const (
	StoreSQLite   = "sqlite"
	StorePostgres = "postgres"
)

// Defaults of the store and auth sections.
const (
	DefaultStoreCacheTTL          = 30 * time.Second
	DefaultStoreMaxStaleness      = time.Hour
	DefaultStoreCacheSize         = 10_000
	DefaultStoreLookupTimeout     = 2 * time.Second
	DefaultStoreUsageFlush        = 10 * time.Second
	DefaultFailedAuthMaxFailures  = 60
	DefaultFailedAuthWindow       = time.Minute
	defaultPostgresConnectTimeout = 5 * time.Second
)

// Store configures where virtual keys, teams, users and admin credentials
// live, and how their verifications are cached.
type Store struct {
	// Driver is "sqlite" (default: one file in the data directory, for one
	// instance) or "postgres" (shared by any number of instances).
	Driver string `yaml:"driver"`
	// DSN is the PostgreSQL connection string: a credential reference such
	// as env:DATABASE_URL (or a vault: reference), or a literal DSN that
	// holds no password.
	DSN string `yaml:"dsn"`
	// Path is the SQLite file (default DATA_DIR/switchboard.db).
	Path string `yaml:"path"`
	// MigrateOnStart applies pending schema migrations when the gateway
	// starts (default true). With false, start refuses an out-of-date
	// schema: run `switchboard migrate` first.
	MigrateOnStart *bool `yaml:"migrate_on_start"`
	// MaxConns, MinConns, MaxConnLifetime and ConnectTimeout size the
	// PostgreSQL connection pool (defaults 10, 1, 1h, 5s).
	MaxConns        int32         `yaml:"max_conns"`
	MinConns        int32         `yaml:"min_conns"`
	MaxConnLifetime time.Duration `yaml:"max_conn_lifetime"`
	ConnectTimeout  time.Duration `yaml:"connect_timeout"`
	// CacheTTL is how long a verified key is served from memory before the
	// store is asked again (default 30s). With PostgreSQL, changes made by
	// other instances arrive by LISTEN/NOTIFY at once; the TTL bounds how
	// late one is seen if its announcement is lost.
	CacheTTL time.Duration `yaml:"cache_ttl"`
	// MaxStaleness is how long after its last successful check a key is
	// still accepted from memory while the store is unreachable (default
	// 1h; at least cache_ttl).
	MaxStaleness time.Duration `yaml:"max_staleness"`
	// CacheSize bounds the number of cached verifications (default 10000).
	CacheSize int `yaml:"cache_size"`
	// LookupTimeout bounds one store read on the request path (default 2s).
	LookupTimeout time.Duration `yaml:"lookup_timeout"`
	// LastUsedFlushInterval is how often last-used times of keys are
	// written, in one batch (default 10s).
	LastUsedFlushInterval time.Duration `yaml:"last_used_flush_interval"`
}

// MigrateOnStartEnabled reports whether migrations run at start.
func (s Store) MigrateOnStartEnabled() bool { return s.MigrateOnStart == nil || *s.MigrateOnStart }

// Auth configures authentication.
type Auth struct {
	// FailedAuth rate limits failed authentications per client address.
	FailedAuth FailedAuth `yaml:"failed_auth"`
}

// FailedAuth is a token bucket per client IP address (IPv6: per /64):
// MaxFailures failed authentications in a burst, refilled at MaxFailures
// per Window. An address out of allowance gets HTTP 429 (Connect
// ResourceExhausted) with Retry-After, whatever key it sends.
type FailedAuth struct {
	// MaxFailures is the burst (default 60); -1 disables the limit.
	MaxFailures int `yaml:"max_failures"`
	// Window is how long a full refill takes (default 1m).
	Window time.Duration `yaml:"window"`
}

func (c *Config) applyStoreDefaults() {
	s := &c.Store
	if s.Driver == "" {
		s.Driver = StoreSQLite
	}
	if s.CacheTTL == 0 {
		s.CacheTTL = DefaultStoreCacheTTL
	}
	if s.MaxStaleness == 0 {
		s.MaxStaleness = max(DefaultStoreMaxStaleness, s.CacheTTL)
	}
	if s.CacheSize == 0 {
		s.CacheSize = DefaultStoreCacheSize
	}
	if s.LookupTimeout == 0 {
		s.LookupTimeout = DefaultStoreLookupTimeout
	}
	if s.LastUsedFlushInterval == 0 {
		s.LastUsedFlushInterval = DefaultStoreUsageFlush
	}
	if s.ConnectTimeout == 0 {
		s.ConnectTimeout = defaultPostgresConnectTimeout
	}
	f := &c.Auth.FailedAuth
	if f.MaxFailures == 0 {
		f.MaxFailures = DefaultFailedAuthMaxFailures
	}
	if f.Window == 0 {
		f.Window = DefaultFailedAuthWindow
	}
}

func (c *Config) validateStore() error {
	s := c.Store
	switch s.Driver {
	case StoreSQLite:
		if s.DSN != "" {
			return fieldErr("store.dsn", "is for driver postgres; the sqlite driver takes store.path")
		}
	case StorePostgres:
		if s.DSN == "" {
			return fieldErr("store.dsn", "is required for driver postgres, e.g. env:DATABASE_URL")
		}
		if s.Path != "" {
			return fieldErr("store.path", "is for driver sqlite; the postgres driver takes store.dsn")
		}
		if err := c.checkDSN(s.DSN); err != nil {
			return err
		}
	default:
		return fieldErr("store.driver", "unknown driver %q (want sqlite or postgres)", s.Driver)
	}
	for field, d := range map[string]time.Duration{
		"store.cache_ttl": s.CacheTTL, "store.max_staleness": s.MaxStaleness, "store.lookup_timeout": s.LookupTimeout,
		"store.last_used_flush_interval": s.LastUsedFlushInterval, "store.connect_timeout": s.ConnectTimeout,
		"auth.failed_auth.window": c.Auth.FailedAuth.Window,
	} {
		if d <= 0 {
			return fieldErr(field, "must be positive")
		}
	}
	switch {
	case s.MaxStaleness < s.CacheTTL:
		return fieldErr("store.max_staleness", "must be at least store.cache_ttl (%s)", s.CacheTTL)
	case s.MaxConnLifetime < 0:
		return fieldErr("store.max_conn_lifetime", "must be positive")
	case s.CacheSize < 0:
		return fieldErr("store.cache_size", "must be positive")
	case s.MaxConns < 0 || s.MinConns < 0:
		return fieldErr("store.max_conns", "pool sizes must be positive")
	case s.MaxConns > 0 && s.MinConns > s.MaxConns:
		return fieldErr("store.min_conns", "must not exceed store.max_conns (%d)", s.MaxConns)
	case c.Auth.FailedAuth.MaxFailures < -1:
		return fieldErr("auth.failed_auth.max_failures", "must be positive, or -1 to disable the limit")
	}
	return nil
}

// checkDSN accepts a credential reference, or a literal DSN without a
// password: a password belongs in the environment or Vault, never in a
// configuration file.
func (c *Config) checkDSN(dsn string) error {
	const field = "store.dsn"
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return fieldErr(field, "is not a valid postgres:// URL")
		}
		if _, hasPassword := u.User.Password(); hasPassword || u.Query().Has("password") {
			return fieldErr(field, "holds a password: put the DSN in an environment variable and write dsn: env:DATABASE_URL")
		}
		return nil
	}
	if strings.Contains(dsn, "=") { // key=value form
		if strings.Contains(dsn, "password=") {
			return fieldErr(field, "holds a password: put the DSN in an environment variable and write dsn: env:DATABASE_URL")
		}
		return nil
	}
	if err := secrets.CheckRef(dsn); err != nil {
		return fieldErr(field, "%v", err)
	}
	return c.checkVaultRef(field, dsn)
}
