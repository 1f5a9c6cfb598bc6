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
		ScToolSerial:   schemaForEveryTool,
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
		ScToolSerial: parallelCallsNotSent("Converse has no field for it (Claude's disable_parallel_tool_use lives in a tool_choice " +
			"Converse does not pass on)").and(schemaForEveryTool),
		ScToolResults: schemaForEveryTool,
		ScJSONSchema:  jsonAsForcedTool,
		ScJSONObject:  jsonObjectAsForcedTool,
		ScChoices:     unsupported("Converse returns one message per request; n > 1 is refused"),
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
		ScToolSerial:    parallelCallsNotSent("Gemini has no setting for it"),
		ScToolArgDeltas: wholeArguments,
		ScCacheWrite:    cacheWritesNotReported("Gemini caches implicitly and reports only cachedContentTokenCount (reads)"),
		ScReasoning:     geminiThinking,
	},
	Vertex: {
		ScToolSerial:    parallelCallsNotSent("Gemini on Vertex AI has no setting for it"),
		ScToolArgDeltas: wholeArguments,
		ScCacheWrite:    cacheWritesNotReported("Vertex AI reports Gemini's usage: cache reads only"),
		ScReasoning:     geminiThinking,
		ScErrRateLimited: differs("Vertex AI's 429 (\"Resource exhausted. Please try again later.\") carries neither Retry-After nor RetryInfo: "+
			"the caller is not told how long to wait", FieldRetryAfter).then(func(e *Expect) { e.Err.RetryAfter = 0 }),
	},
	DoorOpenAI: {
		ScReasoning: differs("chat completions have no field for reasoning text or signatures: thinking blocks and thought summaries are "+
			"not passed on (reasoning tokens are); a provider that reports no reasoning tokens leaves no trace of its reasoning",
			FieldReasoning).then(reasoningUnobservable),
		ScErrAuth: providerAuthIsUpstream,
		ScErrCut:  unreachableIsOverloaded("a 503 (code unavailable)"),
	},
	DoorAnthropic: {
		ScToolForced:   schemaForEveryTool,
		ScToolParallel: schemaForEveryTool,
		ScToolSerial:   schemaForEveryTool,
		ScToolResults:  schemaForEveryTool,
		ScJSONObject: differs("the Messages API has no json_object format: the client sends it as a forced tool json_response with an open "+
			"object schema, which the gateway passes on as a tool and the simulator fills with {}", FieldText, FieldInputTokens, FieldOutputTokens),
		ScChoices: unsupported("the Messages API returns one message per request: a client cannot ask for n > 1"),
		ScReasoning: differs("the Messages API reports no reasoning tokens (they are inside output_tokens) and asks for reasoning as a "+
			"thinking budget; thinking blocks and thought summaries are passed on, so a provider that returns no reasoning text "+
			"leaves no trace of its reasoning", FieldReasoningTokens).then(reasoningUnobservable),
		ScErrAuth: providerAuthIsUpstream,
		ScErrFiltered: differs("the Messages API has no error type for a content filter: a refused prompt is a 400 invalid_request_error",
			FieldErrorKind).then(seenAs(llm.KindContentFiltered, llm.KindInvalidRequest)),
		ScErrCut: unreachableIsOverloaded("a 503 api_error"),
	},
	DoorConnect: {
		ScToolForced:    structKeyOrder,
		ScToolParallel:  structKeyOrder,
		ScToolSerial:    structKeyOrder,
		ScToolResults:   structKeyOrder,
		ScToolArgDeltas: structKeyOrder,
		ScJSONSchema: differs("google.protobuf.Struct keeps no key order: the response schema reaches the provider with its keys sorted, "+
			"so the prompt counts other tokens and an answer generated in schema order lists its keys alphabetically",
			FieldText, FieldInputTokens, FieldOutputTokens),
		ScErrAuth: providerAuthIsUpstream,
	},
}

// Front-door deviations shared by several front doors.
var (
	providerAuthIsUpstream = differs("a provider refusing the gateway's own credentials is the operator's problem, not the caller's: "+
		"it is reported as an upstream failure (code upstream_auth_failed), never as Unauthenticated, which would blame the caller's key",
		FieldErrorKind).then(seenAs(llm.KindUnauthenticated, llm.KindUpstream))
	structKeyOrder = differs("google.protobuf.Struct keeps no key order: tool schemas reach the provider with their keys sorted, "+
		"which the prompt counts differently", FieldInputTokens)
)

// unreachableIsOverloaded declares a front door answering a provider it
// could not reach with a status its clients read as overloaded.
func unreachableIsOverloaded(answer string) Deviation {
	return differs("a provider that could not be reached (a unary call cut before any byte) is answered with "+answer+
		", which this API's clients cannot tell from an overloaded provider", FieldErrorKind).
		then(seenAs(llm.KindUnavailable, llm.KindOverloaded))
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
)

// parallelCallsNotSent declares a provider that cannot be told to call one
// tool at a time: the translator cannot send parallel_tool_calls=false, so
// it keeps the first tool call of the answer (llm.KeepFirstToolCall,
// llm.FirstToolCallOnly). The caller gets one call, as asked; the provider
// may still have generated (and billed) the others.
func parallelCallsNotSent(why string) Deviation {
	return differs("parallel_tool_calls=false cannot be sent: "+why+"; the translator keeps the first tool call of the answer, "+
		"and the output tokens are those the provider generated (and bills), the dropped calls included", FieldOutputTokens)
}

// cacheWritesNotReported declares that a provider reports no cache writes.
func cacheWritesNotReported(reason string) Deviation {
	return differs(reason, FieldCacheWrite).then(func(e *Expect) { e.CacheWriteTokens = 0 })
}
