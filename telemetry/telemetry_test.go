package telemetry_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/telemetry"
	"github.com/switchboard-gw/switchboard/telemetry/call"
	"github.com/switchboard-gw/switchboard/telemetry/metrics"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

type nopProvider struct{}

func (nopProvider) Complete(context.Context, *llm.Request) (*llm.Response, error) { return nil, nil }
func (nopProvider) Stream(context.Context, *llm.Request) (llm.Stream, error)      { return nil, nil }

// Everything off is nothing installed: no hook, no handler, providers and
// transports as they are.
func TestEverythingOffInstallsNothing(t *testing.T) {
	tel, err := telemetry.New(context.Background(), telemetry.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if tel.Enabled() || tel.AttemptHook() != nil || tel.MetricsHandler() != nil || tel.Tracer() != nil || tel.Metrics() != nil {
		t.Fatal("telemetry with everything off installs something")
	}
	p := nopProvider{}
	if tel.WrapProvider("p", "openai", "openai", p) != llm.Provider(p) {
		t.Error("WrapProvider wrapped without tracing")
	}
	if tel.WrapTransport(http.DefaultTransport) != http.DefaultTransport {
		t.Error("WrapTransport wrapped without tracing")
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestBadExporterConfigurationsFail(t *testing.T) {
	for name, cfg := range map[string]telemetry.Config{
		"traces without endpoint": {Traces: telemetry.TracesConfig{Enabled: true}},
		"endpoint without scheme": {Traces: telemetry.TracesConfig{Enabled: true, OTLP: telemetry.OTLPConfig{Endpoint: "collector:4317"}}},
		"unknown protocol":        {Metrics: telemetry.MetricsConfig{OTLP: telemetry.OTLPConfig{Endpoint: "http://c:4318", Protocol: "udp"}}},
	} {
		if _, err := telemetry.New(context.Background(), cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// /metrics speaks Prometheus' text format with the names
// docs/observability.md lists, and the Go runtime's and process's own.
func TestPrometheusHandlerServesTheMetrics(t *testing.T) {
	tel, err := telemetry.New(context.Background(), telemetry.Config{Metrics: telemetry.MetricsConfig{Prometheus: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	var rec overhead.Recorder
	rec.Unary.Record(30 * time.Microsecond)
	tel.ObserveOverhead(&rec)
	ctx, r := tel.BeginRequest(context.Background(), telemetry.Request{ID: "req_1", Transport: "openai", Operation: call.OperationChat})
	r.NoteStatus(429, "")
	tel.EndRequest(ctx, r)
	tel.Metrics().RecordCost(ctx, metrics.Cost{NanoUSD: 5e8, Alias: "a", Deployment: "d", Provider: "p"})

	srv := httptest.NewServer(tel.MetricsHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"switchboard_requests_total", "switchboard_request_duration_seconds", "switchboard_requests_in_flight",
		"switchboard_cost_usd_total", "switchboard_gateway_overhead_seconds", "go_goroutines", "process_cpu_seconds_total",
	} {
		if families[name] == nil {
			t.Errorf("no %s in /metrics", name)
		}
	}
	if m := families["switchboard_requests_total"].GetMetric(); len(m) != 1 || m[0].GetCounter().GetValue() != 1 {
		t.Errorf("requests: %v", m)
	}
	for _, l := range families["switchboard_requests_total"].GetMetric()[0].GetLabel() {
		if l.GetName() == "outcome" && l.GetValue() != "rate_limited" {
			t.Errorf("outcome %q", l.GetValue())
		}
	}
}

// collector receives OTLP over HTTP.
type collector struct {
	mu      sync.Mutex
	paths   []string
	headers []string
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	c.mu.Lock()
	c.paths = append(c.paths, r.URL.Path)
	c.headers = append(c.headers, r.Header.Get("X-Api-Key"))
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
}

// Spans and metrics reach an OTLP/HTTP collector at the signal paths
// under the configured base URL, with the configured headers; Shutdown
// flushes them.
func TestOTLPOverHTTPReachesTheCollector(t *testing.T) {
	c := &collector{}
	srv := httptest.NewServer(c)
	defer srv.Close()
	otlp := telemetry.OTLPConfig{Endpoint: srv.URL + "/otlp", Protocol: telemetry.ProtocolHTTP, Headers: map[string]string{"X-Api-Key": "k-123"}}
	tel, err := telemetry.New(context.Background(), telemetry.Config{
		Traces:  telemetry.TracesConfig{Enabled: true, SampleRatio: 1, OTLP: otlp},
		Metrics: telemetry.MetricsConfig{OTLP: otlp, Interval: time.Hour},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, rec := tel.BeginRequest(context.Background(), telemetry.Request{ID: "req_1", Transport: "openai", SpanName: "POST /v1/chat/completions"})
	rec.NoteStatus(200, "")
	tel.EndRequest(ctx, rec)
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tel.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	got := strings.Join(c.paths, " ")
	if !strings.Contains(got, "/otlp/v1/traces") || !strings.Contains(got, "/otlp/v1/metrics") {
		t.Errorf("collector saw %v", c.paths)
	}
	for _, h := range c.headers {
		if h != "k-123" {
			t.Errorf("export without the header: %q", h)
		}
	}
}

type traceCollector struct {
	collectortrace.UnimplementedTraceServiceServer
	mu    sync.Mutex
	spans int
	keys  []string
}

func (c *traceCollector) Export(ctx context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			c.spans += len(ss.GetSpans())
		}
	}
	c.keys = append(c.keys, md.Get("x-api-key")...)
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

// Spans reach an OTLP/gRPC collector (plaintext for an http:// endpoint).
func TestOTLPOverGRPCReachesTheCollector(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &traceCollector{}
	gs := grpc.NewServer()
	collectortrace.RegisterTraceServiceServer(gs, c)
	go func() { _ = gs.Serve(ln) }()
	defer gs.Stop()

	tel, err := telemetry.New(context.Background(), telemetry.Config{Traces: telemetry.TracesConfig{
		Enabled: true, SampleRatio: 1,
		OTLP: telemetry.OTLPConfig{Endpoint: "http://" + ln.Addr().String(), Headers: map[string]string{"x-api-key": "k-9"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, rec := tel.BeginRequest(context.Background(), telemetry.Request{ID: "req_1", SpanName: "x"})
	tel.EndRequest(ctx, rec)
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tel.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spans != 1 || len(c.keys) == 0 || c.keys[0] != "k-9" {
		t.Errorf("collector got %d spans, keys %v", c.spans, c.keys)
	}
}
