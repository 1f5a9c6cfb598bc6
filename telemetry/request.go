package telemetry

import (
	"context"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/switchboard-gw/switchboard/telemetry/call"
)

// Request describes an arriving request to BeginRequest.
type Request struct {
	// ID is the gateway's request id.
	ID string
	// Transport and Operation classify it (see call.Record).
	Transport, Operation string
	// Method and Path are the HTTP method and path (or RPC procedure).
	Method, Path string
	// SpanName names its server span ("POST /v1/chat/completions",
	// "switchboard.v1.CompletionService/Complete"); SpanAttributes are the
	// span's transport attributes (HTTP route, RPC system and method).
	SpanName       string
	SpanAttributes []attribute.KeyValue
	// Header carries the caller's W3C trace context, if any.
	Header http.Header
}

// BeginRequest starts the telemetry of a request: its Record, in the
// returned context, its server span (continuing the caller's trace), and
// the in-flight count. Every BeginRequest must be followed by EndRequest.
func (t *Telemetry) BeginRequest(ctx context.Context, r Request) (context.Context, *call.Record) {
	rec := &call.Record{
		Start:     time.Now(),
		RequestID: r.ID,
		Transport: r.Transport,
		Operation: r.Operation,
		Method:    r.Method,
		Path:      r.Path,
	}
	ctx, rec.Span = t.tracer.StartRequest(ctx, r.Header, r.SpanName, r.SpanAttributes...)
	t.metrics.RequestStarted(ctx, rec.Transport)
	return call.With(ctx, rec), rec
}

// EndRequest finishes the telemetry of a request the transport has
// answered (after rec.NoteStatus): it ends the server span, records the
// request's metrics and writes its access record.
func (t *Telemetry) EndRequest(ctx context.Context, rec *call.Record) {
	system := t.system(rec.Provider)
	t.tracer.EndRequest(rec, system)
	t.metrics.RequestEnded(ctx, rec, system)
	t.access.Log(ctx, rec)
}
