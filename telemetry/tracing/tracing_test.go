package tracing_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/telemetry/call"
	"github.com/switchboard-gw/switchboard/telemetry/tracing"
)

func newTracer(t *testing.T) (*tracing.Tracer, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tracing.New(tp), exp
}

func attrs(kvs []attribute.KeyValue) map[string]attribute.Value {
	out := map[string]attribute.Value{}
	for _, kv := range kvs {
		out[string(kv.Key)] = kv.Value
	}
	return out
}

// Tracing off costs nothing: no span, the context unchanged.
func TestNilTracerDoesNothing(t *testing.T) {
	var tr *tracing.Tracer
	if tracing.New(nil) != nil {
		t.Fatal("New(nil) is not tracing off")
	}
	ctx := context.Background()
	got, span := tr.StartRequest(ctx, http.Header{"Traceparent": {"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}, "x")
	if got != ctx || span != nil {
		t.Fatal("a nil tracer started a span")
	}
	a := &llm.Attempt{Number: 1}
	if tr.StartAttempt(ctx, nil, a, "openai") != ctx {
		t.Fatal("a nil tracer changed the attempt's context")
	}
	tr.EndAttempt(ctx, nil, a)
	tr.EndRequest(&call.Record{}, "")
}

func TestRequestSpanContinuesTheCallersTrace(t *testing.T) {
	tr, exp := newTracer(t)
	h := http.Header{}
	h.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	h.Set("tracestate", "vendor=abc")
	ctx, span := tr.StartRequest(context.Background(), h, "POST /v1/chat/completions")
	rec := &call.Record{Span: span, RequestID: "req_1", Transport: "openai", Operation: call.OperationChat, Model: "fast", Status: 200}
	rec.NoteResponse(&llm.Response{Model: "m", Deployment: "d", Provider: "p", Usage: llm.Usage{InputTokens: 1, OutputTokens: 2}}, nil)
	rec.AddCost(1, 1_500_000_000)
	tr.EndRequest(rec, "openai")
	if trace.SpanFromContext(ctx) != span {
		t.Fatal("the span is not in the returned context")
	}
	s := exp.GetSpans()[0]
	if s.SpanKind != trace.SpanKindServer || s.SpanContext.TraceID().String() != "0af7651916cd43dd8448eb211c80319c" ||
		s.Parent.SpanID().String() != "b7ad6b7169203331" || s.SpanContext.TraceState().Get("vendor") != "abc" {
		t.Fatalf("span %+v does not continue the caller's trace", s.SpanContext)
	}
	a := attrs(s.Attributes)
	if a["gen_ai.provider.name"].AsString() != "openai" || a["gen_ai.request.model"].AsString() != "fast" ||
		a["gen_ai.usage.output_tokens"].AsInt64() != 2 || a["switchboard.cost.usd"].AsFloat64() != 1.5 ||
		a["switchboard.outcome"].AsString() != "ok" || a["http.response.status_code"].AsInt64() != 200 {
		t.Errorf("attributes %v", a)
	}
}

// A caller's mistake is not the gateway's failure; an upstream failure is.
func TestRequestSpanStatusFollowsWhoseFaultItIs(t *testing.T) {
	tr, exp := newTracer(t)
	for _, c := range []struct {
		err    error
		status codes.Code
	}{
		{&llm.Error{Kind: llm.KindInvalidRequest}, codes.Unset},
		{&llm.Error{Kind: llm.KindRateLimited}, codes.Unset},
		{&llm.Error{Kind: llm.KindUpstream}, codes.Error},
	} {
		exp.Reset()
		_, span := tr.StartRequest(context.Background(), http.Header{}, "x")
		rec := &call.Record{Span: span, Operation: call.OperationChat}
		rec.NoteResponse(nil, c.err)
		tr.EndRequest(rec, "")
		s := exp.GetSpans()[0]
		if s.Status.Code != c.status || attrs(s.Attributes)["error.type"].AsString() != llm.KindOf(c.err).String() {
			t.Errorf("%v: status %v, attributes %v", c.err, s.Status, s.Attributes)
		}
	}
}

func TestAttemptSpanUsesTheRoutersTimesAndRecord(t *testing.T) {
	tr, exp := newTracer(t)
	ctx, parent := tr.StartRequest(context.Background(), http.Header{}, "req")
	rec := &call.Record{Span: parent, KeyID: "key_1", TeamID: "team_1", Operation: call.OperationChat}
	rec.NoteAttempt(&llm.Attempt{Deployment: "d0", Outcome: llm.OutcomeFailed, ErrorKind: llm.KindOverloaded})
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	a := &llm.Attempt{Number: 2, Alias: "fast", Deployment: "d1", Provider: "p1", Model: "up-model", Key: 1, Reason: llm.AttemptFailover, Start: start}
	actx := tr.StartAttempt(ctx, rec, a, "anthropic")
	if !trace.SpanFromContext(actx).SpanContext().IsValid() {
		t.Fatal("no span in the attempt's context")
	}
	rec.AddCost(2, 250_000_000)
	a.Outcome, a.Latency, a.TTFT = llm.OutcomeOK, 2*time.Second, 300*time.Millisecond
	a.Usage = llm.Usage{InputTokens: 11, OutputTokens: 22, CachedInputTokens: 5}
	tr.EndAttempt(actx, rec, a)

	s := exp.GetSpans()[0]
	if s.Name != "chat up-model" || s.SpanKind != trace.SpanKindClient || s.Parent.SpanID() != parent.SpanContext().SpanID() {
		t.Fatalf("span %q kind %v parent %v", s.Name, s.SpanKind, s.Parent.SpanID())
	}
	if !s.StartTime.Equal(start) || !s.EndTime.Equal(start.Add(2*time.Second)) {
		t.Errorf("span from %v to %v, want the attempt's %v + 2s", s.StartTime, s.EndTime, start)
	}
	if len(s.Events) != 1 || !s.Events[0].Time.Equal(start.Add(300*time.Millisecond)) {
		t.Errorf("first-token event %+v", s.Events)
	}
	got := attrs(s.Attributes)
	want := map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic", "gen_ai.request.model": "up-model",
		"gen_ai.usage.input_tokens": int64(11), "gen_ai.usage.output_tokens": int64(22), "gen_ai.usage.cache_read.input_tokens": int64(5),
		"switchboard.alias": "fast", "switchboard.deployment": "d1", "switchboard.provider": "p1",
		"switchboard.attempt.number": int64(2), "switchboard.attempt.reason": "failover", "switchboard.attempt.key_index": int64(1),
		"switchboard.attempt.previous_deployment": "d0", "switchboard.attempt.cause": "overloaded",
		"switchboard.attempt.outcome": "ok", "switchboard.key.id": "key_1", "switchboard.team.id": "team_1",
		"switchboard.cost.usd": 0.25,
	}
	for k, w := range want {
		if v, ok := got[k]; !ok || v.AsInterface() != w {
			t.Errorf("%s = %v, want %v", k, v.AsInterface(), w)
		}
	}
}

func TestFailedAttemptIsAnError(t *testing.T) {
	tr, exp := newTracer(t)
	a := &llm.Attempt{Number: 1, Model: "m", Reason: llm.AttemptFirst, Start: time.Now()}
	ctx := tr.StartAttempt(context.Background(), nil, a, "openai")
	a.Outcome, a.ErrorKind, a.Status, a.Latency = llm.OutcomeFailed, llm.KindUpstream, 503, time.Millisecond
	tr.EndAttempt(ctx, nil, a)
	s := exp.GetSpans()[0]
	got := attrs(s.Attributes)
	if s.Status.Code != codes.Error || got["error.type"].AsString() != "upstream" || got["switchboard.upstream.status"].AsInt64() != 503 {
		t.Errorf("status %v attributes %v", s.Status, got)
	}
}

func TestTransportSendsTheTraceContextUpstream(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("traceparent"))
	}))
	defer srv.Close()
	client := &http.Client{Transport: tracing.Transport(srv.Client().Transport)}
	tr, _ := newTracer(t)
	ctx := tr.StartAttempt(context.Background(), nil, &llm.Attempt{Number: 1, Model: "m"}, "openai")
	sc := trace.SpanContextFromContext(ctx)

	for _, c := range []context.Context{ctx, context.Background()} {
		req, _ := http.NewRequestWithContext(c, http.MethodGet, srv.URL, nil)
		req.Header.Set("X-Other", "kept")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if req.Header.Get("traceparent") != "" {
			t.Error("the transport changed the caller's request")
		}
	}
	want := "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-01"
	if len(got) != 2 || got[0] != want || got[1] != "" {
		t.Errorf("upstream saw %q, want %q then nothing", got, want)
	}
}

// provider is a provider with embeddings but no model listing.
type provider struct{}

func (provider) Complete(context.Context, *llm.Request) (*llm.Response, error) {
	return &llm.Response{ID: "r1", Model: "m-1", Choices: []llm.Choice{{FinishReason: llm.FinishToolCalls}}}, nil
}

func (provider) Stream(context.Context, *llm.Request) (llm.Stream, error) {
	return &stream{chunks: []llm.Chunk{{ID: "s1", Model: "m-2"}, {Text: "x"}, {FinishReason: llm.FinishStop}}}, nil
}

func (provider) Embed(context.Context, *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	return &llm.EmbedResponse{Model: "e-1"}, nil
}

type stream struct{ chunks []llm.Chunk }

func (s *stream) Recv() (llm.Chunk, error) {
	if len(s.chunks) == 0 {
		return llm.Chunk{}, io.EOF
	}
	c := s.chunks[0]
	s.chunks = s.chunks[1:]
	return c, nil
}
func (s *stream) Close() error   { return nil }
func (s *stream) Buffered() bool { return len(s.chunks) > 0 }

func TestWrappedProviderAddsTheResponseAndKeepsItsCapabilities(t *testing.T) {
	p := tracing.WrapProvider(provider{})
	if _, ok := p.(llm.Embedder); !ok {
		t.Fatal("the wrapper lost Embed")
	}
	if _, ok := p.(llm.ModelLister); ok {
		t.Fatal("the wrapper offers ListModels its provider lacks")
	}
	tr, exp := newTracer(t)
	run := func(f func(ctx context.Context)) map[string]attribute.Value {
		exp.Reset()
		a := &llm.Attempt{Number: 1, Model: "m"}
		ctx := tr.StartAttempt(context.Background(), nil, a, "x")
		f(ctx)
		tr.EndAttempt(ctx, nil, a)
		return attrs(exp.GetSpans()[0].Attributes)
	}
	got := run(func(ctx context.Context) { _, _ = p.Complete(ctx, &llm.Request{}) })
	if got["gen_ai.response.model"].AsString() != "m-1" || got["gen_ai.response.id"].AsString() != "r1" ||
		got["gen_ai.response.finish_reasons"].AsStringSlice()[0] != "tool_calls" {
		t.Errorf("unary: %v", got)
	}
	got = run(func(ctx context.Context) {
		s, _ := p.Stream(ctx, &llm.Request{})
		if !llm.IsBuffered(s) {
			t.Error("the stream wrapper hides Buffered")
		}
		for {
			if _, err := s.Recv(); errors.Is(err, io.EOF) {
				break
			}
		}
	})
	if got["gen_ai.response.model"].AsString() != "m-2" || got["gen_ai.response.finish_reasons"].AsStringSlice()[0] != "stop" {
		t.Errorf("stream: %v", got)
	}
	got = run(func(ctx context.Context) { _, _ = p.(llm.Embedder).Embed(ctx, &llm.EmbedRequest{}) })
	if got["gen_ai.response.model"].AsString() != "e-1" {
		t.Errorf("embed: %v", got)
	}
}
