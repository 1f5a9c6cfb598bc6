package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/store/postgres"
	"github.com/switchboard-gw/switchboard/store/sqlite"
)

// keyStore is the store the configuration selects.
type keyStore interface {
	auth.Store
	// The spend ledger lives in the same database; an erasure request
	// moves a user's spend to a pseudonym there (startAudit hands it to
	// audit.Privacy, which finds this role on it).
	ledger.Store
	ledger.SpendPseudonymizer
	// So does the audit trail.
	audit.Store
	Ping(ctx context.Context) error
	AppliedAtOpen() []string
	Close() error
}

// resolver resolves credential references (env:, vault:).
type resolver func(ctx context.Context, ref string) (string, error)

// openStore opens the store of cfg.Store, migrating it when migrate is set
// (otherwise refusing an out-of-date schema), and describes it without
// credentials, for the start-up message.
func openStore(ctx context.Context, cfg *config.Config, dataDir string, resolve resolver, migrate bool) (keyStore, string, error) {
	s := cfg.Store
	switch s.Driver {
	case config.StorePostgres:
		dsn := s.DSN
		if isReference(dsn) {
			var err error
			if dsn, err = resolve(ctx, dsn); err != nil {
				return nil, "", fmt.Errorf("store.dsn: %w", err)
			}
		}
		st, err := postgres.Open(ctx, postgres.Options{
			DSN:             dsn,
			MaxConns:        s.MaxConns,
			MinConns:        s.MinConns,
			MaxConnLifetime: s.MaxConnLifetime,
			ConnectTimeout:  s.ConnectTimeout,
			Migrate:         migrate,
		})
		if err != nil {
			return nil, "", err
		}
		return st, "postgres", nil
	default:
		path := s.Path
		if path == "" {
			path = filepath.Join(dataDir, "switchboard.db")
		}
		var opts []sqlite.Option
		if !migrate {
			opts = append(opts, sqlite.WithoutMigrations())
		}
		st, err := sqlite.Open(ctx, path, opts...)
		if err != nil {
			return nil, "", err
		}
		return st, "sqlite " + path, nil
	}
}

// isReference reports whether a DSN is a credential reference rather than a
// literal connection string.
func isReference(dsn string) bool {
	for _, scheme := range []string{"env:", "vault:"} {
		if len(dsn) > len(scheme) && dsn[:len(scheme)] == scheme {
			return true
		}
	}
	return false
}

// newKeys builds key verification as cfg configures it.
func newKeys(st keyStore, serverSecret []byte, admin *auth.Admin, cfg *config.Config, logger *slog.Logger) *auth.Keys {
	s, f := cfg.Store, cfg.Auth.FailedAuth
	return auth.NewKeys(st, serverSecret,
		auth.WithAdmin(admin),
		auth.WithCacheTTL(s.CacheTTL),
		auth.WithMaxStaleness(s.MaxStaleness),
		auth.WithCacheSize(s.CacheSize),
		auth.WithStoreTimeout(s.LookupTimeout),
		auth.WithUsageFlushInterval(s.LastUsedFlushInterval),
		auth.WithFailureLimiter(auth.NewFailureLimiter(f.MaxFailures, f.Window)),
		auth.WithLogger(logger),
	)
}

// runKeys runs keys' background work (last-used times, change
// announcements) until the returned stop is called, which waits for its
// final flush. It outlives ctx so that requests still draining after a
// shutdown signal are recorded too.
func runKeys(ctx context.Context, keys *auth.Keys) (stop func()) {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = keys.Run(runCtx)
	}()
	return func() {
		cancel()
		<-done
	}
}
