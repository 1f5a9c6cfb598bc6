package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/switchboard-gw/switchboard/billing/ledger"
	"github.com/switchboard-gw/switchboard/billing/meter"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/telemetry"
	"github.com/switchboard-gw/switchboard/telemetry/metrics"
)

// ledgerCloseTimeout bounds the final flush of the spend ledger at exit:
// records the database has not taken by then go to the spool, which the
// next start replays.
const ledgerCloseTimeout = 30 * time.Second

// ledgerRun is the spend ledger of a running gateway: the writer that
// batches records into the store, and the meter that prices attempts into
// it.
type ledgerRun struct {
	writer     *ledger.Writer
	meter      *meter.Meter
	backend    string
	spoolDir   string
	unregister func() error
	log        *slog.Logger
	closed     bool
}

// openLedger starts the spend ledger on st (the store store.driver
// selects), spooling to cfg.Ledger.SpoolDir (default DATA_DIR/spool), and
// a meter that prices into it and reports costs and the backlog to tel.
func openLedger(cfg *config.Config, st ledger.SpendWriter, dataDir string, tel *telemetry.Telemetry, logger *slog.Logger) (*ledgerRun, error) {
	l := cfg.Ledger
	spoolDir := l.SpoolDir
	if spoolDir == "" {
		spoolDir = filepath.Join(dataDir, config.DefaultLedgerSpoolDir)
	}
	w, err := ledger.NewWriter(st, ledger.WriterOptions{
		SpoolDir:      spoolDir,
		QueueSize:     l.QueueSize,
		BatchSize:     l.BatchSize,
		FlushInterval: l.FlushInterval,
		WriteTimeout:  l.WriteTimeout,
		Logger:        logger,
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	backend := cfg.Store.Driver
	if backend == "" {
		backend = config.StoreSQLite
	}
	m := tel.Metrics()
	sl := &ledgerRun{writer: w, backend: backend, spoolDir: spoolDir, log: logger,
		meter: meter.New(meter.Options{Records: w, Logger: logger, CostSinks: []meter.CostSink{costMetric(m)}})}
	sl.unregister, err = m.RegisterLedger(func(context.Context) metrics.LedgerStats {
		s := w.Stats()
		return metrics.LedgerStats{Backend: backend, Queue: int64(s.QueueLength + s.InFlight), SpoolRecords: s.SpoolRecords, SpoolBytes: s.SpoolBytes}
	})
	if err != nil {
		_ = w.Close(context.Background())
		return nil, fmt.Errorf("ledger metrics: %w", err)
	}
	return sl, nil
}

// costMetric feeds each charged attempt to telemetry: the cost counter,
// and the request's access-log line and spans.
func costMetric(m *metrics.Metrics) meter.CostSink {
	return func(ctx context.Context, a *llm.Attempt, c meter.Charge) {
		teamID := ""
		if call := meter.CallFrom(ctx); call != nil {
			teamID = call.TeamID
		}
		m.RecordCost(ctx, metrics.Cost{NanoUSD: c.NanoUSD, Attempt: a.Number, Alias: a.Alias, Deployment: a.Deployment,
			Provider: a.Provider, TeamID: teamID})
	}
}

// close flushes the ledger at exit, after the server has drained (so the
// attempts of the last streams are in it), and logs where the records
// went. It is idempotent.
func (l *ledgerRun) close() {
	if l == nil || l.closed {
		return
	}
	l.closed = true
	_ = l.unregister()
	ctx, cancel := context.WithTimeout(context.Background(), ledgerCloseTimeout)
	defer cancel()
	err := l.writer.Close(ctx)
	s, ms := l.writer.Stats(), l.meter.Stats()
	attrs := []any{"backend", l.backend, "charged_attempts", ms.Charged, "written", s.Written, "replayed", s.Replayed,
		"spooled", s.Spooled, "spool_records", s.SpoolRecords, "dropped", s.Dropped + ms.Lost}
	switch {
	case err != nil:
		l.log.Error("ledger: closed with spend records lost", append(attrs, "error", err)...)
	case s.SpoolRecords > 0:
		l.log.Warn("ledger: closed; records the database did not take are in the spool and will be replayed at the next start",
			append(attrs, "spool_dir", l.spoolDir)...)
	default:
		l.log.Info("ledger: closed; every spend record is in the database", attrs...)
	}
}
