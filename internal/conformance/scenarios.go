package conformance

import (
	"encoding/base64"
	"encoding/json"

	"github.com/switchboard-gw/switchboard/llm"
)

// Scenario groups, in matrix order.
const (
	GroupContent = "content"
	GroupTools   = "tools"
	GroupOutput  = "output"
	GroupUsage   = "usage"
	GroupErrors  = "errors"
)

// Scenarios is the table every target runs, in matrix order. Answers are the
// simulator's: deterministic functions of the conversation, so the same
// conversation reaching the model through any translator gets the same text
// and the same token counts.
var Scenarios = append(answerScenarios, errorScenarios...)

// Scenario names the deviations table refers to.
const (
	ScText             = "text"
	ScSystemPrompt     = "system-prompt"
	ScMultiTurn        = "multi-turn"
	ScImageInline      = "image-inline"
	ScImageURL         = "image-url"
	ScToolForced       = "tool-call-forced"
	ScToolParallel     = "tool-calls-parallel"
	ScToolSerial       = "tool-calls-one-at-a-time"
	ScToolResults      = "tool-results"
	ScToolArgDeltas    = "tool-call-argument-deltas"
	ScJSONSchema       = "json-schema"
	ScJSONObject       = "json-object"
	ScStopSequence     = "stop-sequence"
	ScMaxTokens        = "max-tokens"
	ScChoices          = "multiple-choices"
	ScOutputFiltered   = "content-filter-output"
	ScCachedInput      = "usage-cached-input"
	ScCacheWrite       = "usage-cache-write"
	ScReasoning        = "reasoning"
	ScErrInvalid       = "error-invalid-request"
	ScErrAuth          = "error-auth"
	ScErrNotFound      = "error-not-found"
	ScErrRateLimited   = "error-rate-limited"
	ScErrOverloaded    = "error-overloaded"
	ScErrContextLength = "error-context-too-long"
	ScErrFiltered      = "error-content-filtered"
	ScErrUpstream      = "error-upstream-5xx"
	ScErrMalformed     = "error-malformed-stream"
	ScErrCut           = "error-cut-stream"
	ScErrInStream      = "error-in-stream"
)

// simulatedPrefix opens every generated text answer.
const simulatedPrefix = "This is a simulated response."

// WeatherSchema is the parameters schema of the get_weather tool.
const WeatherSchema = `{"type":"object","properties":{"city":{"type":"string","description":"The city"},` +
	`"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city","unit"],"additionalProperties":false}`

// answerSchema is the json-schema scenario's response schema.
const answerSchema = `{"type":"object","properties":{"city":{"type":"string"},"temperature":{"type":"integer"},` +
	`"conditions":{"type":"array","items":{"type":"string"}}},"required":["city","temperature","conditions"],"additionalProperties":false}`

// objectSchema accepts any JSON object.
const objectSchema = `{"type":"object"}`

// The tools the tool scenarios offer: one with parameters, one without
// (whose arguments must be "{}", never empty).
var (
	weatherTool = llm.Tool{Name: "get_weather", Description: "Current weather in a city", Parameters: json.RawMessage(WeatherSchema)}
	timeTool    = llm.Tool{Name: "get_time", Description: "The current time"}
)

// pixelPNG is a valid 1x1 PNG.
var pixelPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

func user(text string) llm.Message {
	return llm.Message{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(text)}}
}

func system(text string) llm.Message {
	return llm.Message{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart(text)}}
}

func assistant(text string) llm.Message {
	return llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart(text)}}
}

// ask is a request with one user message.
func ask(text string) func(model string) *llm.Request {
	return func(model string) *llm.Request {
		return &llm.Request{Model: model, Messages: []llm.Message{user(text)}}
	}
}

// with is ask with the request adjusted by f.
func with(text string, f func(r *llm.Request)) func(model string) *llm.Request {
	return func(model string) *llm.Request {
		r := ask(text)(model)
		f(r)
		return r
	}
}

func ptr[T any](v T) *T { return &v }

var answerScenarios = []Scenario{
	{
		Name: ScText, Title: "plain text", Group: GroupContent,
		Request: ask("Tell me about gateways."),
		Expect:  Expect{TextPrefix: simulatedPrefix, Finish: llm.FinishStop},
	},
	{
		Name: ScSystemPrompt, Title: "system prompt", Group: GroupContent,
		Request: func(model string) *llm.Request {
			return &llm.Request{Model: model, Messages: []llm.Message{system("You are terse."), user("Tell me about gateways.")}}
		},
		Expect: Expect{TextPrefix: simulatedPrefix, Finish: llm.FinishStop},
	},
	{
		Name: ScMultiTurn, Title: "multi-turn conversation", Group: GroupContent,
		Request: func(model string) *llm.Request {
			return &llm.Request{Model: model, Messages: []llm.Message{
				user("Hi."), assistant("Hello! How can I help?"), user("Tell me more about gateways."),
			}}
		},
		Expect: Expect{TextPrefix: simulatedPrefix, Finish: llm.FinishStop},
	},
	{
		Name: ScImageInline, Title: "image input (inline bytes)", Group: GroupContent,
		Request: func(model string) *llm.Request {
			return &llm.Request{Model: model, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{
				llm.TextPart("What is in this picture?"),
				{Type: llm.PartImage, Image: &llm.Image{MediaType: "image/png", Data: pixelPNG}},
			}}}}
		},
		Expect: Expect{TextPrefix: simulatedPrefix, Finish: llm.FinishStop},
	},
	{
		Name: ScImageURL, Title: "image input (https URL)", Group: GroupContent,
		Request: func(model string) *llm.Request {
			return &llm.Request{Model: model, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{
				llm.TextPart("What is in this picture?"),
				{Type: llm.PartImage, Image: &llm.Image{URL: "https://example.com/pixel.png"}},
			}}}}
		},
		Expect: Expect{TextPrefix: simulatedPrefix, Finish: llm.FinishStop},
	},
	{
		Name: ScToolForced, Title: "forced tool call", Group: GroupTools,
		Request: with("What is it like outside?", func(r *llm.Request) {
			r.Tools = []llm.Tool{weatherTool, timeTool}
			r.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: "get_weather"}
		}),
		Expect: Expect{Finish: llm.FinishToolCalls, Calls: []ExpectCall{{Name: "get_weather", Schema: WeatherSchema}}},
	},
	{
		Name: ScToolParallel, Title: "parallel tool calls (one without arguments)", Group: GroupTools,
		Request: with("Use get_weather and get_time, please.", func(r *llm.Request) {
			r.Tools = []llm.Tool{weatherTool, timeTool}
		}),
		Expect: Expect{Finish: llm.FinishToolCalls, Calls: []ExpectCall{
			{Name: "get_weather", Schema: WeatherSchema}, {Name: "get_time", Arguments: "{}"},
		}},
	},
	{
		Name: ScToolSerial, Title: "parallel tool calls off (at most one call)", Group: GroupTools,
		Request: with("Use get_weather and get_time, please.", func(r *llm.Request) {
			r.Tools = []llm.Tool{weatherTool, timeTool}
			r.ParallelToolCalls = ptr(false)
		}),
		Expect: Expect{Finish: llm.FinishToolCalls, Calls: []ExpectCall{{Name: "get_weather", Schema: WeatherSchema}}},
	},
	{
		Name: ScToolResults, Title: "tool results sent back (parallel calls answered)", Group: GroupTools,
		Request: func(model string) *llm.Request {
			return &llm.Request{Model: model, Tools: []llm.Tool{weatherTool, timeTool}, Messages: []llm.Message{
				user("Use get_weather and get_time, please."),
				{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{
					{ID: "call_weather_1", Name: "get_weather", Arguments: `{"city":"Paris","unit":"celsius"}`},
					{ID: "call_time_1", Name: "get_time", Arguments: "{}"},
				}},
				{Role: llm.RoleTool, ToolCallID: "call_weather_1", Parts: []llm.Part{llm.TextPart(`{"temperature":18,"sky":"clear"}`)}},
				{Role: llm.RoleTool, ToolCallID: "call_time_1", Parts: []llm.Part{llm.TextPart(`{"time":"12:00"}`)}},
			}}
		},
		Expect: Expect{Finish: llm.FinishStop, TextContains: []string{
			"Based on the tool results: get_weather returned", `"temperature":18`, "get_time returned", `"time":"12:00"`,
		}},
	},
	{
		Name: ScToolArgDeltas, Title: "streamed tool-call argument deltas", Group: GroupTools,
		Request: with("What is it like outside?", func(r *llm.Request) {
			r.Tools = []llm.Tool{weatherTool}
			r.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceRequired}
		}),
		Expect: Expect{Finish: llm.FinishToolCalls, ArgumentFragments: true, Calls: []ExpectCall{{Name: "get_weather", Schema: WeatherSchema}}},
	},
	{
		Name: ScJSONSchema, Title: "JSON-schema output", Group: GroupOutput,
		Request: with("Describe the weather in Paris.", func(r *llm.Request) {
			r.ResponseFormat = &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema, Name: "weather_report", Schema: json.RawMessage(answerSchema), Strict: true}
		}),
		Expect: Expect{Finish: llm.FinishStop, JSONSchema: answerSchema},
	},
	{
		Name: ScJSONObject, Title: "JSON-object output", Group: GroupOutput,
		Request: with("Describe the weather in Paris as a JSON object.", func(r *llm.Request) {
			r.ResponseFormat = &llm.ResponseFormat{Type: llm.ResponseFormatJSONObject}
		}),
		Expect: Expect{Finish: llm.FinishStop, JSONSchema: objectSchema},
	},
	{
		Name: ScStopSequence, Title: "stop sequence", Group: GroupOutput,
		Request: with(`Count for me. [[sim reply="one two STOP three"]]`, func(r *llm.Request) { r.Stop = []string{"STOP"} }),
		Expect:  Expect{Text: "one two ", Finish: llm.FinishStop},
	},
	{
		Name: ScMaxTokens, Title: "max-tokens finish", Group: GroupOutput,
		Request: with("Tell me a long story.", func(r *llm.Request) { r.MaxTokens = ptr[int64](5) }),
		Expect:  Expect{TextPrefix: "This is a", Finish: llm.FinishLength},
	},
	{
		Name: ScChoices, Title: "several choices (n = 2)", Group: GroupOutput,
		Request: with("Tell me about gateways.", func(r *llm.Request) { r.N = 2 }),
		Expect:  Expect{TextPrefix: simulatedPrefix, Finish: llm.FinishStop, Choices: 2},
	},
	{
		Name: ScOutputFiltered, Title: "output cut by a content filter", Group: GroupOutput,
		Request: ask("Tell me about gateways. [[sim content_filter=output]]"),
		Expect:  Expect{TextPrefix: "This is", Finish: llm.FinishContentFilter},
	},
	{
		Name: ScCachedInput, Title: "usage with cached input tokens", Group: GroupUsage,
		Request: ask("A long shared prefix, then a question. [[sim cached=4]]"),
		Expect:  Expect{TextPrefix: simulatedPrefix, Finish: llm.FinishStop, CachedInputTokens: 4},
	},
	{
		Name: ScCacheWrite, Title: "usage with cache writes", Group: GroupUsage,
		Request: ask("A long shared prefix, then a question. [[sim cache_write=3]]"),
		Expect:  Expect{TextPrefix: simulatedPrefix, Finish: llm.FinishStop, CacheWriteTokens: 3},
	},
	{
		Name: ScReasoning, Title: "reasoning (effort low)", Group: GroupUsage,
		Request: with("Think about gateways.", func(r *llm.Request) { r.Reasoning = &llm.ReasoningConfig{Effort: "low"} }),
		Expect:  Expect{TextPrefix: simulatedPrefix, Finish: llm.FinishStop, Reasoning: Shown},
	},
}
