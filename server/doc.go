// Package server is Switchboard's transport layer: one http.Server on one
// port that serves
//
//   - the Connect API, CompletionService and AdminService, in all three
//     protocols (Connect, gRPC, gRPC-Web), with gRPC reflection (v1 and
//     v1alpha) so buf curl and grpcurl work without the .proto files;
//   - the OpenAI-compatible shim under /v1/ (package server/openai);
//   - the Anthropic-shaped front door at /v1/messages and
//     /v1/messages/count_tokens (package server/anthropic);
//   - /healthz (liveness) and /readyz (readiness, 503 once shutdown begins);
//   - CORS for browsers, on everything.
//
// Without TLS the server speaks HTTP/1.1 and unencrypted HTTP/2 (h2c, prior
// knowledge), which gRPC needs; with a certificate and key it speaks TLS with
// HTTP/1.1 and HTTP/2 negotiated by ALPN. There is no write timeout, so long
// streams are never cut; shutdown is graceful within Options.ShutdownTimeout.
//
// The package is transport only: decode, call the Core, encode. Business
// rules (which model a key may use, limits, routing, metering) live in the
// core. Authentication is here only in the sense of reading the bearer token
// and asking package auth: one connect.Interceptor, for unary and streaming
// RPCs alike, requires a virtual key for CompletionService and the admin key
// for AdminService; the shims require a virtual key on every /v1/ request
// (the Anthropic one also reads it from x-api-key).
//
// Errors cross into the transports as *llm.Error. ConnectError is the one
// mapping to Connect codes with a typed switchboard.v1.ErrorDetail;
// openai.WriteError is the one mapping to HTTP statuses with OpenAI-shaped
// bodies, anthropic.WriteError the one with Anthropic-shaped bodies. A provider refusing the gateway's own credentials is reported as
// the gateway's fault (Unavailable / 502), never as the caller's.
//
// Every response carries an X-Request-Id header; responses that know which
// provider and deployment served them carry X-Switchboard-Provider and
// X-Switchboard-Deployment. Each request is logged once when it ends, with
// its key id but never a secret: by the telemetry access log (Options.Telemetry,
// at Info), or without telemetry at Debug.
//
// With Options.Telemetry every API request also gets a server span that
// continues the caller's W3C trace context and request metrics
// (telemetry.go); Options.Metrics serves /metrics.
//
// With Options.Audit every AdminService write, and every read of the audit
// trail, is recorded by an interceptor on AdminService (adminaudit.go), and
// every completion and embeddings request, on every front door, leaves a
// request record through a wrapper of the core (requestaudit.go).
package server
