// Package anthropic is the Anthropic-shaped front door: POST /v1/messages
// (a message object, or with "stream": true the Messages event stream) and
// POST /v1/messages/count_tokens, so that the Anthropic SDKs and the coding
// agents built on them use any alias of the gateway, whatever provider
// serves it, by changing their base URL.
//
// It is transport only, like the OpenAI shim (package server/openai):
// decode the Anthropic wire format (package providers/anthropic/wire), call
// the core with the caller's principal, encode the answer. Limits, metering
// and routing are the core's, the same as on every other front door; the
// model field names the alias. What both REST front doors share (body
// limits, key verification, served-by headers, SSE flushing) is in
// server/internal/frontdoor.
//
// # Authentication and headers
//
// Every request needs a virtual key, read from x-api-key (as Anthropic
// clients send an API key) or, when that header is absent, from
// "Authorization: Bearer" (as the current SDKs and auth-token clients send
// it). anthropic-version is optional; when present it must be a date such
// as 2023-06-01, else the request is refused with a 400 naming the header.
// anthropic-beta is accepted and ignored. Answers carry the request id as
// request-id (where the SDKs read it) besides X-Request-Id, and the same
// X-Switchboard-* routing headers as the OpenAI shim.
//
// # Ids
//
// A message id is the provider's when it already starts with "msg_", else
// "msg_" and the provider's id. A tool call id that does not start with
// "toolu_" (OpenAI's call_..., the gateway's gcall_... for Gemini) is sent
// as "toolu_sb_" and the provider's id, and a tool_use id or tool_use_id
// that starts with "toolu_sb_" is turned back into the provider's id on the
// way in: a tool_result always reaches the provider with the id that
// provider issued. Anthropic's own ids pass through unchanged.
//
// # Errors
//
// Every failure, unknown paths (404) and wrong methods (405) included, is
// answered {"type":"error","error":{"type","message"},"request_id"}; status
// and type come from one function, errorResponse (see errors.go): 400
// invalid_request_error, 401 authentication_error, 403 permission_error,
// 404 not_found_error, 413 request_too_large, 429 rate_limit_error (with
// retry-after), 500 api_error, 502 api_error for a failed provider, 503
// api_error for an unavailable dependency, 504 timeout_error, 529
// overloaded_error. A stream waits for its first chunk before answering, so
// a failure before any output gets its status; after that an error is an
// "event: error" and the stream ends without message_stop.
//
// # Token counting
//
// count_tokens answers {"input_tokens": N}. When the core implements
// InputTokenCounter it counts; otherwise the answer is the router's estimate
// (router.EstimateInputTokens), for aliases the key may use.
package anthropic
