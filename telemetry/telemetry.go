package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/otlptranslator"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"

	"github.com/switchboard-gw/switchboard/router"
	"github.com/switchboard-gw/switchboard/telemetry/accesslog"
	"github.com/switchboard-gw/switchboard/telemetry/metrics"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
	"github.com/switchboard-gw/switchboard/telemetry/tracing"
)

// Telemetry is the gateway's observability, set up by New.
type Telemetry struct {
	tracer  *tracing.Tracer
	metrics *metrics.Metrics
	access  *accesslog.Logger

	tracerProvider *sdktrace.TracerProvider
	meterProvider  *sdkmetric.MeterProvider
	handler        http.Handler
	overhead       *metrics.OverheadProducer

	// systems maps a provider's configured name to its
	// gen_ai.provider.name (WrapProvider fills it).
	systems sync.Map

	unregister []func() error
}

// New sets up telemetry as cfg says. Exporters connect lazily: an
// unreachable collector does not fail New. Call Shutdown at exit to flush
// what is buffered.
func New(ctx context.Context, cfg Config) (*Telemetry, error) {
	t := &Telemetry{access: accesslog.New(cfg.AccessLog.Logger, cfg.AccessLog.SampleRatio)}
	res, err := newResource(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Traces.Enabled {
		if err := t.setUpTraces(ctx, cfg.Traces, res); err != nil {
			return nil, err
		}
	}
	if cfg.Metrics.Prometheus || cfg.Metrics.OTLP.Endpoint != "" || len(cfg.Metrics.Readers) > 0 {
		if err := t.setUpMetrics(ctx, cfg.Metrics, res); err != nil {
			_ = t.Shutdown(ctx)
			return nil, err
		}
	}
	return t, nil
}

func newResource(cfg Config) (*resource.Resource, error) {
	name := cfg.ServiceName
	if name == "" {
		name = DefaultServiceName
	}
	attrs := []resource.Option{resource.WithAttributes(semconv.ServiceName(name))}
	if cfg.ServiceVersion != "" {
		attrs = append(attrs, resource.WithAttributes(semconv.ServiceVersion(cfg.ServiceVersion)))
	}
	res, err := resource.New(context.Background(), append(attrs, resource.WithSchemaURL(semconv.SchemaURL))...)
	if err != nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	return res, nil
}

func (t *Telemetry) setUpTraces(ctx context.Context, c TracesConfig, res *resource.Resource) error {
	ratio := min(max(c.SampleRatio, 0), 1)
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
	}
	switch {
	case c.Exporter != nil:
		opts = append(opts, sdktrace.WithSyncer(c.Exporter))
	case c.OTLP.Endpoint != "":
		exp, err := newSpanExporter(ctx, c.OTLP)
		if err != nil {
			return err
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	default:
		return errors.New("telemetry: traces are enabled but no OTLP endpoint is set")
	}
	t.tracerProvider = sdktrace.NewTracerProvider(opts...)
	t.tracer = tracing.New(t.tracerProvider)
	return nil
}

func (t *Telemetry) setUpMetrics(ctx context.Context, c MetricsConfig, res *resource.Resource) error {
	t.overhead = metrics.NewOverheadProducer()
	opts := []sdkmetric.Option{sdkmetric.WithResource(res), sdkmetric.WithCardinalityLimit(metrics.CardinalityLimit)}
	if c.Prometheus {
		registry := prometheus.NewRegistry()
		registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		exp, err := otelprom.New(
			otelprom.WithRegisterer(registry),
			otelprom.WithProducer(t.overhead),
			otelprom.WithTranslationStrategy(otlptranslator.UnderscoreEscapingWithSuffixes),
			otelprom.WithoutScopeInfo(),
		)
		if err != nil {
			return fmt.Errorf("telemetry: prometheus exporter: %w", err)
		}
		opts = append(opts, sdkmetric.WithReader(exp))
		t.handler = promhttp.HandlerFor(registry, promhttp.HandlerOpts{})
	}
	if c.OTLP.Endpoint != "" {
		exp, err := newMetricExporter(ctx, c.OTLP)
		if err != nil {
			return err
		}
		interval := c.Interval
		if interval <= 0 {
			interval = DefaultMetricsInterval
		}
		opts = append(opts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp,
			sdkmetric.WithInterval(interval), sdkmetric.WithProducer(t.overhead))))
	}
	for _, r := range c.Readers {
		opts = append(opts, sdkmetric.WithReader(r))
	}
	t.meterProvider = sdkmetric.NewMeterProvider(opts...)
	m, err := metrics.New(t.meterProvider.Meter(metrics.ScopeName, metric.WithSchemaURL(semconv.SchemaURL)), metrics.Options{TeamLabel: c.TeamLabel})
	if err != nil {
		return fmt.Errorf("telemetry: %w", err)
	}
	t.metrics = m
	return nil
}

// Enabled reports whether anything is on: the server installs its
// telemetry middleware only then.
func (t *Telemetry) Enabled() bool {
	return t != nil && (t.tracer != nil || t.metrics != nil || t.access != nil)
}

// Metrics returns the instruments, for metering, the ledger and the
// limits to feed (nil, which records nothing, when metrics are off).
func (t *Telemetry) Metrics() *metrics.Metrics {
	if t == nil {
		return nil
	}
	return t.metrics
}

// Tracer returns the tracer (nil when tracing is off).
func (t *Telemetry) Tracer() *tracing.Tracer {
	if t == nil {
		return nil
	}
	return t.tracer
}

// MetricsHandler serves the metrics in Prometheus' text format (nil when
// Prometheus is off). It needs no authentication of its own: see
// docs/observability.md for where to serve it.
func (t *Telemetry) MetricsHandler() http.Handler {
	if t == nil {
		return nil
	}
	return t.handler
}

// ObserveOverhead exports rec, the server's measurement of its own time
// per request, as switchboard_gateway_overhead_seconds.
func (t *Telemetry) ObserveOverhead(rec *overhead.Recorder) {
	if t != nil && t.overhead != nil {
		t.overhead.Observe(rec)
	}
}

// ObserveDeployments exports the breaker state of the deployments status
// reports (the gateway's RoutingStatus).
func (t *Telemetry) ObserveDeployments(status func() ([]router.DeploymentStatus, []router.AliasStatus)) error {
	if t == nil || t.metrics == nil {
		return nil
	}
	unregister, err := t.metrics.ObserveDeployments(status)
	if err != nil {
		return err
	}
	t.unregister = append(t.unregister, unregister)
	return nil
}

// Shutdown flushes buffered spans and metrics to their exporters and stops
// them, within ctx.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	var errs []error
	for _, u := range t.unregister {
		errs = append(errs, u())
	}
	if t.tracerProvider != nil {
		errs = append(errs, t.tracerProvider.Shutdown(ctx))
	}
	if t.meterProvider != nil {
		errs = append(errs, t.meterProvider.Shutdown(ctx))
	}
	return errors.Join(errs...)
}
