package metrics

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/switchboard-gw/switchboard/telemetry/call"
	"github.com/switchboard-gw/switchboard/telemetry/genai"
)

// This file is the API of the metrics that other parts of the gateway feed:
// metering (cost), the spend ledger (queue and spool) and the limits
// (rate-limit and budget rejections).

// Cost is the priced cost of one provider attempt.
type Cost struct {
	// NanoUSD is the cost in nano-dollars (1 USD = 1e9).
	NanoUSD int64
	// Attempt is the attempt's number within its request (llm.Attempt.Number);
	// with the request's context it puts the cost on the attempt's span.
	Attempt int
	// Alias, Deployment and Provider name what was called (from
	// llm.Attempt); they label the counter.
	Alias, Deployment, Provider string
	// TeamID labels the counter when Options.TeamLabel is set.
	TeamID string
}

// RecordCost adds an attempt's cost to switchboard_cost_usd_total. Given
// the request's context (the router Observer's), it also adds it to the
// request's access-log line and spans (see package call).
func (m *Metrics) RecordCost(ctx context.Context, c Cost) {
	call.From(ctx).AddCost(c.Attempt, c.NanoUSD)
	if m == nil || c.NanoUSD == 0 {
		return
	}
	attrs := [...]attribute.KeyValue{
		labelAlias.String(genai.Label(c.Alias, c.Provider)),
		labelDeployment.String(genai.Label(c.Deployment, c.Provider)),
		labelProvider.String(c.Provider),
		labelTeam.String(c.TeamID),
	}
	n := 3
	if m.opts.TeamLabel {
		n = 4
	}
	m.cost.Add(ctx, float64(c.NanoUSD)/1e9, metric.WithAttributes(attrs[:n]...))
}

// RateLimit names the limit that refused a request.
type RateLimit struct {
	// Scope is what the limit applies to: "key", "team", "user",
	// "deployment".
	Scope string
	// Limit is "rpm" or "tpm" (or another fixed name of a limit).
	Limit string
}

// RecordRateLimited counts a request refused by a rate limit
// (switchboard_ratelimit_rejections_total).
func (m *Metrics) RecordRateLimited(ctx context.Context, l RateLimit) {
	if m == nil {
		return
	}
	m.rateLimited.Add(ctx, 1, metric.WithAttributes(labelScope.String(l.Scope), labelLimit.String(l.Limit)))
}

// BudgetRejection names the budget a request exceeded and what was done.
type BudgetRejection struct {
	// Scope is "key", "team" or "user".
	Scope string
	// Period is the budget's window: "daily", "monthly", ...
	Period string
	// Action is the budget's policy: "reject" (refused) or "downgrade"
	// (sent to the cheaper alias instead).
	Action string
}

// RecordBudgetRejected counts a request over a budget
// (switchboard_budget_rejections_total).
func (m *Metrics) RecordBudgetRejected(ctx context.Context, b BudgetRejection) {
	if m == nil {
		return
	}
	m.budgetRejected.Add(ctx, 1, metric.WithAttributes(labelScope.String(b.Scope), labelPeriod.String(b.Period), labelAction.String(b.Action)))
}

// LedgerStats is the spend ledger's backlog at one moment.
type LedgerStats struct {
	// Backend labels the figures ("postgres", "sqlite").
	Backend string
	// Queue is the number of records waiting in memory to be written.
	Queue int64
	// SpoolRecords and SpoolBytes measure the records spooled to local disk
	// while the database is unreachable.
	SpoolRecords int64
	SpoolBytes   int64
}

// ledgerGauges are the observable gauges of the ledger; they report only
// while a ledger is registered.
type ledgerGauges struct {
	queue, spoolRecords, spoolBytes metric.Int64ObservableGauge
}

func (g *ledgerGauges) init(meter metric.Meter) error {
	var err error
	if g.queue, err = meter.Int64ObservableGauge("switchboard.ledger.queue",
		metric.WithDescription("Spend records waiting in memory to be written to the ledger."), metric.WithUnit("{record}")); err != nil {
		return err
	}
	if g.spoolRecords, err = meter.Int64ObservableGauge("switchboard.ledger.spool.records",
		metric.WithDescription("Spend records spooled to local disk while the ledger's database is unreachable."), metric.WithUnit("{record}")); err != nil {
		return err
	}
	g.spoolBytes, err = meter.Int64ObservableGauge("switchboard.ledger.spool.size",
		metric.WithDescription("Size of the ledger's local spool."), metric.WithUnit("By"))
	return err
}

// RegisterLedger has stats read at every collection (a scrape of /metrics,
// an OTLP export) and reported as switchboard_ledger_queue,
// switchboard_ledger_spool_records and switchboard_ledger_spool_size_bytes.
// stats must be quick and safe for concurrent use. The returned function
// unregisters it (at shutdown).
func (m *Metrics) RegisterLedger(stats func(context.Context) LedgerStats) (unregister func() error, err error) {
	if m == nil {
		return func() error { return nil }, nil
	}
	g := &m.ledger
	reg, err := m.meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		s := stats(ctx)
		attrs := metric.WithAttributes(attribute.String("backend", s.Backend))
		o.ObserveInt64(g.queue, s.Queue, attrs)
		o.ObserveInt64(g.spoolRecords, s.SpoolRecords, attrs)
		o.ObserveInt64(g.spoolBytes, s.SpoolBytes, attrs)
		return nil
	}, g.queue, g.spoolRecords, g.spoolBytes)
	if err != nil {
		return nil, err
	}
	return reg.Unregister, nil
}
