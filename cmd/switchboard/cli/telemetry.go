package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/telemetry"
)

// telemetryShutdownTimeout bounds the flush of buffered spans and metrics
// at exit.
const telemetryShutdownTimeout = 5 * time.Second

// startTelemetry sets up traces, metrics and the access log from the
// configuration's telemetry section. Header values of the OTLP exporters
// are credential references, resolved here with resolve.
func startTelemetry(ctx context.Context, cfg *config.Config, logger *slog.Logger, resolve func(context.Context, string) (string, error)) (*telemetry.Telemetry, error) {
	tc := &cfg.Telemetry
	traceHeaders, err := resolveHeaders(ctx, "telemetry.traces.otlp.headers", tc.Traces.OTLP.Headers, resolve)
	if err != nil {
		return nil, err
	}
	metricHeaders, err := resolveHeaders(ctx, "telemetry.metrics.otlp.headers", tc.Metrics.OTLP.Headers, resolve)
	if err != nil {
		return nil, err
	}
	out := telemetry.Config{
		ServiceName:    tc.ServiceName,
		ServiceVersion: Version,
		Traces: telemetry.TracesConfig{
			Enabled:     tc.Traces.Enabled,
			SampleRatio: tc.Traces.Ratio(),
			OTLP:        otlpConfig(tc.Traces.OTLP, traceHeaders),
		},
		Metrics: telemetry.MetricsConfig{
			Prometheus: tc.Metrics.PrometheusEnabled(),
			OTLP:       otlpConfig(tc.Metrics.OTLP, metricHeaders),
			Interval:   tc.Metrics.OTLP.Interval,
			TeamLabel:  tc.Metrics.TeamLabel,
		},
	}
	if tc.Logs.AccessLogEnabled() {
		out.AccessLog = telemetry.AccessLogConfig{Logger: logger, SampleRatio: tc.Logs.AccessLogRatio()}
	}
	return telemetry.New(ctx, out)
}

func otlpConfig(o config.OTLP, headers map[string]string) telemetry.OTLPConfig {
	return telemetry.OTLPConfig{Endpoint: o.Endpoint, Protocol: o.Protocol, Headers: headers, Timeout: o.Timeout}
}

func resolveHeaders(ctx context.Context, field string, refs map[string]string, resolve func(context.Context, string) (string, error)) (map[string]string, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(refs))
	for name, ref := range refs {
		v, err := resolve(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", field, name, err)
		}
		out[name] = v
	}
	return out, nil
}

// instrumentation plugs t into the gateway's routers and providers.
func instrumentation(t *telemetry.Telemetry) gateway.Option {
	return gateway.WithInstrumentation(gateway.Instrumentation{Attempts: t.AttemptHook(), Provider: t.WrapProvider})
}

// startMetricsListener serves the metrics handler at path on a listener of
// its own until ctx ends (telemetry.metrics.addr). It returns the address
// it listens on.
func startMetricsListener(ctx context.Context, addr, path string, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("telemetry.metrics.addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+path, h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return ln.Addr().String(), nil
}

// stopTelemetry flushes and stops t at exit.
func stopTelemetry(t *telemetry.Telemetry, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), telemetryShutdownTimeout)
	defer cancel()
	if err := t.Shutdown(ctx); err != nil {
		logger.Warn("telemetry shutdown", "err", err)
	}
}
