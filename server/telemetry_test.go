package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
	"github.com/switchboard-gw/switchboard/telemetry"
)

// observedServer serves a scripted core with tracing (spans in memory),
// Prometheus metrics on /metrics, and the access log (and the rest of the
// log, at Debug) in logs.
func observedServer(t *testing.T, core *servertest.Core) (*running, *tracetest.InMemoryExporter, *syncBuffer) {
	t.Helper()
	spans := tracetest.NewInMemoryExporter()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tel, err := telemetry.New(context.Background(), telemetry.Config{
		Traces:    telemetry.TracesConfig{Enabled: true, SampleRatio: 1, Exporter: spans},
		Metrics:   telemetry.MetricsConfig{Prometheus: true},
		AccessLog: telemetry.AccessLogConfig{Logger: logger, SampleRatio: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	r := start(t, core, func(o *server.Options) {
		o.Logger, o.Telemetry, o.Metrics = logger, tel, tel.MetricsHandler()
	})
	return r, spans, logs
}

func serverSpans(spans *tracetest.InMemoryExporter) tracetest.SpanStubs {
	var out tracetest.SpanStubs
	for _, s := range spans.GetSpans() {
		if s.SpanKind == trace.SpanKindServer {
			out = append(out, s)
		}
	}
	return out
}

// Every transport continues the caller's W3C trace context and is named
// in the span; health checks and the metrics endpoint are not traced.
func TestEveryTransportContinuesTheCallersTrace(t *testing.T) {
	r, spans, _ := observedServer(t, &servertest.Core{})
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	parent := func(i int) string { return "00f067aa0ba902b" + string(rune('0'+i)) }
	for i, p := range protocols {
		req := withKey(completeMsg(), r.auth.Secret)
		req.Header().Set("traceparent", "00-"+traceID+"-"+parent(i)+"-01")
		if _, err := completionClient(r, p.opts...).Complete(context.Background(), req); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
	}
	hreq, _ := http.NewRequest(http.MethodPost, r.url+"/v1/chat/completions", strings.NewReader(`{"model":"demo","messages":[{"role":"user","content":"hi"}]}`))
	hreq.Header.Set("Authorization", "Bearer "+r.auth.Secret)
	hreq.Header.Set("traceparent", "00-"+traceID+"-"+parent(3)+"-01")
	resp, err := r.client.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := r.client.Get(r.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	waitFor(t, func() bool { return len(serverSpans(spans)) >= 4 })

	want := map[string]string{parent(0): "connect", parent(1): "grpc", parent(2): "grpc_web", parent(3): "openai"}
	got := serverSpans(spans)
	if len(got) != 4 {
		t.Fatalf("%d server spans, want 4 (health and metrics are not traced)", len(got))
	}
	for _, s := range got {
		if s.SpanContext.TraceID().String() != traceID {
			t.Errorf("span %q started a new trace", s.Name)
			continue
		}
		transport := ""
		for _, kv := range s.Attributes {
			if kv.Key == "switchboard.transport" {
				transport = kv.Value.AsString()
			}
		}
		if w := want[s.Parent.SpanID().String()]; w == "" || w != transport {
			t.Errorf("span %q with parent %s has transport %q, want %q", s.Name, s.Parent.SpanID(), transport, w)
		}
	}
}

// A refused key is counted and logged with its outcome, and the access
// record replaces the Debug request line; no secret reaches either.
func TestRefusalsAreCountedAndLoggedWithoutSecrets(t *testing.T) {
	core := &servertest.Core{CompleteFunc: func(context.Context, *llm.Request) (*llm.Response, error) {
		return nil, &llm.Error{Kind: llm.KindRateLimited, Message: "slow down"}
	}}
	r, _, logs := observedServer(t, core)
	wrong := mistype(r.auth.Secret)
	_, err := completionClient(r, connect.WithGRPC()).Complete(context.Background(), withKey(completeMsg(), wrong))
	if codeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("wrong key: %v", err)
	}
	_, err = completionClient(r).Complete(context.Background(), withKey(completeMsg(), r.auth.Secret))
	if codeOf(err) != connect.CodeResourceExhausted {
		t.Fatalf("rate limited: %v", err)
	}
	waitFor(t, func() bool { return strings.Count(logs.String(), "msg=access") >= 2 })
	out := logs.String()
	if !strings.Contains(out, "rpc_code=unauthenticated outcome=unauthenticated") ||
		!strings.Contains(out, "rpc_code=resource_exhausted outcome=rate_limited") || strings.Contains(out, "msg=request") {
		t.Errorf("log:\n%s", out)
	}
	resp, err := r.client.Get(r.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	metrics := string(body)
	if !strings.Contains(metrics, `switchboard_requests_total{alias="",deployment="",operation="chat",outcome="unauthenticated",provider="",transport="grpc"} 1`) {
		t.Errorf("/metrics lacks the refusal:\n%s", metrics)
	}
	for _, secret := range []string{r.auth.Secret, wrong, servertest.AdminKey} {
		if strings.Contains(out, secret) || strings.Contains(metrics, secret) {
			t.Fatal("a secret reached the log or the metrics")
		}
	}
}

// /metrics is served only when the server is given a handler, and then
// needs no key.
func TestMetricsEndpointIsOptional(t *testing.T) {
	plain := start(t, &servertest.Core{}, nil)
	resp, err := plain.client.Get(plain.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics without a handler: %d", resp.StatusCode)
	}
	observed, _, _ := observedServer(t, &servertest.Core{})
	resp, err = observed.client.Get(observed.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
