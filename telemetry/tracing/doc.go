// Package tracing makes Switchboard's trace spans with OpenTelemetry: a
// server span per gateway request, continuing the caller's W3C trace
// context (traceparent, tracestate) on every transport, and a client span
// per provider attempt, its child, carrying the GenAI semantic-convention
// attributes (package genai) and Switchboard's own. The attempt span is
// started before the upstream call (router.AttemptHook), so the provider's
// HTTP request carries its trace context (Transport); a provider wrapper
// (WrapProvider) adds what only the response tells (response model and id,
// finish reasons).
//
// A nil *Tracer is tracing off: every method returns at once, contexts are
// passed through unchanged and nothing is allocated, so the request path
// pays nothing for tracing it does not do.
package tracing
