package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/telemetry/metrics"
)

// shimUsage is the usage of a shim chat or embeddings answer.
type shimUsage struct {
	Usage struct {
		PromptTokens     int64 `json:"prompt_tokens"`
		CompletionTokens int64 `json:"completion_tokens"`
	} `json:"usage"`
}

// After a known workload, /metrics (parsed with the Prometheus text
// parser) counts exactly the requests that were sent, by transport,
// operation and outcome, and its token sums equal both the usage the
// callers were told and what the simulator itself served.
func TestMetricsCountTheWorkload(t *testing.T) {
	o, up, _ := observedPair(t)
	ctx := context.Background()
	var toldIn, toldOut int64

	for range 3 {
		resp := o.post(t, "/v1/chat/completions", o.secret, "application/json", chatBody("chat", "Say hello.", false))
		var u shimUsage
		if err := json.Unmarshal(drain(resp), &u); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("unary: %d %v", resp.StatusCode, err)
		}
		toldIn, toldOut = toldIn+u.Usage.PromptTokens, toldOut+u.Usage.CompletionTokens
	}
	for range 2 {
		resp := o.post(t, "/v1/chat/completions", o.secret, "application/json",
			`{"model":"chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Tell a story."}]}`)
		events, done := readSSE(t, resp.Body)
		if !done {
			t.Fatal("stream did not finish")
		}
		var u shimUsage
		if err := json.Unmarshal([]byte(events[len(events)-1].raw), &u); err != nil {
			t.Fatal(err)
		}
		toldIn, toldOut = toldIn+u.Usage.PromptTokens, toldOut+u.Usage.CompletionTokens
	}
	client := switchboardv1connect.NewCompletionServiceClient(o.h2c, o.url, connectProtocols[2].opts...) // gRPC
	for range 2 {
		resp, err := client.Complete(ctx, authed(&switchboardv1.CompleteRequest{Model: "chat", Messages: userMessage("Hi.")}, o.secret))
		if err != nil {
			t.Fatal(err)
		}
		toldIn, toldOut = toldIn+resp.Msg.GetUsage().GetInputTokens(), toldOut+resp.Msg.GetUsage().GetOutputTokens()
	}
	resp := o.post(t, "/v1/embeddings", o.secret, "application/json", `{"model":"embed","input":["one","two three"]}`)
	var eu shimUsage
	if err := json.Unmarshal(drain(resp), &eu); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("embeddings: %d %v", resp.StatusCode, err)
	}
	toldIn += eu.Usage.PromptTokens
	// Two failures: a wrong key, an unknown model.
	if resp := o.post(t, "/v1/chat/completions", "sk-sb-not-a-key", "application/json", chatBody("chat", "x", false)); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad key: %d", resp.StatusCode)
	}
	if resp := o.post(t, "/v1/chat/completions", o.secret, "application/json", chatBody("nope", "x", false)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown model: %d", resp.StatusCode)
	}

	var m map[string]*dto.MetricFamily
	// A request is counted just after its response is written: wait for
	// the last one.
	eventually(t, "every request counted", func() bool {
		m = o.scrape(t)
		return sumOf(m, "switchboard_requests_total", map[string]string{"outcome": "not_found"}) == 1
	})
	counts := []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"transport": "openai", "operation": "chat", "alias": "chat", "deployment": "main", "provider": "up", "outcome": "ok"}, 5},
		{map[string]string{"transport": "grpc", "operation": "chat", "alias": "chat", "outcome": "ok"}, 2},
		{map[string]string{"transport": "openai", "operation": "embeddings", "deployment": "vectors", "outcome": "ok"}, 1},
		{map[string]string{"transport": "openai", "outcome": "unauthenticated", "alias": ""}, 1},
		{map[string]string{"transport": "openai", "outcome": "not_found", "alias": ""}, 1},
		{map[string]string{"transport": "connect", "operation": "admin", "outcome": "ok"}, 1}, // CreateKey
	}
	for _, c := range counts {
		if got := sumOf(m, "switchboard_requests_total", c.labels); got != c.want {
			t.Errorf("switchboard_requests_total%v = %v, want %v", c.labels, got, c.want)
		}
	}
	if got := sumOf(m, "switchboard_requests_total", nil); got != 11 {
		t.Errorf("%v requests in all, want 11", got)
	}

	served := up.sim.Served()
	in := sumOf(m, "gen_ai_client_token_usage", map[string]string{"gen_ai_token_type": "input"})
	out := sumOf(m, "gen_ai_client_token_usage", map[string]string{"gen_ai_token_type": "output"})
	if int64(in) != toldIn || int64(in) != served.PromptTokens {
		t.Errorf("input tokens: metric %v, told callers %d, simulator served %d", in, toldIn, served.PromptTokens)
	}
	if int64(out) != toldOut || int64(out) != served.CompletionTokens {
		t.Errorf("output tokens: metric %v, told callers %d, simulator served %d", out, toldOut, served.CompletionTokens)
	}
	if n := countOf(m, "gen_ai_client_token_usage", map[string]string{"gen_ai_token_type": "input"}); n != 8 {
		t.Errorf("%d attempts with tokens, want 8", n)
	}
	if n := countOf(m, "gen_ai_client_token_usage", map[string]string{"gen_ai_token_type": "input", "gen_ai_operation_name": "embeddings"}); n != 1 {
		t.Errorf("%d embeddings attempts with tokens, want 1", n)
	}
	if n := countOf(m, "gen_ai_server_time_to_first_token_seconds", map[string]string{"gen_ai_request_model": "chat"}); n != 2 {
		t.Errorf("%d times to first token, want 2 (the streams)", n)
	}
	if n := countOf(m, "switchboard_request_duration_seconds", nil); n != 11 {
		t.Errorf("%d request durations, want 11", n)
	}
	if n := countOf(m, "switchboard_gateway_overhead_seconds", map[string]string{"phase": "unary"}); n == 0 {
		t.Error("no gateway overhead recorded for unary requests")
	}
	if got := sumOf(m, "switchboard_requests_in_flight", nil); got != 0 {
		t.Errorf("%v requests still in flight", got)
	}
	if f := m["switchboard_deployment_breaker_state"]; f == nil || len(f.GetMetric()) != 3 {
		t.Errorf("breaker states: %v", f)
	}
	// No key id ever becomes a label.
	for name, f := range m {
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetValue() == o.keyID || strings.Contains(l.GetValue(), "sk-sb-") {
					t.Errorf("%s has a label %s=%s", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
}

// metricName matches Switchboard's metric names; labelParts matches the
// parts of a PromQL expression that name labels, not metrics (matchers in
// braces, by and without clauses).
var (
	metricName = regexp.MustCompile(`\b(?:switchboard|gen_ai)_[a-z0-9_]+\b`)
	labelParts = regexp.MustCompile(`\{[^}]*\}|\b(?:by|without)\s*\([^)]*\)`)
)

// metricsIn returns the metric names a PromQL expression (or a Grafana
// label_values() query) refers to.
func metricsIn(expr string) []string {
	return metricName.FindAllString(labelParts.ReplaceAllString(expr, " "), -1)
}

// Every metric docs/grafana/switchboard.json queries is in /metrics after
// a workload. The workload includes a failover (fallbacks), a stream
// (time to first token) and failures; cost, rejections and the ledger are
// recorded through the API their components call (package metrics), since
// those components feed them from outside the request path.
func TestDashboardQueriesOnlyExportedMetrics(t *testing.T) {
	raw, err := os.ReadFile("../docs/grafana/switchboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	queried := map[string][]string{}
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, name := range metricsIn(tg.Expr) {
				queried[name] = append(queried[name], p.Title)
			}
		}
	}
	for _, v := range dash.Templating.List {
		for _, name := range metricsIn(v.Definition) {
			queried[name] = append(queried[name], "variable")
		}
	}
	if len(queried) < 10 {
		t.Fatalf("the dashboard queries only %d metrics: %v", len(queried), queried)
	}

	o, _, _ := observedPair(t)
	drain(o.post(t, "/v1/chat/completions", o.secret, "application/json", chatBody("chat", "hi", false)))
	resp := o.post(t, "/v1/chat/completions", o.secret, "application/json", chatBody("chat", "Tell a story.", true))
	if _, done := readSSE(t, resp.Body); !done {
		t.Fatal("stream did not finish")
	}
	drain(o.post(t, "/v1/chat/completions", o.secret, "application/json", chatBody("failover", "hi", false)))
	drain(o.post(t, "/v1/chat/completions", o.secret, "application/json", chatBody("nope", "hi", false)))
	ctx := context.Background()
	m := o.tel.Metrics()
	m.RecordCost(ctx, metrics.Cost{NanoUSD: 1_000_000, Attempt: 1, Alias: "chat", Deployment: "main", Provider: "up"})
	m.RecordRateLimited(ctx, metrics.RateLimit{Scope: "key", Limit: "rpm"})
	m.RecordBudgetRejected(ctx, metrics.BudgetRejection{Scope: "team", Period: "monthly", Action: "reject"})
	unregister, err := m.RegisterLedger(func(context.Context) metrics.LedgerStats { return metrics.LedgerStats{Backend: "sqlite"} })
	if err != nil {
		t.Fatal(err)
	}
	defer unregister()

	var exported map[string]*dto.MetricFamily
	eventually(t, "the workload's requests counted", func() bool {
		exported = o.scrape(t)
		return sumOf(exported, "switchboard_requests_total", map[string]string{"outcome": "not_found"}) == 1
	})
	var missing []string
	for name, panels := range queried {
		if !present(exported, name) {
			missing = append(missing, name+" (in "+strings.Join(panels, ", ")+")")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("the dashboard queries metrics /metrics does not have:\n%s", strings.Join(missing, "\n"))
	}
}

// present reports whether name is an exported family, or a histogram's
// _bucket, _sum or _count series.
func present(families map[string]*dto.MetricFamily, name string) bool {
	if families[name] != nil {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			if f := families[base]; f != nil && f.GetType() == dto.MetricType_HISTOGRAM {
				return true
			}
		}
	}
	return false
}
