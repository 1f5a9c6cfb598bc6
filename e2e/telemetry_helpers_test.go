package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/store/sqlite"
	"github.com/switchboard-gw/switchboard/telemetry"
)

// observed is a running gateway wired as "switchboard serve" wires it with
// telemetry on, its spans kept in memory, its metrics readable both from
// a ManualReader and from /metrics, and its access log in a buffer.
type observed struct {
	*gw
	core   *gateway.Gateway
	tel    *telemetry.Telemetry
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
	logs   *lockedBuffer
	keyID  string
	secret string
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startObserved runs the gateway of configuration yml (demo aliases off
// unless yml says otherwise) with telemetry, and issues a virtual key.
func startObserved(t *testing.T, yml string) *observed {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "switchboard.yaml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) (string, bool) { return "", false }
	cfg, err := config.Load(path, noEnv)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	o := &observed{spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader(), logs: &lockedBuffer{}}
	logger := slog.New(slog.NewJSONHandler(o.logs, nil))
	o.tel, err = telemetry.New(ctx, telemetry.Config{
		Traces:    telemetry.TracesConfig{Enabled: true, SampleRatio: 1, Exporter: o.spans},
		Metrics:   telemetry.MetricsConfig{Prometheus: true, Readers: []sdkmetric.Reader{o.reader}},
		AccessLog: telemetry.AccessLogConfig{Logger: logger, SampleRatio: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	o.core, err = gateway.New(cfg, gateway.WithInstrumentation(gateway.Instrumentation{
		Attempts: o.tel.AttemptHook(), Provider: o.tel.WrapProvider,
	}))
	if err != nil {
		t.Fatalf("gateway: %v", err)
	}
	adminKey, _, _, err := auth.LoadAdminKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	serverSecret, err := auth.LoadOrCreateServerSecret(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	admin := auth.NewAdmin(adminKey)
	srv, err := server.New(server.Options{
		Core:      o.core,
		Keys:      auth.NewKeys(st, serverSecret, auth.WithAdmin(admin)),
		Admin:     admin,
		Logger:    logger,
		Telemetry: o.tel,
		Metrics:   o.tel.MetricsHandler(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	o.gw = &gw{
		url:      "http://" + ln.Addr().String(),
		adminKey: adminKey,
		h2c:      &http.Client{Transport: &http.Transport{Protocols: &p}},
		http1:    &http.Client{Transport: &http.Transport{}},
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(serveCtx, ln) }()
	t.Cleanup(func() {
		o.h2c.CloseIdleConnections()
		o.http1.CloseIdleConnections()
		stop()
		select {
		case <-served:
		case <-time.After(time.Minute):
			t.Error("server did not shut down")
		}
		_ = o.tel.Shutdown(context.Background())
		_ = st.Close()
	})
	o.keyID, o.secret = o.createKey(t, "observed")
	return o
}

// upstream is a simulator behind a real HTTP listener, recording the W3C
// traceparent of every request it receives.
type upstream struct {
	sim *sim.Server
	url string

	mu           sync.Mutex
	traceparents []string
}

func startUpstream(t *testing.T, opts sim.Options) *upstream {
	t.Helper()
	u := &upstream{sim: sim.New(opts)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.traceparents = append(u.traceparents, r.Header.Get("traceparent"))
		u.mu.Unlock()
		u.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	u.url = srv.URL
	return u
}

func (u *upstream) seen() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.traceparents...)
}

// scrape reads /metrics and parses it with the Prometheus text parser.
func (o *observed) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	resp := o.do(t, http.MethodGet, "/metrics", "", "", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return families
}

// sumOf adds the values (counter, gauge, or histogram sum) of family's
// series whose labels include every pair of match.
func sumOf(families map[string]*dto.MetricFamily, family string, match map[string]string) float64 {
	f := families[family]
	if f == nil {
		return 0
	}
	var total float64
	for _, m := range f.GetMetric() {
		if !labelsMatch(m, match) {
			continue
		}
		switch {
		case m.Counter != nil:
			total += m.GetCounter().GetValue()
		case m.Gauge != nil:
			total += m.GetGauge().GetValue()
		case m.Histogram != nil:
			total += m.GetHistogram().GetSampleSum()
		}
	}
	return total
}

// countOf adds the sample counts of a histogram family's matching series.
func countOf(families map[string]*dto.MetricFamily, family string, match map[string]string) uint64 {
	var total uint64
	if f := families[family]; f != nil {
		for _, m := range f.GetMetric() {
			if labelsMatch(m, match) && m.Histogram != nil {
				total += m.GetHistogram().GetSampleCount()
			}
		}
	}
	return total
}

func labelsMatch(m *dto.Metric, match map[string]string) bool {
	have := map[string]string{}
	for _, l := range m.GetLabel() {
		have[l.GetName()] = l.GetValue()
	}
	for k, v := range match {
		if have[k] != v {
			return false
		}
	}
	return true
}

// spanAttrs returns a span's attributes by key.
func spanAttrs(kvs []attribute.KeyValue) map[string]attribute.Value {
	out := make(map[string]attribute.Value, len(kvs))
	for _, kv := range kvs {
		out[string(kv.Key)] = kv.Value
	}
	return out
}

// accessRecords returns the access log's records.
func (o *observed) accessRecords(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(o.logs.String(), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == "access" {
			out = append(out, rec)
		}
	}
	return out
}

// drain reads and closes a response body.
func drain(resp *http.Response) []byte {
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return b
}
