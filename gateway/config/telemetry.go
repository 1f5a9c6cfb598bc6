package config

import (
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/secrets"
)

// Telemetry configures traces, metrics and logs (docs/observability.md).
//
//	telemetry:
//	  service_name: switchboard
//	  traces:
//	    enabled: false                  # off by default: no span, no cost
//	    sample_ratio: 1.0               # of new traces; a caller's decision is followed
//	    otlp: {endpoint: "http://otel-collector:4317", protocol: grpc, headers: {x-api-key: "env:OTLP_KEY"}}
//	  metrics:
//	    prometheus: true                # /metrics, on by default
//	    path: /metrics
//	    addr: ""                        # a separate listener for /metrics, e.g. 127.0.0.1:9464
//	    team_label: false               # label cost by team id
//	    otlp: {endpoint: "", protocol: grpc, interval: 60s}
//	  logs:
//	    level: info                     # overridden by --log-level and SWITCHBOARD_LOG_LEVEL
//	    format: text                    # text or json; overridden by --log-format
//	    access_log: true                # one record per request, at info
//	    access_log_sample_ratio: 1.0    # of successful requests; errors are always logged
type Telemetry struct {
	// ServiceName names the gateway in traces and OTLP metrics (default
	// "switchboard").
	ServiceName string        `yaml:"service_name"`
	Traces      TracesConfig  `yaml:"traces"`
	Metrics     MetricsConfig `yaml:"metrics"`
	Logs        LogsConfig    `yaml:"logs"`
}

// TracesConfig configures OpenTelemetry tracing.
type TracesConfig struct {
	// Enabled turns tracing on (default off).
	Enabled bool `yaml:"enabled"`
	// SampleRatio is the share of new traces recorded, 0 to 1 (default
	// 1). A request that carries a caller's trace context follows the
	// caller's sampling decision.
	SampleRatio *float64 `yaml:"sample_ratio"`
	// OTLP is where spans go; required when Enabled.
	OTLP OTLP `yaml:"otlp"`
}

// MetricsConfig configures metrics.
type MetricsConfig struct {
	// Prometheus serves the metrics in Prometheus' text format (default
	// true).
	Prometheus *bool `yaml:"prometheus"`
	// Path is where they are served (default /metrics).
	Path string `yaml:"path"`
	// Addr, when set, serves them on a listener of their own (host:port),
	// and not on the main one. On the main listener /metrics needs no key,
	// as scrapers expect; set Addr to keep it off a public port.
	Addr string `yaml:"addr"`
	// TeamLabel labels the cost counter with the team id (default false:
	// the number of teams is the operator's to bound).
	TeamLabel bool `yaml:"team_label"`
	// OTLP also pushes the metrics, every OTLP.Interval, when its endpoint
	// is set.
	OTLP OTLP `yaml:"otlp"`
}

// OTLP is an OTLP exporter's destination.
type OTLP struct {
	// Endpoint is the collector's URL: http://host:port (plaintext) or
	// https://host:port. For protocol http it is the base URL, to which
	// /v1/traces and /v1/metrics are appended.
	Endpoint string `yaml:"endpoint"`
	// Protocol is "grpc" (default; port 4317 by convention) or "http"
	// (protobuf over HTTP; 4318).
	Protocol string `yaml:"protocol"`
	// Headers are sent with every export. Values are credential
	// references (env:NAME, vault:...), since they usually hold an API
	// key.
	Headers map[string]string `yaml:"headers"`
	// Timeout bounds one export (default 10s).
	Timeout time.Duration `yaml:"timeout"`
	// Interval is how often metrics are pushed (default 60s; metrics
	// only).
	Interval time.Duration `yaml:"interval"`
}

// LogsConfig configures the gateway's log.
type LogsConfig struct {
	// Level is debug, info (default), warn or error. --log-level and
	// SWITCHBOARD_LOG_LEVEL override it.
	Level string `yaml:"level"`
	// Format is text (default) or json. --log-format overrides it.
	Format string `yaml:"format"`
	// AccessLog writes one record per request at info (default true).
	AccessLog *bool `yaml:"access_log"`
	// AccessLogSampleRatio is the share of successful requests logged, 0
	// to 1 (default 1); failed requests are always logged.
	AccessLogSampleRatio *float64 `yaml:"access_log_sample_ratio"`
}

// Telemetry defaults.
const (
	DefaultMetricsPath = "/metrics"
	DefaultSampleRatio = 1.0
)

// PrometheusEnabled reports whether /metrics is served.
func (m MetricsConfig) PrometheusEnabled() bool { return m.Prometheus == nil || *m.Prometheus }

// AccessLogEnabled reports whether the access log is written.
func (l LogsConfig) AccessLogEnabled() bool { return l.AccessLog == nil || *l.AccessLog }

// AccessLogRatio is the sampling ratio of successful requests.
func (l LogsConfig) AccessLogRatio() float64 {
	if l.AccessLogSampleRatio == nil {
		return DefaultSampleRatio
	}
	return *l.AccessLogSampleRatio
}

// Ratio is the trace sampling ratio.
func (t TracesConfig) Ratio() float64 {
	if t.SampleRatio == nil {
		return DefaultSampleRatio
	}
	return *t.SampleRatio
}

func (c *Config) applyTelemetryDefaults() {
	if c.Telemetry.Metrics.Path == "" {
		c.Telemetry.Metrics.Path = DefaultMetricsPath
	}
}

func (c *Config) validateTelemetry() error {
	t := &c.Telemetry
	if r := t.Traces.SampleRatio; r != nil && (*r < 0 || *r > 1) {
		return fieldErr("telemetry.traces.sample_ratio", "must be between 0 and 1")
	}
	if t.Traces.Enabled && t.Traces.OTLP.Endpoint == "" {
		return fieldErr("telemetry.traces.otlp.endpoint", "is required when traces are enabled")
	}
	if err := c.validateOTLP("telemetry.traces.otlp", &t.Traces.OTLP); err != nil {
		return err
	}
	if err := c.validateOTLP("telemetry.metrics.otlp", &t.Metrics.OTLP); err != nil {
		return err
	}
	if p := t.Metrics.Path; !strings.HasPrefix(p, "/") || strings.ContainsAny(p, " {}") {
		return fieldErr("telemetry.metrics.path", "want an absolute path such as /metrics, got %q", p)
	}
	if a := t.Metrics.Addr; a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return fieldErr("telemetry.metrics.addr", "want host:port, got %q", a)
		}
	}
	switch t.Logs.Level {
	case "", "debug", "info", "warn", "error":
	default:
		return fieldErr("telemetry.logs.level", "unknown level %q (want debug, info, warn or error)", t.Logs.Level)
	}
	switch t.Logs.Format {
	case "", "text", "json":
	default:
		return fieldErr("telemetry.logs.format", "unknown format %q (want text or json)", t.Logs.Format)
	}
	if r := t.Logs.AccessLogSampleRatio; r != nil && (*r < 0 || *r > 1) {
		return fieldErr("telemetry.logs.access_log_sample_ratio", "must be between 0 and 1")
	}
	return nil
}

func (c *Config) validateOTLP(field string, o *OTLP) error {
	if o.Endpoint != "" {
		u, err := url.Parse(o.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fieldErr(field+".endpoint", "want http://host:port or https://host:port, got %q", o.Endpoint)
		}
	}
	switch o.Protocol {
	case "", "grpc", "http":
	default:
		return fieldErr(field+".protocol", "unknown protocol %q (want grpc or http)", o.Protocol)
	}
	if o.Timeout < 0 || o.Interval < 0 {
		return fieldErr(field, "durations must not be negative")
	}
	for _, name := range sortedKeys(o.Headers) {
		ref := o.Headers[name]
		if err := secrets.CheckRef(ref); err != nil {
			return fieldErr(field+".headers."+name, "%v", err)
		}
		if err := c.checkVaultRef(field+".headers."+name, ref); err != nil {
			return err
		}
	}
	return nil
}
