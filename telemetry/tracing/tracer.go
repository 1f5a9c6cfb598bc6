package tracing

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/telemetry/genai"
)

// ScopeName is the instrumentation scope of Switchboard's spans.
const ScopeName = "github.com/switchboard-gw/switchboard"

// Tracer makes Switchboard's spans. A nil *Tracer makes none.
type Tracer struct {
	tracer trace.Tracer
}

// New returns a Tracer over tp, or nil (tracing off) when tp is nil.
func New(tp trace.TracerProvider) *Tracer {
	if tp == nil {
		return nil
	}
	return &Tracer{tracer: tp.Tracer(ScopeName, trace.WithSchemaURL(genai.SchemaURL))}
}

// propagator reads and writes W3C trace context: traceparent and
// tracestate. Baggage is deliberately not propagated: it is free-form data
// from callers that providers have no use for.
var propagator = propagation.TraceContext{}

// Extract returns ctx with the remote span context that header carries (a
// W3C traceparent, and tracestate), if it carries a valid one.
func Extract(ctx context.Context, header http.Header) context.Context {
	return propagator.Extract(ctx, propagation.HeaderCarrier(header))
}

// Inject writes the span context of ctx into header as W3C traceparent
// (and tracestate), when ctx has a valid one.
func Inject(ctx context.Context, header http.Header) {
	propagator.Inject(ctx, propagation.HeaderCarrier(header))
}

// StartRequest starts the server span of a request that arrived with
// header, as a child of the caller's span when header carries W3C trace
// context. The span is in the returned context.
func (t *Tracer) StartRequest(ctx context.Context, header http.Header, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	if t == nil {
		return ctx, nil
	}
	ctx = Extract(ctx, header)
	return t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
}

// ServerFault reports whether an error of kind k is the server's (or its
// upstream's) failure, which marks a span as failed, rather than the
// caller's (a bad request, a refused key, a rate limit).
func ServerFault(k llm.Kind) bool {
	switch k {
	case llm.KindInternal, llm.KindUpstream, llm.KindUnavailable, llm.KindOverloaded, llm.KindTimeout:
		return true
	}
	return false
}

// setError marks span as failed with kind k when k is a server fault, and
// names the error type in any case.
func setError(span trace.Span, k llm.Kind, description string) {
	span.SetAttributes(genai.ErrorType.String(k.String()))
	if ServerFault(k) {
		span.SetStatus(codes.Error, description)
	}
}
