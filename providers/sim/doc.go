// Package sim is a simulated LLM provider: an http.Handler that speaks a
// provider's wire format faithfully, answers deterministically, and fails on
// demand. Switchboard uses it in tests, as the "direct" baseline of its load
// benchmarks, and in-process behind the alias "demo" so that a fresh install
// answers without any provider key.
//
// # Dialects
//
// Each dialect owns its paths and lives in its own files (openai_*.go); the
// generation engine (engine.go, content.go, schemagen.go, limits.go,
// usage.go, tokenizer.go, embed.go) works on the canonical llm types and is
// shared by all of them. The OpenAI dialect serves
//
//	POST /v1/chat/completions   unary, and SSE with stream: true
//	POST /v1/embeddings
//	GET  /v1/models, GET /v1/models/{id}
//
// with the real API's shapes: ids "chatcmpl-...", pretty-printed unary
// bodies, chunks with "obfuscation" padding, include_usage framing, tool-call
// deltas, usage with prompt_tokens_details and completion_tokens_details,
// rate-limit headers, and error bodies {"error": {message, type, param,
// code}} with the real statuses and wording. Any model name is accepted and
// echoed. When Options.APIKey is set, requests need "Authorization: Bearer
// <key>" (401 invalid_api_key otherwise).
//
// The Anthropic dialect (anthropic_*.go) serves POST /v1/messages, unary
// and streamed, and GET /v1/models for requests that carry
// anthropic-version; anthropic_routes.go lists what it reproduces.
//
// The Azure OpenAI dialect (azure_*.go) is the OpenAI dialect under
// /openai/deployments/{deployment}/... (api-version required) and
// /openai/v1/..., with Azure's api-key header, content-filter results in
// answers and streams, and Azure's error envelope; azure_routes.go lists
// what it reproduces. Vertex AI's routes for Gemini models
// (vertex_routes.go) serve the Gemini dialect under
// /v1/projects/{project}/locations/{location}/publishers/google/models/...
// with OAuth2 bearer tokens, which POST /token issues to service accounts
// whose signed JWT assertions it verifies (vertex_token.go).
//
// The AWS Bedrock dialect (bedrock_*.go) serves the Converse API, POST
// /model/{modelId}/converse and /converse-stream, the latter as binary
// application/vnd.amazon.eventstream frames with their CRC-32 checksums; it
// checks AWS Signature Version 4 on every request, recomputing the
// signature when Options.AWS is set (bedrock_sigv4.go), and answers faults
// with Bedrock's error types and exception frames; bedrock_routes.go lists
// what it reproduces.
//
// Server.Transport (or HandlerTransport for any handler) reaches a simulator
// in memory: no sockets, streaming preserved, cancellation propagated.
//
// # What the simulated model does
//
// Content is a pure function of the request: a hash of the messages (and
// "seed") chooses words from a fixed vocabulary, so the same request always
// gets the same answer, unary or streamed. Text answers start with "This is a
// simulated response." followed by a few sentences. Each of n choices gets
// its own answer.
//
//   - Tools. A forced tool_choice ({"type":"function",...}) calls that
//     function; "required" calls the tools the last user message mentions,
//     or else the first tool; "auto" (the default when tools are given) calls
//     the tools whose names the last user message mentions as words, in
//     order of mention, several in parallel unless parallel_tool_calls is
//     false. After tool results (the conversation ends with tool messages)
//     the answer is text that quotes the results. "none" answers in text.
//     Arguments are generated from the function's JSON Schema and validate
//     against it (see schemagen.go for the keywords honoured; "pattern" is
//     not). Call ids are "call_" and 24 deterministic base62 characters.
//   - response_format json_object answers a JSON object (the request must
//     mention "json", as the real API demands); json_schema answers JSON
//     valid against the schema.
//   - stop: the answer ends before the first occurrence of any stop
//     sequence, with finish_reason "stop".
//   - max_tokens / max_completion_tokens: the answer is cut after that many
//     tokens (reasoning tokens count first), with finish_reason "length";
//     cut tool-call arguments are not valid JSON, as with a real model.
//   - reasoning_effort (or a canonical thinking budget) makes each choice
//     report reasoning tokens, as a reasoning model does: minimal 0, low 16,
//     medium 64, high 256 (a budget: up to 256). No reasoning text is
//     returned, as with OpenAI's chat completions.
//
// # Tokens
//
// Usage is counted with CountTokens, a documented deterministic tokenizer.
// A token is: optional spaces or tabs, then a run of letters (at most 12), a
// run of digits (at most 3), a run of other symbols (at most 3), or one CJK
// character; a run of line breaks is one token, and trailing blanks are one
// token. Prompt tokens are 3 per message plus its text tokens (plus 1 and
// the name's tokens when it has a name, 85 per image, the tokens of tool
// calls' names and arguments and of tool_call_id), plus 3 to prime the
// reply, plus per tool 8 and the tokens of its name, description and
// parameter schema, plus the tokens of a response schema. Completion tokens
// are exactly the tokens emitted (a tool call's name and arguments) plus
// reasoning tokens, summed over choices; usage is the same unary and
// streamed.
//
// # Faults and directives
//
// A chat or embeddings request can ask for a fault in the header
// X-Sim-Fault; a chat request also in a directive inside the text of its
// last user message (which works through the gateway, since it does not
// forward client headers). The directive is removed from the text before the
// answer is generated, so it changes neither the answer nor the tool
// mentions; it still counts as prompt tokens. Server-wide faults
// (Options.Faults) apply to a random share of chat and embeddings requests.
// Later sources override earlier ones: rules, then header, then directive.
//
// Grammar:
//
//	directive = "[[sim" { blank setting } [blank] "]]"
//	header    = setting { blank setting }        (brackets optional)
//	setting   = key "=" value
//	value     = bare | '"' { char | '\"' | '\\' } '"'
//	bare      = characters up to a blank or "]]"
//
// Settings:
//
//	status=N            answer with HTTP status N and the real body for it:
//	                    400 (code=context_length_exceeded: the real message,
//	                    param "messages"), 401 invalid_api_key, 403,
//	                    404 model_not_found, 429 rate_limit_exceeded with
//	                    Retry-After and x-ratelimit-* headers
//	                    (code=insufficient_quota: the quota error), 500
//	                    server_error, 502/504 Cloudflare bodies, 503 "The
//	                    server is overloaded or not ready yet."
//	code=C              the error code variant for status
//	retry_after=D       Retry-After on the error: seconds ("2") or a
//	                    duration ("500ms")
//	disconnect_after=N  cut the connection after N stream chunks (before
//	                    [DONE] if the answer has fewer); a unary request is
//	                    cut before any byte
//	malformed_after=N   send a chunk that is not valid JSON after N good
//	                    chunks, then carry on (a unary body is truncated)
//	error_after=N       streams only: send an error event after N chunks and
//	                    end the stream without [DONE]
//	latency=D           wait D before a unary answer (e.g. 50ms); streams
//	                    use ttft instead
//	ttft=D              wait D before the first streamed chunk (the 200 and
//	                    its headers are sent at once)
//	chunk_delay=D       wait D between streamed chunks
//	reply="text"        answer exactly this text (stop and max_tokens apply)
//	reasoning=N         report N reasoning tokens per choice
//	cached=N            report N prompt tokens as cached (at most the prompt)
//	cache_write=N       report N prompt tokens as written to the prompt cache
//	                    (at most the prompt less the cached tokens)
//	content_filter=F    a content filter acts: F=prompt rejects the request
//	                    (status=400 code=content_filter; the Azure dialect
//	                    answers with Azure's content-filter error, Bedrock
//	                    with a guardrail's answer, Gemini with a 200 whose
//	                    promptFeedback.blockReason is SAFETY), F=output
//	                    cuts each text answer halfway with finish reason
//	                    content_filter (Gemini SAFETY, Anthropic refusal)
//
// Example: "What is the weather? [[sim status=429 retry_after=2]]". Status
// faults are answered at once, before any latency. An unknown key or a
// malformed value is a 400 with code "invalid_sim_directive".
//
// Over real TCP a disconnect closes the connection (the handler panics with
// http.ErrAbortHandler); over Transport the body read fails with
// io.ErrUnexpectedEOF.
package sim
