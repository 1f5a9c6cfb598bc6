// Package anthropic is the provider translator for Anthropic's Messages API
// (POST /v1/messages, unary and streamed, and GET /v1/models).
//
// A Provider converts canonical requests to the wire format (package wire),
// sends them with x-api-key, anthropic-version and anthropic-beta headers,
// and converts answers back: unary, streamed (a pull-based reader of the
// server-sent events, tolerant of Anthropic's padded data lines, pings and
// CRLF), and the model list. Every failure it returns is an *llm.Error
// classified once: HTTP errors and error events through wire.ClassifyError,
// network failures and broken streams here. A stream that ends before
// message_stop is an Upstream error "stream ended prematurely". No error
// ever holds the API key.
//
// A JSON response format is carried by a forced tool (see package wire); the
// Provider turns that tool's input back into the answer's text, unary and
// streamed, so callers see the same JSON text as from any provider.
package anthropic
