package telemetry

import (
	"log/slog"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Config configures New. The zero value is metrics off, traces off, no
// access log: the gateway's configuration (gateway/config, section
// telemetry) turns Prometheus metrics and the access log on by default.
type Config struct {
	// ServiceName and ServiceVersion identify the gateway in traces and
	// OTLP metrics (default "switchboard").
	ServiceName, ServiceVersion string
	Traces                      TracesConfig
	Metrics                     MetricsConfig
	// AccessLog, when its Logger is set, writes one record per request.
	AccessLog AccessLogConfig
}

// TracesConfig configures tracing.
type TracesConfig struct {
	// Enabled turns tracing on. Off, no span is made and nothing on the
	// request path changes.
	Enabled bool
	// SampleRatio is the share of new traces kept (0 to 1); a request
	// that arrives with a trace context follows its caller's decision.
	SampleRatio float64
	// OTLP is where spans are exported (batched).
	OTLP OTLPConfig
	// Exporter, when set, replaces OTLP and receives every span as it ends
	// (tests: sdk/trace/tracetest's InMemoryExporter).
	Exporter sdktrace.SpanExporter
}

// MetricsConfig configures metrics.
type MetricsConfig struct {
	// Prometheus serves the metrics in Prometheus' text format from
	// MetricsHandler.
	Prometheus bool
	// OTLP, when its Endpoint is set, also pushes them by OTLP every
	// Interval.
	OTLP     OTLPConfig
	Interval time.Duration
	// Readers are further readers (tests: sdk/metric's ManualReader).
	// They do not see the gateway overhead histogram, which only the
	// Prometheus and OTLP readers are given.
	Readers []sdkmetric.Reader
	// TeamLabel labels the cost counter with the team id.
	TeamLabel bool
}

// OTLP protocols.
const (
	ProtocolGRPC = "grpc"
	ProtocolHTTP = "http"
)

// OTLPConfig is an OTLP exporter's destination.
type OTLPConfig struct {
	// Endpoint is the collector's URL: "http://host:4317" (insecure) or
	// "https://host:4317" for gRPC; for HTTP the base URL to which
	// /v1/traces or /v1/metrics is appended ("http://host:4318"), as
	// OTEL_EXPORTER_OTLP_ENDPOINT means it. Empty: no OTLP export.
	Endpoint string
	// Protocol is ProtocolGRPC (default) or ProtocolHTTP (protobuf).
	Protocol string
	// Headers are sent with every export (an API key: resolved values,
	// never logged).
	Headers map[string]string
	// Timeout bounds one export (default 10s).
	Timeout time.Duration
}

// AccessLogConfig configures the access log.
type AccessLogConfig struct {
	// Logger receives the records (at Info); nil: no access log.
	Logger *slog.Logger
	// SampleRatio is the share of successful requests logged (0 to 1);
	// failed requests are always logged.
	SampleRatio float64
}

// DefaultServiceName names the gateway's resource.
const DefaultServiceName = "switchboard"

// DefaultMetricsInterval is how often metrics are pushed by OTLP.
const DefaultMetricsInterval = 60 * time.Second
