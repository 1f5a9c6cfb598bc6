package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// observedConfig routes "chat" and "embed" to a healthy simulator and
// "failover" first to a simulator that answers every request with 500,
// then to the healthy one. Both simulators are real HTTP servers reached
// through the real OpenAI translator, so the test sees what they receive.
const observedConfig = `
defaults: {demo: false, env_providers: false}
providers:
  up: {kind: openai, vendor: openai, base_url: %s/v1, auth: none}
  down: {kind: openai, vendor: openai, base_url: %s/v1, auth: none}
deployments:
  main: {provider: up, model: sim-chat}
  bad: {provider: down, model: sim-chat, breaker: {enabled: false}}
  vectors: {provider: up, model: sim-embed}
aliases:
  chat: {deployments: [main]}
  failover: {deployments: [bad, main], retry: {max_retries: 0}}
  embed: {deployments: [vectors]}
`

// observedPair starts the two simulators and a gateway over them.
func observedPair(t *testing.T) (*observed, *upstream, *upstream) {
	t.Helper()
	up := startUpstream(t, sim.Options{})
	down := startUpstream(t, sim.Options{Faults: []sim.FaultRule{{Probability: 1, Fault: sim.Fault{Status: 500}}}})
	return startObserved(t, fmt.Sprintf(observedConfig, up.url, down.url)), up, down
}

// spansOf waits until the server spans of n requests have ended (a span
// ends just after its response is written) and returns every span.
func (o *observed) spansOf(t *testing.T, n int) tracetest.SpanStubs {
	t.Helper()
	eventually(t, fmt.Sprintf("%d server spans", n), func() bool {
		count := 0
		for _, s := range o.spans.GetSpans() {
			if s.SpanKind == trace.SpanKindServer {
				count++
			}
		}
		return count >= n
	})
	return o.spans.GetSpans()
}

func childrenOf(spans tracetest.SpanStubs, parent trace.SpanContext) tracetest.SpanStubs {
	var out tracetest.SpanStubs
	for _, s := range spans {
		if s.Parent.SpanID() == parent.SpanID() && s.Parent.TraceID() == parent.TraceID() {
			out = append(out, s)
		}
	}
	return out
}

// A unary completion on each Connect protocol: the server span continues
// the caller's traceparent, the attempt span is its child with the GenAI
// attributes, and the provider receives the attempt span's context.
func TestTracesFollowAUnaryCallToTheProvider(t *testing.T) {
	o, up, _ := observedPair(t)
	for i, p := range connectProtocols {
		t.Run(p.name, func(t *testing.T) {
			o.spans.Reset()
			traceID := fmt.Sprintf("%032x", 0xabc0+i)
			parentID := fmt.Sprintf("%016x", 0x1234+i)
			client := switchboardv1connect.NewCompletionServiceClient(o.h2c, o.url, p.opts...)
			maxTokens := int64(200)
			req := authed(&switchboardv1.CompleteRequest{Model: "chat", Messages: userMessage("Say hello."), MaxTokens: &maxTokens}, o.secret)
			req.Header().Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
			resp, err := client.Complete(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			spans := o.spansOf(t, 1)

			var server tracetest.SpanStub
			for _, s := range spans {
				if s.SpanKind == trace.SpanKindServer {
					server = s
				}
			}
			if server.Name != "switchboard.v1.CompletionService/Complete" {
				t.Fatalf("server span %q", server.Name)
			}
			if server.SpanContext.TraceID().String() != traceID || server.Parent.SpanID().String() != parentID || !server.Parent.IsRemote() {
				t.Fatalf("server span does not continue the caller's trace: trace %s parent %s", server.SpanContext.TraceID(), server.Parent.SpanID())
			}
			sa := spanAttrs(server.Attributes)
			usage := resp.Msg.GetUsage()
			wantServer := map[string]any{
				"gen_ai.operation.name":      "chat",
				"gen_ai.request.model":       "chat",
				"gen_ai.response.model":      resp.Msg.GetModel(),
				"gen_ai.provider.name":       "openai",
				"gen_ai.request.max_tokens":  int64(200),
				"gen_ai.usage.input_tokens":  usage.GetInputTokens(),
				"gen_ai.usage.output_tokens": usage.GetOutputTokens(),
				"switchboard.alias":          "chat",
				"switchboard.deployment":     "main",
				"switchboard.key.id":         o.keyID,
				"switchboard.team.id":        "team_default",
				"switchboard.outcome":        "ok",
				"rpc.response.status_code":   "OK",
				"switchboard.attempts":       int64(1),
			}
			checkAttrs(t, "server span", sa, wantServer)
			wantTransport := map[string]string{"connect": "connect", "connect+json": "connect", "grpc": "grpc", "grpcweb": "grpc_web"}[p.name]
			if got := sa["switchboard.transport"].AsString(); got != wantTransport {
				t.Errorf("transport %q, want %q", got, wantTransport)
			}

			attempts := childrenOf(spans, server.SpanContext)
			if len(attempts) != 1 {
				t.Fatalf("%d attempt spans, want 1", len(attempts))
			}
			a := attempts[0]
			if a.SpanKind != trace.SpanKindClient || a.Name != "chat sim-chat" {
				t.Errorf("attempt span %q kind %v", a.Name, a.SpanKind)
			}
			checkAttrs(t, "attempt span", spanAttrs(a.Attributes), map[string]any{
				"gen_ai.operation.name":          "chat",
				"gen_ai.provider.name":           "openai",
				"gen_ai.request.model":           "sim-chat",
				"gen_ai.response.model":          resp.Msg.GetModel(),
				"gen_ai.response.id":             resp.Msg.GetId(),
				"gen_ai.response.finish_reasons": []string{"stop"},
				"gen_ai.usage.input_tokens":      usage.GetInputTokens(),
				"gen_ai.usage.output_tokens":     usage.GetOutputTokens(),
				"gen_ai.request.max_tokens":      int64(200),
				"switchboard.alias":              "chat",
				"switchboard.deployment":         "main",
				"switchboard.provider":           "up",
				"switchboard.attempt.number":     int64(1),
				"switchboard.attempt.reason":     "first",
				"switchboard.attempt.outcome":    "ok",
				"switchboard.key.id":             o.keyID,
			})

			seen := up.seen()
			last := seen[len(seen)-1]
			want := "00-" + traceID + "-" + a.SpanContext.SpanID().String() + "-01"
			if last != want {
				t.Errorf("the provider received traceparent %q, want the attempt span's %q", last, want)
			}
		})
	}
}

// A stream through the OpenAI shim: the server span carries the time to
// first token and the usage, the attempt span the first-token event and
// the finish reason, and the access log has one record with them.
func TestTracesAndAccessLogOfAStream(t *testing.T) {
	o, _, _ := observedPair(t)
	resp := o.post(t, "/v1/chat/completions", o.secret, "application/json",
		`{"model":"chat","stream":true,"stream_options":{"include_usage":true},"temperature":0.5,"messages":[{"role":"user","content":"Tell a short story."}]}`)
	events, done := readSSE(t, resp.Body)
	if resp.StatusCode != http.StatusOK || !done || len(events) < 3 {
		t.Fatalf("stream: %d, %d events, done %v", resp.StatusCode, len(events), done)
	}
	spans := o.spansOf(t, 2) // CreateKey, then the stream
	var server tracetest.SpanStub
	for _, s := range spans {
		if s.SpanKind == trace.SpanKindServer && s.Name == "POST /v1/chat/completions" {
			server = s
		}
	}
	sa := spanAttrs(server.Attributes)
	checkAttrs(t, "server span", sa, map[string]any{
		"switchboard.stream":             true,
		"switchboard.transport":          "openai",
		"http.route":                     "/v1/chat/completions",
		"http.response.status_code":      int64(200),
		"gen_ai.request.temperature":     0.5,
		"gen_ai.response.finish_reasons": []string{"stop"},
	})
	if sa["switchboard.time_to_first_token"].AsFloat64() <= 0 || sa["gen_ai.usage.output_tokens"].AsInt64() <= 0 {
		t.Errorf("server span lacks time to first token or usage: %v", sa)
	}
	attempts := childrenOf(spans, server.SpanContext)
	if len(attempts) != 1 {
		t.Fatalf("%d attempt spans", len(attempts))
	}
	a := attempts[0]
	checkAttrs(t, "attempt span", spanAttrs(a.Attributes), map[string]any{
		"gen_ai.response.finish_reasons": []string{"stop"},
		"switchboard.attempt.outcome":    "ok",
		"gen_ai.usage.output_tokens":     sa["gen_ai.usage.output_tokens"].AsInt64(),
	})
	if len(a.Events) != 1 || a.Events[0].Name != "gen_ai.first_token" || !a.Events[0].Time.After(a.StartTime) || a.Events[0].Time.After(a.EndTime) {
		t.Errorf("attempt events %+v between %v and %v", a.Events, a.StartTime, a.EndTime)
	}

	var rec map[string]any
	eventually(t, "the stream's access record", func() bool {
		for _, r := range o.accessRecords(t) {
			if r["path"] == "/v1/chat/completions" {
				rec = r
				return true
			}
		}
		return false
	})
	for k, want := range map[string]any{
		"transport": "openai", "status": float64(200), "outcome": "ok", "key_id": o.keyID, "team_id": "team_default",
		"model": "chat", "alias": "chat", "deployment": "main", "provider": "up", "stream": true,
		"output_tokens": float64(sa["gen_ai.usage.output_tokens"].AsInt64()),
		"trace_id":      server.SpanContext.TraceID().String(),
	} {
		if rec[k] != want {
			t.Errorf("access record %s = %v, want %v", k, rec[k], want)
		}
	}
	if ttft, _ := rec["ttft_ms"].(float64); ttft <= 0 {
		t.Errorf("access record without ttft_ms: %v", rec)
	}
	if strings.Contains(o.logs.String(), o.secret) || strings.Contains(o.logs.String(), o.adminKey) {
		t.Fatal("a secret reached the log")
	}
}

// A failover: the first deployment answers 500, the second serves. The
// first attempt span is an error with the upstream status, the second
// says where it moved from and why, and the fallback is counted.
func TestTracesAndMetricsOfAFailover(t *testing.T) {
	o, up, down := observedPair(t)
	resp := o.post(t, "/v1/chat/completions", o.secret, "application/json", chatBody("failover", "hello", false))
	if body := drain(resp); resp.StatusCode != http.StatusOK {
		t.Fatalf("failover: %d %s", resp.StatusCode, body)
	}
	spans := o.spansOf(t, 2)
	var server tracetest.SpanStub
	for _, s := range spans {
		if s.SpanKind == trace.SpanKindServer && s.Name == "POST /v1/chat/completions" {
			server = s
		}
	}
	checkAttrs(t, "server span", spanAttrs(server.Attributes), map[string]any{
		"switchboard.attempts": int64(2), "switchboard.deployment": "main", "switchboard.outcome": "ok",
	})
	if server.Status.Code == codes.Error {
		t.Error("a request that failed over and succeeded is marked failed")
	}
	attempts := childrenOf(spans, server.SpanContext)
	if len(attempts) != 2 {
		t.Fatalf("%d attempt spans, want 2", len(attempts))
	}
	first, second := attempts[0], attempts[1]
	if spanAttrs(first.Attributes)["switchboard.attempt.number"].AsInt64() != 1 {
		first, second = second, first
	}
	checkAttrs(t, "failed attempt", spanAttrs(first.Attributes), map[string]any{
		"switchboard.deployment": "bad", "switchboard.attempt.outcome": "failed", "error.type": "upstream",
		"switchboard.upstream.status": int64(500), "switchboard.attempt.reason": "first",
	})
	if first.Status.Code != codes.Error {
		t.Errorf("failed attempt status %v", first.Status)
	}
	checkAttrs(t, "failover attempt", spanAttrs(second.Attributes), map[string]any{
		"switchboard.deployment": "main", "switchboard.attempt.number": int64(2), "switchboard.attempt.reason": "failover",
		"switchboard.attempt.previous_deployment": "bad", "switchboard.attempt.cause": "upstream",
		"switchboard.attempt.outcome": "ok",
	})
	// Each simulator saw its own attempt's span context.
	if d, u := down.seen(), up.seen(); len(d) != 1 || len(u) != 1 ||
		!strings.Contains(d[0], first.SpanContext.SpanID().String()) || !strings.Contains(u[0], second.SpanContext.SpanID().String()) {
		t.Errorf("traceparents: down %v, up %v", d, u)
	}

	m := o.scrape(t)
	if n := sumOf(m, "switchboard_fallbacks_total", map[string]string{
		"kind": "failover", "cause": "upstream", "from_deployment": "bad", "to_deployment": "main", "from_provider": "down", "to_provider": "up",
	}); n != 1 {
		t.Errorf("fallbacks counted %v, want 1", n)
	}
	if n := sumOf(m, "switchboard_attempts_total", map[string]string{"deployment": "bad", "outcome": "failed", "reason": "first"}); n != 1 {
		t.Errorf("failed attempts counted %v, want 1", n)
	}
	if n := sumOf(m, "switchboard_attempts_total", map[string]string{"deployment": "main", "outcome": "ok", "reason": "failover"}); n != 1 {
		t.Errorf("failover attempts counted %v, want 1", n)
	}
	if n := countOf(m, "gen_ai_client_operation_duration_seconds", map[string]string{"switchboard_deployment": "bad", "error_type": "upstream"}); n != 1 {
		t.Errorf("failed attempt durations %d, want 1", n)
	}
}

// checkAttrs compares the attributes named in want.
func checkAttrs(t *testing.T, what string, got map[string]attribute.Value, want map[string]any) {
	t.Helper()
	for k, w := range want {
		v, ok := got[k]
		if !ok {
			t.Errorf("%s: no attribute %s", what, k)
			continue
		}
		if g := v.AsInterface(); fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("%s: %s = %v, want %v", what, k, g, w)
		}
	}
}
