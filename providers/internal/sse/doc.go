// Package sse reads server-sent events (the text/event-stream format) from
// an upstream response body. It is shared by the provider translators whose
// APIs stream over SSE (OpenAI-format vendors, Anthropic, Gemini), so that
// the tolerance real servers need is written once: LF or CRLF line ends,
// ":" comment lines (keep-alives), event:/id:/retry: fields, multi-line
// data, and a last event that the body cuts before its blank line.
package sse
