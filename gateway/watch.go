package gateway

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"os"
	"reflect"
	"sync"
	"time"

	"github.com/switchboard-gw/switchboard/gateway/config"
)

// Watcher keeps a gateway's routing in step with its configuration file:
// Reload re-reads the file (on SIGHUP, say), and Run also polls it for
// changes. A file that does not load or validate is rejected with a logged
// error and the running configuration stays. Only what the router is
// built from is applied (providers, deployments, aliases, routing,
// defaults); changes to server, store, auth or secrets settings are logged
// as needing a restart.
type Watcher struct {
	gw        *Gateway
	path      string
	lookupEnv func(string) (string, bool)
	logger    *slog.Logger

	mu      sync.Mutex
	current *config.Config
	seen    [sha256.Size]byte // the content last loaded, good or bad
}

// NewWatcher returns a watcher of path, whose content cfg was loaded from
// and gw built with (nil: unknown; no restart warnings for the first
// reload).
func NewWatcher(gw *Gateway, path string, cfg *config.Config, lookupEnv func(string) (string, bool), logger *slog.Logger) *Watcher {
	if logger == nil {
		logger = slog.Default()
	}
	w := &Watcher{gw: gw, path: path, lookupEnv: lookupEnv, logger: logger, current: cfg}
	if data, err := os.ReadFile(path); err == nil {
		w.seen = sha256.Sum256(data)
	}
	return w
}

// Reload re-reads the file and applies it, whatever its content. It
// returns the error that kept the old configuration, if any.
func (w *Watcher) Reload() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if data, err := os.ReadFile(w.path); err == nil {
		w.seen = sha256.Sum256(data)
	}
	return w.apply()
}

// Check applies the file if its content changed since it was last read,
// and reports whether it did. The file is read and hashed every time (it
// is small), which also catches edits that keep its size and timestamp.
func (w *Watcher) Check() (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	data, err := os.ReadFile(w.path)
	if err != nil {
		return false, nil // being replaced, or gone: keep what runs
	}
	sum := sha256.Sum256(data)
	if sum == w.seen {
		return false, nil
	}
	w.seen = sum
	return true, w.apply()
}

func (w *Watcher) apply() error {
	cfg, err := config.Load(w.path, w.lookupEnv)
	if err != nil {
		w.logger.Error("configuration reload rejected; the running configuration stays", "config", w.path, "err", err)
		return err
	}
	if err := w.gw.Reload(cfg); err != nil {
		w.logger.Error("configuration reload failed; the running configuration stays", "config", w.path, "err", err)
		return err
	}
	for _, s := range restartOnly(w.current, cfg) {
		w.logger.Warn("configuration section changed; restart to apply it", "section", s, "config", w.path)
	}
	w.current = cfg
	w.logger.Info("configuration reloaded", "config", w.path, "aliases", len(w.gw.Router().Aliases()))
	return nil
}

// restartOnly names the sections that differ between old and new but are
// read only at start.
func restartOnly(old, new *config.Config) []string {
	if old == nil {
		return nil
	}
	var out []string
	for _, s := range []struct {
		name     string
		old, new any
	}{
		{"server", old.Server, new.Server},
		{"store", old.Store, new.Store},
		{"auth", old.Auth, new.Auth},
		{"secrets", old.Secrets, new.Secrets},
	} {
		if !reflect.DeepEqual(s.old, s.new) {
			out = append(out, s.name)
		}
	}
	return out
}

// Run reloads on every value from signals, and checks the file for changes
// every interval (never with a zero interval), until ctx is done.
func (w *Watcher) Run(ctx context.Context, signals <-chan os.Signal, interval time.Duration) {
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-signals:
			_ = w.Reload()
		case <-tick:
			_, _ = w.Check()
		}
	}
}
