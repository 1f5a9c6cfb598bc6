// Package wire holds the Anthropic Messages API wire format: the JSON types
// as the API reference defines them (request, content blocks, response,
// server-sent stream events, errors, the model list) and the conversions
// between them and the canonical model (package llm) in both directions.
//
// Both directions exist because several parts of Switchboard speak this
// format: the Anthropic provider translator (canonical -> wire request, wire
// response and stream -> canonical), the simulator's Anthropic dialect (wire
// request -> canonical), and an Anthropic-shaped front door (wire request ->
// canonical, canonical response and stream -> wire).
//
// # Canonical mapping
//
//   - System messages become the top-level system field, wherever they stand
//     in the conversation: one plain text becomes a string, anything else
//     (several messages, several parts, cache_control) text blocks in order.
//   - Consecutive tool results become tool_result blocks of ONE user message,
//     as the API requires; a user message right after them joins that message
//     after the tool_result blocks.
//   - An assistant message is written thinking blocks first (Reasoning with a
//     signature as thinking, Redacted as redacted_thinking, both verbatim),
//     then its text, then one tool_use block per tool call, whose input is the
//     parsed Arguments ("" is {}; invalid JSON or a non-object is an
//     InvalidRequest naming the field).
//   - Images with Data become base64 sources, http(s) URLs url sources, and
//     data: URLs are decoded into base64 sources.
//   - Reasoning becomes thinking {type: enabled, budget_tokens}: an explicit
//     BudgetTokens is used as is; an Effort maps through BudgetForEffort
//     (minimal and low 1024, medium 8192, high 24576, xhigh and max 32768).
//     max_tokens must exceed the budget: when the caller gave no max_tokens
//     the default is raised above the budget, when the caller's max_tokens
//     is too small an effort-derived budget is lowered to fit (never below
//     Anthropic's minimum of 1024), and otherwise the request is refused.
//   - ParallelToolCalls=false becomes tool_choice.disable_parallel_tool_use;
//     User becomes metadata.user_id. N > 1 is refused: the API has no n.
//     Seed, presence and frequency penalties and the caller's Metadata have
//     no Anthropic field and are not sent.
//   - A tool_use input becomes Arguments as compact JSON in a complete
//     answer; in a stream the partial_json fragments are passed on as sent.
//   - A JSON response format (Anthropic has no response_format) is asked for
//     with a forced tool by default: a tool named AnswerToolName whose
//     input_schema is the requested schema ({"type":"object"} for
//     json_object), chosen with tool_choice {type: tool} when the caller has
//     no tools of their own (or chose none), else offered beside them with
//     the caller's tool_choice. With thinking on, the API refuses forced tool
//     use: the tool is offered with tool_choice auto, and the model is asked,
//     not forced, to answer through it. The request records the tool's name in
//     MessagesRequest.AnswerTool; the response and stream decoders, given it,
//     turn that tool's input back into the answer's text, so callers see JSON
//     text as with OpenAI. RequestOptions.NativeStructuredOutput uses the API's
//     output_config.format instead, for models that support it.
//   - Usage is normalized to the canonical meaning: Anthropic's input_tokens
//     exclude cache reads and writes, so canonical input = input_tokens +
//     cache_creation_input_tokens + cache_read_input_tokens, cached =
//     cache_read_input_tokens, cache write = cache_creation_input_tokens.
//   - stop_reason: end_turn and stop_sequence are stop, max_tokens and
//     model_context_window_exceeded length, tool_use tool_calls, refusal
//     content_filter, pause_turn and anything else other; the raw value is
//     kept beside the normalized one.
package wire
