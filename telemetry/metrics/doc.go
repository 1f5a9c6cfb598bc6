// Package metrics defines Switchboard's metrics as OpenTelemetry
// instruments and records them: the GenAI semantic-convention metrics
// (token usage and operation duration per provider attempt, time to first
// token and time per output token per streamed request) and the gateway's
// own switchboard.* metrics (requests, attempts, fallbacks, breaker state,
// cost, rate-limit and budget rejections, ledger queue and spool, and the
// gateway's own overhead). The exporters (Prometheus at /metrics, OTLP)
// are set up by package telemetry; docs/observability.md lists every name
// as Prometheus shows it.
//
// # For the metering, ledger and limits code
//
// A *Metrics is handed to them by the code that wires the gateway (it is
// nil-safe: with a nil *Metrics every call is a no-op, so tests and
// configurations without telemetry need nothing):
//
//	m.RecordCost(ctx, metrics.Cost{NanoUSD: n, Attempt: a.Number, Alias: a.Alias,
//		Deployment: a.Deployment, Provider: a.Provider, TeamID: p.TeamID})
//	m.RecordRateLimited(ctx, metrics.RateLimit{Scope: "key", Limit: "rpm"})
//	m.RecordBudgetRejected(ctx, metrics.BudgetRejection{Scope: "team", Period: "monthly", Action: "reject"})
//	unregister, err := m.RegisterLedger(func(context.Context) metrics.LedgerStats { ... })
//
// RecordCost called with the request's context (the router Observer's
// ctx) also adds the cost to the request's access-log line, its server
// span and the attempt's span, when it is called before the attempt's span
// ends (observers run first).
//
// # Cardinality
//
// Labels take only values bounded by the configuration or by fixed
// vocabularies: transport, operation, alias, deployment, provider, outcome
// (an error kind), attempt reason. Virtual key ids never become labels;
// team ids only when Options.TeamLabel is set. Names callers choose
// ("<provider>/<model>" passthrough models) are collapsed to
// "<provider>/*". Every instrument is further capped at CardinalityLimit
// series, beyond which the SDK folds new series into one with
// otel_metric_overflow="true".
package metrics
