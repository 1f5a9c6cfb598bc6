package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
)

const migrateUsage = `Usage:
  switchboard migrate [--config FILE] [--data-dir DIR]

Applies the pending schema migrations of the store the configuration selects
(store.driver: sqlite or postgres), then exits. Safe to run again, and while
gateways are running: each migration is applied once, under a lock.
`

func migrateCommand(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("migrate", e)
	fs.Usage = func() { fmt.Fprint(e.stderr, migrateUsage) }
	configPath := fs.String("config", "", "YAML configuration file")
	dataDir := fs.String("data-dir", "", "data directory (for the sqlite store; overrides SWITCHBOARD_DATA_DIR)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprint(e.stderr, migrateUsage)
		return errUsage
	}
	logger, err := newLogger(e, "", "text")
	if err != nil {
		return err
	}
	cfg, err := config.Load(*configPath, e.lookup)
	if err != nil {
		return err
	}
	dir := resolveDataDir(*dataDir, e)
	if cfg.Store.Driver == config.StoreSQLite && cfg.Store.Path == "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
	}
	creds, err := gateway.OpenSecrets(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer creds.Close()
	st, desc, err := openStore(ctx, cfg, dir, creds.Resolve, true)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer st.Close()
	if applied := st.AppliedAtOpen(); len(applied) > 0 {
		fmt.Fprintf(e.stdout, "%s: applied %s\n", desc, strings.Join(applied, ", "))
	} else {
		fmt.Fprintf(e.stdout, "%s: schema is up to date\n", desc)
	}
	return nil
}
