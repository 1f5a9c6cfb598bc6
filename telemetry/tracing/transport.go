package tracing

import (
	"net/http"

	"go.opentelemetry.io/otel/trace"
)

// Transport returns base (http.DefaultTransport when nil) sending the trace
// context of each request's context upstream as W3C traceparent and
// tracestate headers: a provider that traces (or a proxy in between) then
// continues the attempt's trace. A request whose context carries no span
// context is sent as it is.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{base: base}
}

type transport struct{ base http.RoundTripper }

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return t.base.RoundTrip(req)
	}
	// A RoundTripper must not modify the caller's request: send a copy
	// with its own headers.
	out := *req
	out.Header = req.Header.Clone()
	if out.Header == nil {
		out.Header = make(http.Header, 2)
	}
	Inject(ctx, out.Header)
	return t.base.RoundTrip(&out)
}

// CloseIdleConnections forwards to base, so that http.Client's method of
// the same name still reaches the pool.
func (t *transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
