// Package wire holds the AWS Bedrock Runtime Converse API wire format
// (POST /model/{modelId}/converse and /converse-stream): the JSON types as
// the API reference defines them, the application/vnd.amazon.eventstream
// framing of streamed answers (both directions, with their CRC-32
// checksums), the error types, and the conversions between the JSON and the
// canonical model (package llm) in both directions.
//
// Both directions exist because two parts of Switchboard speak this format:
// the Bedrock provider translator (canonical -> wire request, wire answer
// and event stream -> canonical) and the simulator's Bedrock dialect (wire
// request -> canonical, then its own byte-faithful encoder over
// AppendFrame).
//
// # Canonical mapping
//
//   - System messages become the top-level system text blocks, wherever
//     they stand. A part with a cache hint (CacheControl) is followed by a
//     {"cachePoint": {"type": "default"}} block, in the system prompt, in
//     messages and after a tool result; a tool with one by a cachePoint
//     entry in toolConfig.tools. Converse has no cache TTL: the hint's TTL
//     is not sent.
//   - Converse needs the roles to alternate: consecutive messages of one
//     role become ONE message. Tool results are the user's, so consecutive
//     tool results become toolResult blocks of one user message, and a user
//     message right after them joins it after the toolResult blocks, as the
//     API requires. A result's text and image parts are its content blocks.
//   - An assistant message is written reasoningContent blocks first (signed
//     reasoning as reasoningText, Redacted as redactedContent), then its
//     text, then one toolUse block per tool call, whose input is the parsed
//     Arguments ("" is {}; invalid JSON or a non-object is an
//     InvalidRequest naming the field). Reasoning without a signature came
//     from another provider and is not sent.
//   - Empty text parts are left out: the API refuses blank text blocks.
//   - Images with Data, and data: URLs, become bytes (base64 in the JSON)
//     with their format (png, jpeg, gif, webp); s3:// URLs become an
//     s3Location. Converse cannot fetch http(s) URLs: they are refused.
//   - max_tokens, temperature, top_p and stop are inferenceConfig (always
//     sent, possibly empty, as the SDKs do). Seed, presence and frequency
//     penalties, User, Metadata and ParallelToolCalls have no Converse field
//     and are not sent; N > 1 is refused.
//   - Tools are toolSpec {name, description, inputSchema.json} (a tool
//     without parameters gets an empty object schema). tool_choice auto is
//     {"auto": {}}, required {"any": {}}, a function {"tool": {"name"}}.
//     Converse has no "none": the tools are left out, unless the
//     conversation already holds tool calls or results, which need the tools
//     defined; they are then sent with no choice.
//   - Reasoning goes in additionalModelRequestFields, the way the model's
//     family (ModelFamily) takes it: Claude's thinking {type: enabled,
//     budget_tokens} (efforts map to budgets as in the Anthropic translator,
//     and maxTokens is kept above the budget), Nova's reasoningConfig
//     {type: enabled, maxReasoningEffort}, gpt-oss's reasoning_effort;
//     DeepSeek reasons without a setting. For any other family the request
//     is refused with a clear error rather than sent without reasoning.
//   - A JSON response format (Converse has none) is asked for with a forced
//     tool, as the Anthropic translator does: a tool named AnswerToolName
//     whose input schema is the requested schema ({"type":"object"} for
//     json_object), chosen with {"tool": {"name"}} when the caller has no
//     tools of their own (or chose none), else offered beside them. With
//     Claude thinking it is offered with auto. ConverseRequest.AnswerTool
//     records it; the response and stream decoders, given it, turn that
//     tool's input back into the answer's text.
//   - ProviderOptions["bedrock"] (then ProviderOptions[provider name]) are
//     merged into the body: additionalModelRequestFields member by member
//     (top_k beside a converted thinking), every other member (guardrailConfig,
//     performanceConfig, requestMetadata, ...) at the top level.
//   - Usage is normalized to the canonical meaning: Bedrock's inputTokens
//     exclude cache reads and writes (totalTokens include them), so canonical
//     input = inputTokens + cacheReadInputTokens + cacheWriteInputTokens,
//     cached = cacheReadInputTokens, cache write = cacheWriteInputTokens.
//     Claude models send the cache counts twice, also as
//     cache{Read,Write}InputTokenCount; those are read when the documented
//     names are absent. Bedrock reports no reasoning tokens.
//   - stopReason: end_turn and stop_sequence are stop, max_tokens and
//     model_context_window_exceeded length, tool_use tool_calls,
//     guardrail_intervened and content_filtered content_filter, anything
//     else other; the raw value is kept beside the normalized one.
//
// # Streams
//
// A ConverseStream answer is a sequence of event frames (FrameReader,
// AppendFrame): messageStart, then per content block an optional
// contentBlockStart (tool uses only: text and reasoning blocks start with
// their first delta), contentBlockDelta events (text, toolUse.input JSON
// fragments, reasoningContent text then signature), contentBlockStop; then
// messageStop with the stop reason, and metadata with the usage and
// latency. Every payload carries a random "p" padding member. A failure
// during generation is an exception frame (:message-type exception,
// :exception-type throttlingException, modelStreamErrorException,
// validationException, serviceUnavailableException, internalServerException)
// whose payload is {"message": ...}; StreamDecoder classifies it like an
// error response of the same type.
//
// # Errors
//
// Error bodies are {"message": ...} (or {"Message": ...} from the AWS front
// end that checks signatures); the type is in the x-amzn-ErrorType header.
// ClassifyError documents the mapping.
package wire
