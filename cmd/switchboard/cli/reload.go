package cli

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
)

// watchConfig keeps the gateway's routing in step with its configuration
// file: SIGHUP re-reads it, and so does a change of its content (unless
// routing.reload.watch is false). An invalid file is rejected with a
// logged error and the running configuration stays. Without a file, SIGHUP
// is logged and ignored (rather than ending the process, its default).
// The returned function stops watching.
func watchConfig(ctx context.Context, gw *gateway.Gateway, path string, cfg *config.Config, lookupEnv func(string) (string, bool), logger *slog.Logger) func() {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if path == "" {
			for {
				select {
				case <-ctx.Done():
					return
				case <-hup:
					logger.Warn("SIGHUP: no configuration file to reload (start with --config FILE)")
				}
			}
		}
		interval := cfg.Routing.Reload.IntervalOrDefault()
		if !cfg.Routing.Reload.WatchEnabled() {
			interval = 0
		}
		gateway.NewWatcher(gw, path, cfg, lookupEnv, logger).Run(ctx, hup, interval)
	}()
	return func() {
		signal.Stop(hup)
		cancel()
		<-done
	}
}
