// Package gemini is the provider translator for the Google Gemini API
// (generativelanguage.googleapis.com): generateContent, streamGenerateContent
// with alt=sse, batchEmbedContents and models.list.
//
// A Provider converts canonical requests to the wire format (package wire,
// which also documents every mapping: stable ids for Gemini's id-less
// function calls, thought signatures, usage normalization, finish reasons),
// sends them with the API key in the x-goog-api-key header (never in the
// URL, so it cannot reach a log), and converts answers back. Every failure
// it returns is an *llm.Error classified once: HTTP errors through
// wire.ClassifyError, network failures and broken streams here. The status
// is checked before the body is read as a stream, because Gemini answers a
// failed alt=sse request with a plain JSON error labelled text/event-stream.
//
// Streams are pull-based over the shared SSE reader. Gemini's streams use
// CRLF separators, have no event names and no [DONE]: the body just ends,
// and a body that ends before every candidate has a finish reason is an
// Upstream "stream ended prematurely" error. Usage, repeated in every chunk,
// is emitted once, from the last chunk, after the body ends.
package gemini
