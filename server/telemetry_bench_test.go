package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/switchboard-gw/switchboard/server"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
	"github.com/switchboard-gw/switchboard/telemetry"
)

// discardSpans is a span exporter that keeps nothing.
type discardSpans struct{}

func (discardSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardSpans) Shutdown(context.Context) error                             { return nil }

// observedBenchHandler is benchHandler with telemetry as `switchboard
// serve` sets it up by default (metrics and a JSON access log), plus
// tracing of every request when traced is set.
func observedBenchHandler(b *testing.B, traced bool) (http.Handler, string) {
	b.Helper()
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	cfg := telemetry.Config{
		Metrics:   telemetry.MetricsConfig{Prometheus: true},
		AccessLog: telemetry.AccessLogConfig{Logger: logger, SampleRatio: 1},
	}
	if traced {
		cfg.Traces = telemetry.TracesConfig{Enabled: true, SampleRatio: 1, Exporter: discardSpans{}}
	}
	tel, err := telemetry.New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	a := servertest.NewAuth(b)
	srv, err := server.New(server.Options{Core: &servertest.Core{}, Keys: a.Keys, Admin: a.Admin, Logger: logger, Telemetry: tel})
	if err != nil {
		b.Fatal(err)
	}
	return srv.Handler(), a.Secret
}

// The cost of the default telemetry per request: compare with
// BenchmarkShimChatCompletion.
func BenchmarkShimChatCompletionObserved(b *testing.B) {
	h, secret := observedBenchHandler(b, false)
	body := []byte(`{"model":"demo","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"Say hello."}],"temperature":0.2,"max_tokens":64}`)
	serveBench(b, h, http.MethodPost, "/v1/chat/completions", "application/json", secret, body)
}

// The same with every request traced.
func BenchmarkShimChatCompletionTraced(b *testing.B) {
	h, secret := observedBenchHandler(b, true)
	body := []byte(`{"model":"demo","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"Say hello."}],"temperature":0.2,"max_tokens":64}`)
	serveBench(b, h, http.MethodPost, "/v1/chat/completions", "application/json", secret, body)
}
