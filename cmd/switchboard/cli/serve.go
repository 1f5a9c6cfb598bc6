package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/spend"
	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/telemetry/logsink"
)

// DefaultDataDir is the data directory under the working directory.
const DefaultDataDir = ".switchboard"

func serve(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("serve", e)
	addr := fs.String("addr", "", "listen address host:port (overrides SWITCHBOARD_ADDR and the config file)")
	configPath := fs.String("config", "", "YAML configuration file")
	dataDir := fs.String("data-dir", "", "data directory (overrides SWITCHBOARD_DATA_DIR)")
	logLevel := fs.String("log-level", "", "debug, info, warn or error (overrides SWITCHBOARD_LOG_LEVEL)")
	logFormat := fs.String("log-format", "", "text or json (default text; overrides telemetry.logs.format)")
	pprofAddr := fs.String("pprof", "", "serve the Go profiler on this address, e.g. 127.0.0.1:6060 (debugging only; overrides SWITCHBOARD_PPROF)")
	auditFlags := addAuditFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*configPath, e.lookup)
	if err != nil {
		return err
	}
	logger, logOut, err := newServeLogger(e, firstNonEmpty(*logLevel, e.get("SWITCHBOARD_LOG_LEVEL"), cfg.Telemetry.Logs.Level),
		firstNonEmpty(*logFormat, cfg.Telemetry.Logs.Format, "text"))
	if err != nil {
		return err
	}
	// Deferred first, so run last: after the server has drained and every
	// component has logged its shutdown, what is buffered is written.
	defer logOut.Close()
	listenAddr := firstNonEmpty(*addr, e.get("SWITCHBOARD_ADDR"), cfg.Server.Addr)
	dir := resolveDataDir(*dataDir, e)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}

	adminKey, adminPath, generated, err := auth.LoadAdminKey(dir, e.get("SWITCHBOARD_ADMIN_KEY"))
	if err != nil {
		return fmt.Errorf("admin key: %w", err)
	}
	// Credential references: the environment, and Vault when configured.
	creds, err := gateway.OpenSecrets(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer creds.Close()
	configuredSecret := ""
	if ref := cfg.Server.ServerSecret; ref != "" {
		if configuredSecret, err = creds.Resolve(ctx, ref); err != nil {
			return fmt.Errorf("server.server_secret: %w", err)
		}
	}
	serverSecret, err := auth.LoadOrCreateServerSecret(dir, configuredSecret)
	if err != nil {
		return fmt.Errorf("server secret: %w", err)
	}
	st, storeDesc, err := openStore(ctx, cfg, dir, creds.Resolve, cfg.Store.MigrateOnStartEnabled())
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer st.Close()

	admin := auth.NewAdmin(adminKey)
	keys := newKeys(st, serverSecret, admin, cfg, logger)
	defer runKeys(ctx, keys)()
	auditOpts, stopAudit := startAudit(ctx, st, keys, auditFlags, logger)
	defer stopAudit()
	tel, err := startTelemetry(ctx, cfg, logger, creds.Resolve)
	if err != nil {
		return err
	}
	defer stopTelemetry(tel, logger)
	// The spend ledger is closed after the server has drained (the
	// deferred calls run once Serve has returned), so the attempts of the
	// last streams are in it, and before the store.
	spendLedger, err := openLedger(cfg, st, dir, tel, logger)
	if err != nil {
		return err
	}
	defer spendLedger.close()
	// Rate limits, budgets and idempotency keys (admission.go).
	admission, err := openAdmission(ctx, cfg, st, creds, tel, logger)
	if err != nil {
		return err
	}
	defer admission.close()
	gw, err := gateway.New(cfg, gateway.WithSecrets(creds), instrumentation(tel), gateway.WithMeter(spendLedger.meter), admission.option())
	if err != nil {
		return err
	}
	var metricsOnMain http.Handler
	if cfg.Telemetry.Metrics.Addr == "" {
		metricsOnMain = tel.MetricsHandler()
	} else if h := tel.MetricsHandler(); h != nil {
		at, err := startMetricsListener(ctx, cfg.Telemetry.Metrics.Addr, cfg.Telemetry.Metrics.Path, h)
		if err != nil {
			return err
		}
		logger.Info("serving metrics", "metrics_addr", at, "path", cfg.Telemetry.Metrics.Path)
	}
	defer watchConfig(ctx, gw, *configPath, cfg, e.lookup, logger)() // SIGHUP and file changes
	srv, err := server.New(server.Options{
		Addr:               listenAddr,
		TLSCertFile:        cfg.Server.TLS.CertFile,
		TLSKeyFile:         cfg.Server.TLS.KeyFile,
		Core:               gw,
		Keys:               keys,
		Admin:              admin,
		Teams:              auth.NewTeams(st, nil),
		Users:              auth.NewUsers(st, nil),
		Spend:              spend.NewReports(st, nil),
		Audit:              auditOpts,
		MaxBodyBytes:       cfg.Server.MaxBodyBytes,
		ShutdownTimeout:    cfg.Server.ShutdownTimeout,
		CORSAllowedOrigins: cfg.Server.CORSAllowedOrigins,
		Logger:             logger,
		Telemetry:          tel,
		Metrics:            metricsOnMain,
		MetricsPath:        cfg.Telemetry.Metrics.Path,
		Limits:             admission.controller,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if a := firstNonEmpty(*pprofAddr, e.get("SWITCHBOARD_PPROF")); a != "" {
		at, err := startPprof(ctx, a)
		if err != nil {
			ln.Close()
			return err
		}
		logger.Warn("profiler enabled; keep this address private", "pprof_addr", at)
	}
	scheme := "http"
	if cfg.Server.TLS.CertFile != "" {
		scheme = "https"
	}
	// What was logged while starting is on stderr before stdout says the
	// gateway is listening: whoever waits for that line reads both.
	logOut.Flush()
	fmt.Fprintf(e.stdout, "switchboard %s listening on %s://%s\n", Version, scheme, ln.Addr())
	if generated {
		fmt.Fprintf(e.stdout, "admin key generated and stored in %s (mode 0600); the keys commands read it from there\n", adminPath)
	} else if adminPath != "" {
		fmt.Fprintf(e.stdout, "admin key: %s\n", adminPath)
	} else {
		fmt.Fprintln(e.stdout, "admin key: from SWITCHBOARD_ADMIN_KEY")
	}
	fmt.Fprintf(e.stdout, "models: %s\n", strings.Join(modelNames(gw), ", "))
	fmt.Fprintf(e.stdout, "key store: %s\n", storeDesc)
	logger.Info("serving", "addr", ln.Addr().String(), "data_dir", dir, "config", cfg.Source, "store", storeDesc)
	return srv.Serve(ctx, ln)
}

func modelNames(gw *gateway.Gateway) []string {
	names := append([]string(nil), gw.Router().Aliases()...)
	for _, p := range gw.Router().PassthroughProviders() {
		names = append(names, p+"/<model>")
	}
	return names
}

func resolveDataDir(flagValue string, e env) string {
	return firstNonEmpty(flagValue, e.get("SWITCHBOARD_DATA_DIR"), DefaultDataDir)
}

func newLogger(e env, level, format string) (*slog.Logger, error) {
	h, err := newLogHandler(e.stderr, e, level, format)
	if err != nil {
		return nil, err
	}
	return slog.New(h), nil
}

// newServeLogger is newLogger for the serve command, whose access log
// writes a record per request: records are buffered and written to stderr
// in large writes, at most logsink.DefaultFlushDelay late, warnings and
// errors at once. The caller closes the returned Writer at shutdown.
func newServeLogger(e env, level, format string) (*slog.Logger, *logsink.Writer, error) {
	out := logsink.New(e.stderr, logsink.Options{})
	h, err := newLogHandler(out, e, level, format)
	if err != nil {
		return nil, nil, err
	}
	return slog.New(logsink.NewHandler(h, out, slog.LevelWarn)), out, nil
}

func newLogHandler(w io.Writer, e env, level, format string) (slog.Handler, error) {
	level = firstNonEmpty(level, e.get("SWITCHBOARD_LOG_LEVEL"), "info")
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.NewTextHandler(w, opts), nil
	case "json":
		return slog.NewJSONHandler(w, opts), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
