// Package wire holds the Google Gemini API wire format (generateContent,
// streamGenerateContent with alt=sse, embedContent and batchEmbedContents,
// models.list): the JSON types as the API reference defines them, and the
// conversions between them and the canonical model (package llm) in both
// directions.
//
// Both directions exist because two parts of Switchboard speak this format:
// the Gemini provider translator (canonical -> wire request, wire response ->
// canonical, unary and streamed) and the simulator's Gemini dialect (wire
// request -> canonical, then its own byte-faithful encoder).
//
// # Canonical mapping
//
// Contents. System messages become systemInstruction (all of them, in order,
// wherever they stood). User messages are "user" contents; assistant
// messages are "model" contents whose parts are, in this order, the
// reasoning blocks (thought parts), the text parts, then the function
// calls. Images are inlineData (base64) when the bytes or a data: URL are
// known, fileData {mimeType, fileUri} for other URLs (the MIME type comes
// from the image, else from the URL's extension, else image/jpeg).
//
// Function calls. Gemini sends calls whole, as an args object, usually
// without an id. A call with an id keeps it; otherwise the gateway gives it
// one: CallID, "gcall_" and 22 base62 characters of a hash of the call's
// name, its compact arguments, the candidate index and the call's ordinal
// in the candidate. The id is therefore stable: decoding the same answer
// twice, or the streamed and the unary form of the same answer, gives the
// same ids. Ids minted by the gateway are never sent to Gemini; any other
// id (one Gemini issued, or one from another provider's turn) is sent back in
// functionCall.id and functionResponse.id.
//
// Function results. A tool message names its call only by ToolCallID; the
// function name Gemini needs is found in the ToolCalls of the assistant
// messages before it (nearest first). Consecutive tool messages become the
// functionResponse parts of one "user" content, in order. The result text
// becomes functionResponse.response: a JSON object is sent as is; any other
// JSON value, and any text that is not JSON, is wrapped as {"result": v}
// (the key Gemini's own SDKs use). Decoding undoes the wrapping: a response
// whose only member is "result" with a non-object value reads back as that
// value's text (a string without its quotes).
//
// Signatures. thoughtSignature on a functionCall part is ToolCall.Signature;
// on a text part Part.Signature (Chunk.TextSignature in a stream); on a
// thought part Reasoning.Signature. Each is sent back unchanged in the same
// place on the next turn. Thought parts (thought: true) are Reasoning blocks.
//
// Schemas. Tool parameters and json_schema response formats are JSON Schema
// in the canonical model. By default they are sent as parametersJsonSchema
// and responseJsonSchema, unchanged: Gemini 2.5 and later accept JSON Schema
// there, and no conversion can lose a keyword. RequestOptions.OpenAPISchema
// converts them instead to Gemini's OpenAPI 3 subset (parameters,
// responseSchema) for older models: $ref/$defs are inlined, type lists with
// "null" become nullable, const becomes enum, oneOf becomes anyOf, and
// keywords the subset rejects (additionalProperties, $schema, strict, ...)
// are dropped; a recursive schema, which cannot be inlined, stays JSON
// Schema. Decoding reads both forms into JSON Schema.
//
// Reasoning. ReasoningConfig.BudgetTokens is thinkingConfig.thinkingBudget;
// an effort maps to a budget: none 0 (thinking off), minimal 128, low 1024,
// medium 8192, high 24576 (the mapping of Google's OpenAI-compatible
// endpoint). includeThoughts is set whenever the budget is not 0, so thought
// summaries come back as Reasoning blocks.
//
// Usage. Input is promptTokenCount plus toolUsePromptTokenCount;
// cachedContentTokenCount is the cached subset of it. Output is
// candidatesTokenCount plus thoughtsTokenCount (Gemini counts thoughts
// outside the candidates but inside the total); reasoning is
// thoughtsTokenCount. A stream repeats usageMetadata in every chunk and
// promptTokenCount can change: the last chunk's counts are final, and the
// stream decoder emits them once, at the end.
//
// Finish reasons. STOP is stop, or tool_calls when the candidate holds
// function calls (Gemini has no tool-specific reason); MAX_TOKENS is length;
// SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII and the IMAGE_*
// safety reasons are content_filter; MALFORMED_FUNCTION_CALL,
// UNEXPECTED_TOOL_CALL and TOO_MANY_TOOL_CALLS are error; anything else is
// other. The raw reason is always kept. A blocked prompt
// (promptFeedback.blockReason), or an answer whose every candidate was
// stopped by a filter before any content, is a ContentFiltered error rather
// than an empty response; a candidate cut by a filter after some content
// keeps that content with finish reason content_filter.
//
// Not sent. Gemini has no field for llm.Request.User, Metadata or
// ParallelToolCalls (the model decides whether to call several functions),
// for a message's Name, or for prompt-cache hints (Gemini caches implicitly;
// an explicit cache is named with the cachedContent provider option): they
// are dropped. Anthropic's redacted thinking has no Gemini form either.
//
// Provider options. llm.Request.ProviderOptions["gemini"] (and the entry
// named after the provider instance) is a JSON object merged into the body:
// generationConfig and toolConfig member by member, tools appended to the
// function declarations (googleSearch, codeExecution, ...), and any other
// member (safetySettings, cachedContent, labels, ...) set as given.
package wire
