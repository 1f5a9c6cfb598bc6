package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/gateway/config"
)

// Without a telemetry section: Prometheus on at /metrics on the main
// listener, the access log on, tracing off.
func TestTelemetryDefaults(t *testing.T) {
	cfg, err := config.Parse(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tc := cfg.Telemetry
	if tc.Traces.Enabled || tc.Traces.Ratio() != 1 || !tc.Metrics.PrometheusEnabled() || tc.Metrics.Path != "/metrics" ||
		tc.Metrics.Addr != "" || tc.Metrics.TeamLabel || !tc.Logs.AccessLogEnabled() || tc.Logs.AccessLogRatio() != 1 {
		t.Errorf("defaults: %+v", tc)
	}
}

func TestTelemetrySectionParses(t *testing.T) {
	cfg, err := config.Parse([]byte(`
telemetry:
  service_name: gw-eu
  traces:
    enabled: true
    sample_ratio: 0.25
    otlp: {endpoint: "https://collector:4317", headers: {x-api-key: "env:OTLP_KEY"}, timeout: 5s}
  metrics:
    prometheus: false
    addr: 127.0.0.1:9464
    team_label: true
    otlp: {endpoint: "http://collector:4318", protocol: http, interval: 15s}
  logs: {level: debug, format: json, access_log: false, access_log_sample_ratio: 0.1}
`), env("OTLP_KEY", "k"))
	if err != nil {
		t.Fatal(err)
	}
	tc := cfg.Telemetry
	if tc.ServiceName != "gw-eu" || !tc.Traces.Enabled || tc.Traces.Ratio() != 0.25 || tc.Traces.OTLP.Headers["x-api-key"] != "env:OTLP_KEY" ||
		tc.Traces.OTLP.Timeout != 5*time.Second || tc.Metrics.PrometheusEnabled() || tc.Metrics.Addr != "127.0.0.1:9464" || !tc.Metrics.TeamLabel ||
		tc.Metrics.OTLP.Protocol != "http" || tc.Metrics.OTLP.Interval != 15*time.Second ||
		tc.Logs.Level != "debug" || tc.Logs.Format != "json" || tc.Logs.AccessLogEnabled() || tc.Logs.AccessLogRatio() != 0.1 {
		t.Errorf("parsed: %+v", tc)
	}
}

func TestTelemetryErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		"telemetry: {traces: {enabled: true}}":                                                  "telemetry.traces.otlp.endpoint",
		"telemetry: {traces: {sample_ratio: 1.5}}":                                              "telemetry.traces.sample_ratio",
		"telemetry: {traces: {otlp: {endpoint: collector:4317}}}":                               "telemetry.traces.otlp.endpoint",
		"telemetry: {metrics: {otlp: {endpoint: 'http://c:4318', protocol: udp}}}":              "telemetry.metrics.otlp.protocol",
		"telemetry: {metrics: {otlp: {endpoint: 'http://c:4318', headers: {k: plain-secret}}}}": "telemetry.metrics.otlp.headers.k",
		"telemetry: {metrics: {addr: nine-four-six-four}}":                                      "telemetry.metrics.addr",
		"telemetry: {metrics: {path: metrics}}":                                                 "telemetry.metrics.path",
		"telemetry: {logs: {format: xml}}":                                                      "telemetry.logs.format",
		"telemetry: {logs: {level: loud}}":                                                      "telemetry.logs.level",
		"telemetry: {logs: {access_log_sample_ratio: -1}}":                                      "telemetry.logs.access_log_sample_ratio",
	}
	for yml, field := range cases {
		_, err := config.Parse([]byte(yml), nil)
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: %v, want an error naming %s", yml, err, field)
		}
		if err != nil && strings.Contains(err.Error(), "plain-secret") {
			t.Errorf("%s: the error repeats the header value", yml)
		}
	}
}
