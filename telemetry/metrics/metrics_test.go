package metrics_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
	"github.com/switchboard-gw/switchboard/telemetry/call"
	"github.com/switchboard-gw/switchboard/telemetry/metrics"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

func newMetrics(t *testing.T, opts metrics.Options, readerOpts ...sdkmetric.ManualReaderOption) (*metrics.Metrics, *sdkmetric.ManualReader) {
	t.Helper()
	reader := sdkmetric.NewManualReader(readerOpts...)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	m, err := metrics.New(mp.Meter(metrics.ScopeName), opts)
	if err != nil {
		t.Fatal(err)
	}
	return m, reader
}

// collect returns the metrics by name.
func collect(t *testing.T, r *sdkmetric.ManualReader) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

func has(set attribute.Set, want map[string]string) bool {
	for k, v := range want {
		if got, ok := set.Value(attribute.Key(k)); !ok || got.AsString() != v {
			return false
		}
	}
	return true
}

// value is the sum of the matching points of a counter or gauge.
func value(t *testing.T, m metricdata.Metrics, want map[string]string) float64 {
	t.Helper()
	var total float64
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			if has(p.Attributes, want) {
				total += float64(p.Value)
			}
		}
	case metricdata.Sum[float64]:
		for _, p := range d.DataPoints {
			if has(p.Attributes, want) {
				total += p.Value
			}
		}
	case metricdata.Gauge[int64]:
		for _, p := range d.DataPoints {
			if has(p.Attributes, want) {
				total += float64(p.Value)
			}
		}
	default:
		t.Fatalf("%s is a %T", m.Name, m.Data)
	}
	return total
}

// A nil *Metrics is what code without telemetry holds: every call is a
// no-op, and a cost still reaches the request's record.
func TestNilMetricsRecordNothing(t *testing.T) {
	var m *metrics.Metrics
	rec := &call.Record{}
	ctx := call.With(context.Background(), rec)
	m.RecordCost(ctx, metrics.Cost{NanoUSD: 7, Attempt: 1})
	m.RecordRateLimited(ctx, metrics.RateLimit{Scope: "key", Limit: "rpm"})
	m.RecordBudgetRejected(ctx, metrics.BudgetRejection{Scope: "team"})
	m.RequestStarted(ctx, "openai")
	m.RequestEnded(ctx, rec, "")
	m.AttemptStarted(ctx, rec, &llm.Attempt{Reason: llm.AttemptFailover})
	m.AttemptEnded(ctx, &llm.Attempt{}, "chat", "")
	if u, err := m.RegisterLedger(func(context.Context) metrics.LedgerStats { return metrics.LedgerStats{} }); err != nil || u() != nil {
		t.Fatal("nil RegisterLedger failed")
	}
	if n, ok := rec.Cost(); !ok || n != 7 {
		t.Errorf("request cost %d %v", n, ok)
	}
}

func TestCostIsCountedInDollarsAndOnTheRequest(t *testing.T) {
	for _, teamLabel := range []bool{false, true} {
		m, r := newMetrics(t, metrics.Options{TeamLabel: teamLabel})
		rec := &call.Record{}
		ctx := call.With(context.Background(), rec)
		m.RecordCost(ctx, metrics.Cost{NanoUSD: 1_250_000_000, Attempt: 1, Alias: "fast", Deployment: "d1", Provider: "p", TeamID: "team_1"})
		m.RecordCost(ctx, metrics.Cost{NanoUSD: 250_000_000, Attempt: 2, Alias: "openai/gpt-9", Deployment: "openai/gpt-9", Provider: "openai", TeamID: "team_1"})
		got := collect(t, r)["switchboard.cost.usd"]
		if v := value(t, got, map[string]string{"deployment": "d1", "alias": "fast"}); v != 1.25 {
			t.Errorf("cost %v, want 1.25", v)
		}
		if v := value(t, got, map[string]string{"deployment": "openai/*", "alias": "openai/*"}); v != 0.25 {
			t.Errorf("passthrough cost %v, want 0.25 under openai/*", v)
		}
		withTeam := value(t, got, map[string]string{"team": "team_1"})
		if (teamLabel && withTeam != 1.5) || (!teamLabel && withTeam != 0) {
			t.Errorf("team label %v: cost with team %v", teamLabel, withTeam)
		}
		if n, _ := rec.Cost(); n != 1_500_000_000 {
			t.Errorf("request cost %d", n)
		}
	}
}

func TestRejectionsAreCounted(t *testing.T) {
	m, r := newMetrics(t, metrics.Options{})
	ctx := context.Background()
	m.RecordRateLimited(ctx, metrics.RateLimit{Scope: "key", Limit: "rpm"})
	m.RecordRateLimited(ctx, metrics.RateLimit{Scope: "key", Limit: "rpm"})
	m.RecordRateLimited(ctx, metrics.RateLimit{Scope: "team", Limit: "tpm"})
	m.RecordBudgetRejected(ctx, metrics.BudgetRejection{Scope: "user", Period: "monthly", Action: "downgrade"})
	got := collect(t, r)
	if v := value(t, got["switchboard.ratelimit.rejections"], map[string]string{"scope": "key", "limit": "rpm"}); v != 2 {
		t.Errorf("rpm rejections %v", v)
	}
	if v := value(t, got["switchboard.budget.rejections"], map[string]string{"scope": "user", "period": "monthly", "action": "downgrade"}); v != 1 {
		t.Errorf("budget rejections %v", v)
	}
}

func TestLedgerGaugesReportWhileRegistered(t *testing.T) {
	m, r := newMetrics(t, metrics.Options{})
	if _, ok := collect(t, r)["switchboard.ledger.queue"]; ok {
		t.Fatal("ledger gauges reported before a ledger registered")
	}
	unregister, err := m.RegisterLedger(func(context.Context) metrics.LedgerStats {
		return metrics.LedgerStats{Backend: "postgres", Queue: 12, SpoolRecords: 3, SpoolBytes: 4096}
	})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, r)
	for name, want := range map[string]float64{"switchboard.ledger.queue": 12, "switchboard.ledger.spool.records": 3, "switchboard.ledger.spool.size": 4096} {
		if v := value(t, got[name], map[string]string{"backend": "postgres"}); v != want {
			t.Errorf("%s = %v, want %v", name, v, want)
		}
	}
	if err := unregister(); err != nil {
		t.Fatal(err)
	}
	if g, ok := collect(t, r)["switchboard.ledger.queue"]; ok && len(g.Data.(metricdata.Gauge[int64]).DataPoints) > 0 {
		t.Error("ledger gauges still reported after unregistering")
	}
}

func TestBreakerStatesAreObserved(t *testing.T) {
	m, r := newMetrics(t, metrics.Options{})
	unregister, err := m.ObserveDeployments(func() ([]router.DeploymentStatus, []router.AliasStatus) {
		return []router.DeploymentStatus{
			{Name: "a", Provider: "p", Breaker: router.BreakerClosed},
			{Name: "b", Provider: "p", Breaker: router.BreakerOpen, Opened: 3},
			{Name: "c", Provider: "q", Breaker: router.BreakerHalfOpen, Opened: 1},
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer unregister()
	got := collect(t, r)
	for d, want := range map[string]float64{"a": metrics.BreakerClosed, "b": metrics.BreakerOpen, "c": metrics.BreakerHalfOpen} {
		if v := value(t, got["switchboard.deployment.breaker.state"], map[string]string{"deployment": d}); v != want {
			t.Errorf("breaker of %s = %v, want %v", d, v, want)
		}
	}
	if v := value(t, got["switchboard.deployment.breaker.opened"], map[string]string{"deployment": "b"}); v != 3 {
		t.Errorf("opened %v", v)
	}
}

func TestRequestsAndAttemptsAreRecorded(t *testing.T) {
	m, r := newMetrics(t, metrics.Options{})
	ctx := context.Background()
	rec := &call.Record{Start: time.Now().Add(-2 * time.Second), Transport: "openai", Operation: call.OperationChat, Stream: true}
	m.RequestStarted(ctx, rec.Transport)
	rec.NoteAttempt(&llm.Attempt{Deployment: "d0", Provider: "p0", Outcome: llm.OutcomeFailed, ErrorKind: llm.KindOverloaded})
	fail := &llm.Attempt{Number: 1, Alias: "fast", Deployment: "d0", Provider: "p0", Model: "m0", Reason: llm.AttemptFirst,
		Outcome: llm.OutcomeFailed, ErrorKind: llm.KindOverloaded, Latency: time.Second, Usage: llm.Usage{InputTokens: 9}, UsageEstimated: true}
	m.AttemptEnded(ctx, fail, "chat", "openai")
	next := &llm.Attempt{Number: 2, Alias: "fast", Deployment: "d1", Provider: "p1", Model: "m1", Reason: llm.AttemptFailover}
	m.AttemptStarted(ctx, rec, next)
	next.Outcome, next.Latency, next.Usage = llm.OutcomeOK, time.Second, llm.Usage{InputTokens: 10, OutputTokens: 21}
	m.AttemptEnded(ctx, next, "chat", "anthropic")
	rec.FirstToken = rec.Start.Add(500 * time.Millisecond)
	rec.End = rec.Start.Add(2500 * time.Millisecond)
	rec.Usage, rec.HasUsage = next.Usage, true
	rec.Alias, rec.Deployment, rec.Provider, rec.Status = "fast", "d1", "p1", 200
	m.RequestEnded(ctx, rec, "anthropic")

	got := collect(t, r)
	if v := value(t, got["switchboard.requests"], map[string]string{"transport": "openai", "alias": "fast", "deployment": "d1", "outcome": "ok", "operation": "chat"}); v != 1 {
		t.Errorf("requests %v", v)
	}
	if v := value(t, got["switchboard.requests.in_flight"], map[string]string{"transport": "openai"}); v != 0 {
		t.Errorf("in flight %v", v)
	}
	if v := value(t, got["switchboard.fallbacks"], map[string]string{"kind": "failover", "cause": "overloaded", "from_deployment": "d0", "to_deployment": "d1"}); v != 1 {
		t.Errorf("fallbacks %v", v)
	}
	if v := value(t, got["switchboard.attempts"], map[string]string{"deployment": "d0", "outcome": "failed"}); v != 1 {
		t.Errorf("failed attempts %v", v)
	}
	// Tokens: only the attempt that answered (the failed one's prompt is an
	// estimate, not consumption).
	hist := got["gen_ai.client.token.usage"].Data.(metricdata.Histogram[int64])
	sums := map[string]int64{}
	for _, p := range hist.DataPoints {
		v, _ := p.Attributes.Value("gen_ai.token.type")
		sums[v.AsString()] += p.Sum
	}
	if sums["input"] != 10 || sums["output"] != 21 {
		t.Errorf("token sums %v", sums)
	}
	ttft := got["gen_ai.server.time_to_first_token"].Data.(metricdata.Histogram[float64]).DataPoints
	if len(ttft) != 1 || ttft[0].Sum != 0.5 {
		t.Errorf("ttft %+v", ttft)
	}
	tpot := got["gen_ai.server.time_per_output_token"].Data.(metricdata.Histogram[float64]).DataPoints
	if len(tpot) != 1 || tpot[0].Sum != 0.1 { // 2 s for the 20 tokens after the first
		t.Errorf("time per output token %+v", tpot)
	}
	dur := got["gen_ai.client.operation.duration"].Data.(metricdata.Histogram[float64]).DataPoints
	errs := 0
	for _, p := range dur {
		if v, ok := p.Attributes.Value("error.type"); ok && v.AsString() == "overloaded" {
			errs += int(p.Count)
		}
	}
	if len(dur) != 2 || errs != 1 {
		t.Errorf("operation durations %+v", dur)
	}
}

func TestOverheadIsExportedAsAHistogram(t *testing.T) {
	p := metrics.NewOverheadProducer()
	if got, err := p.Produce(context.Background()); err != nil || got != nil {
		t.Fatalf("a producer without a recorder produced %v, %v", got, err)
	}
	var rec overhead.Recorder
	rec.Unary.Record(3 * time.Microsecond)
	rec.Unary.Record(40 * time.Microsecond)
	rec.Unary.Record(2 * time.Millisecond)
	rec.StreamChunk.Record(800 * time.Nanosecond)
	p.Observe(&rec)
	_, r := newMetrics(t, metrics.Options{}, sdkmetric.WithProducer(p))
	h := collect(t, r)["switchboard.gateway.overhead"].Data.(metricdata.Histogram[float64])
	for _, dp := range h.DataPoints {
		phase, _ := dp.Attributes.Value("phase")
		var n uint64
		for _, c := range dp.BucketCounts {
			n += c
		}
		if n != dp.Count {
			t.Errorf("%s: buckets hold %d of %d", phase.AsString(), n, dp.Count)
		}
		switch phase.AsString() {
		case "unary":
			// 3 µs is under 5 µs, 40 µs under 50 µs, 2 ms under 2.5 ms.
			if dp.Count != 3 || dp.BucketCounts[2] != 1 || dp.BucketCounts[5] != 1 || dp.BucketCounts[10] != 1 {
				t.Errorf("unary buckets %v over %v", dp.BucketCounts, dp.Bounds)
			}
			if max, ok := dp.Max.Value(); !ok || max < 0.002 {
				t.Errorf("max %v", max)
			}
		case "stream_chunk":
			if dp.Count != 1 || dp.BucketCounts[0] != 1 {
				t.Errorf("chunk buckets %v", dp.BucketCounts)
			}
		}
	}
}
