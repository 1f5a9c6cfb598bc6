// Package telemetry is Switchboard's observability: OpenTelemetry traces
// and metrics, the Prometheus /metrics endpoint, and the access log.
//
// New sets up, from a Config, a tracer provider (off by default; OTLP over
// gRPC or HTTP when on), a meter provider read by a Prometheus exporter
// (on by default) and optionally by an OTLP exporter, and the access log.
// The Telemetry it returns plugs into the rest of the gateway:
//
//   - the server calls BeginRequest and EndRequest around every request
//     (server span, request metrics, access record);
//   - the router calls AttemptHook around every provider attempt (attempt
//     span, attempt, token and fallback metrics);
//   - the gateway builds its providers through WrapProvider and their HTTP
//     transports through WrapTransport (response details on the attempt
//     span, W3C trace context to the provider);
//   - Metrics returns the instruments that metering, the ledger and the
//     limits feed (see package metrics);
//   - MetricsHandler serves /metrics.
//
// Subpackages: call (what is known about one request), genai (attribute
// names and label bounds), tracing (spans), metrics (instruments),
// accesslog (the access log), overhead and histogram (the gateway's own
// time per request, measured on the request path and exported by metrics),
// logsink (the buffered stderr output the serve command logs through).
//
// With tracing off no span is started and no context is changed; with
// everything off (no metrics, no traces, no access log) New returns a
// Telemetry whose Enabled is false and the server installs nothing.
package telemetry
