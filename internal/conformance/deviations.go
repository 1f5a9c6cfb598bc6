package conformance

import "github.com/switchboard-gw/switchboard/llm"

// Deviations is the one place where a target may answer a scenario
// differently from the expected result: target (a provider name or a front
// door name) -> scenario -> deviation. Through the gateway, the deviation of
// the provider and that of the front door both apply. Every Difference must
// be observed by some run (the tests fail on stale entries), and every
// Unsupported scenario must be refused with an InvalidRequest error.
// docs/providers.md's matrix is generated from this table.
var Deviations = map[string]map[string]Deviation{
	OpenAI: {
		ScCacheWrite: cacheWritesNotReported("OpenAI caches prompts automatically and reports only cache reads (prompt_tokens_details.cached_tokens)"),
	},
	Azure: {
		ScCacheWrite: cacheWritesNotReported("Azure OpenAI reports usage as OpenAI does: cache reads only"),
	},
	Anthropic: {
		ScToolForced:   schemaForEveryTool,
		ScToolParallel: schemaForEveryTool,
		ScToolResults:  schemaForEveryTool,
		ScJSONSchema:   jsonAsForcedTool,
		ScJSONObject:   jsonObjectAsForcedTool,
		ScChoices:      unsupported("the Messages API returns one message per request; n > 1 is refused"),
		ScReasoning: differs("thinking is a token budget (effort low: 1024) and comes back as signed thinking blocks counted in output_tokens; "+
			"the Messages API does not report reasoning tokens separately",
			FieldReasoning, FieldOutputTokens, FieldReasoningTokens),
		ScErrFiltered: differs("the Messages API has no prompt content filter error: a refused request is an ordinary 400 invalid_request_error "+
			"(refusals of the output end with stop_reason refusal, read as finish content_filter)",
			FieldErrorKind).then(errorKind(llm.KindInvalidRequest)),
	},
	Bedrock: {
		ScImageURL:     unsupported("Converse cannot fetch images from http(s) URLs; send the bytes, a data: URL or an s3:// URL"),
		ScToolForced:   schemaForEveryTool,
		ScToolParallel: schemaForEveryTool,
		ScToolResults:  schemaForEveryTool,
		ScJSONSchema:   jsonAsForcedTool,
		ScJSONObject:   jsonObjectAsForcedTool,
		ScChoices:      unsupported("Converse returns one message per request; n > 1 is refused"),
		ScReasoning: differs("Claude thinking on Bedrock is a token budget (effort low: 1024) in additionalModelRequestFields and comes back as "+
			"signed reasoningContent blocks counted in outputTokens; Converse does not report reasoning tokens separately",
			FieldReasoning, FieldOutputTokens, FieldReasoningTokens),
		ScErrFiltered: differs("a guardrail that blocks the prompt answers 200 with its own message and stopReason guardrail_intervened: "+
			"an answer with finish content_filter, not an error",
			FieldErrorKind).then(func(e *Expect) {
			*e = Expect{Text: "Sorry, the model cannot answer this question.", Finish: llm.FinishContentFilter, NotGenerated: true}
		}),
	},
	Gemini: {
		ScToolArgDeltas: wholeArguments,
		ScCacheWrite:    cacheWritesNotReported("Gemini caches implicitly and reports only cachedContentTokenCount (reads)"),
		ScReasoning:     geminiThinking,
		ScErrFiltered:   geminiPromptFilterSim,
	},
	Vertex: {
		ScToolArgDeltas: wholeArguments,
		ScCacheWrite:    cacheWritesNotReported("Vertex AI reports Gemini's usage: cache reads only"),
		ScReasoning:     geminiThinking,
		ScErrFiltered:   geminiPromptFilterSim,
		ScErrRateLimited: differs("Vertex AI's 429 (\"Resource exhausted. Please try again later.\") carries neither Retry-After nor RetryInfo: "+
			"the caller is not told how long to wait", FieldRetryAfter).then(func(e *Expect) { e.Err.RetryAfter = 0 }),
	},
}

// Deviations shared by several providers.
var (
	schemaForEveryTool = differs("every tool needs an input schema on this wire: the parameterless get_time is sent with the empty object schema, "+
		"whose tokens count as input", FieldInputTokens)
	jsonAsForcedTool = differs("there is no response_format on this wire: the schema is sent as a forced tool json_response whose input comes back "+
		"as the text (finish stop); the tool definition counts as input and the JSON is generated as tool arguments",
		FieldText, FieldInputTokens, FieldOutputTokens)
	jsonObjectAsForcedTool = differs("json_object is sent as a forced tool json_response with an open object schema; the simulator fills an open "+
		"object schema with {} (a real model writes an object)", FieldText, FieldInputTokens, FieldOutputTokens)
	wholeArguments = differs("Gemini sends each function call whole in one chunk: its arguments arrive in one delta, never in fragments",
		FieldArgumentDeltas).then(func(e *Expect) { e.ArgumentFragments = false })
	geminiThinking = differs("effort maps to thinkingBudget (low: 1024) with thought summaries, which come back as reasoning text; "+
		"thoughtsTokenCount reports the thinking spent", FieldReasoning, FieldOutputTokens, FieldReasoningTokens)
	geminiPromptFilterSim = differs("simulator gap: its Gemini dialect answers content_filter=prompt with a generic 400 INVALID_ARGUMENT; "+
		"the real API answers 200 with promptFeedback.blockReason, which the translator reads as content_filtered",
		FieldErrorKind).then(errorKind(llm.KindInvalidRequest))
)

// cacheWritesNotReported declares that a provider reports no cache writes.
func cacheWritesNotReported(reason string) Deviation {
	return differs(reason, FieldCacheWrite).then(func(e *Expect) { e.CacheWriteTokens = 0 })
}
