// Package openai is the OpenAI-compatible REST shim: POST
// /v1/chat/completions (JSON, or server-sent events when "stream": true),
// POST /v1/embeddings, GET /v1/models and GET /v1/models/{id}, so that
// existing OpenAI SDKs, LangChain and curl scripts use the gateway by
// changing their base URL.
//
// It is transport only: decode the OpenAI wire format (package
// providers/openai/wire), call the core with the caller's principal, encode
// the answer. Every /v1/ request needs a virtual key as "Authorization:
// Bearer sk-sb-...". Every failure, including unknown paths (404), wrong
// methods (405), malformed JSON, wrong types and oversized bodies (413), is
// answered with an OpenAI-shaped body {"error": {"message", "type", "param",
// "code"}}; WriteError is the one place that maps an error to its status and
// body.
//
// Streams are written as "data: {chunk}\n\n" events, flushed one by one, and
// end with "data: [DONE]\n\n". With stream_options.include_usage a last
// chunk with empty choices carries the usage. An error after the stream has
// started is sent as a "data: {"error": {...}}" event and the stream ends
// without [DONE], so no client mistakes a cut-off answer for a whole one.
//
// The package does not import the Connect transport (package server) and is
// not imported by anything but it.
package openai
