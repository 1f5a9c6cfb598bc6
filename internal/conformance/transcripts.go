package conformance

import (
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Transcript is one recorded exchange with a real provider (a file under
// ../shared/fixtures/providers/<Provider>/<Case>.json) and the canonical
// result its translator must decode it to. Each is a real instance of a
// scenario: the scenario's expectation, with the provider's deviations,
// gives the error class and the finish reason; the row gives what the real
// model said and counted.
type Transcript struct {
	Provider, Case string
	// Scenario is the scenario the recording is an instance of; "" for the
	// embeddings and model-list recordings.
	Scenario string
	// Stream replays the recording to the translator's Stream.
	Stream bool
	// Text is the exact text, or TextPrefix its start (long answers).
	Text, TextPrefix string
	Calls            []ExpectCall
	// Usage is the exact canonical usage: cache reads and writes inside
	// the input, reasoning inside the output, whatever the wire said.
	Usage llm.Usage
	// Reasoning says the answer carries reasoning blocks.
	Reasoning  bool
	RetryAfter time.Duration
	// Embeddings and Dimensions describe an embeddings recording; Models a
	// model list.
	Embeddings, Dimensions int
	Models                 []string
}

// Expect is the transcript's expectation: its scenario's, as the
// provider's deviations adjust it, with the recorded content.
func (tr *Transcript) Expect() Expect {
	sc := ScenarioNamed(tr.Scenario)
	e := ExpectationFor(sc, tr.Stream, tr.Provider).Expect
	if e.Err != nil {
		e.Err.RetryAfter = tr.RetryAfter
		return e
	}
	u := tr.Usage
	e.Text, e.TextPrefix, e.TextContains, e.JSONSchema = tr.Text, tr.TextPrefix, nil, ""
	e.Calls = tr.Calls
	e.Usage = &u
	e.CachedInputTokens, e.CacheWriteTokens = u.CachedInputTokens, u.CacheWriteTokens
	e.Reasoning = None
	if u.ReasoningTokens > 0 || tr.Reasoning {
		e.Reasoning = Shown
	}
	e.ArgumentFragments = e.ArgumentFragments && tr.Stream
	return e
}

// ScenarioNamed returns the scenario with the given name; it panics for an
// unknown name (a typo in a table).
func ScenarioNamed(name string) *Scenario {
	for i := range Scenarios {
		if Scenarios[i].Name == name {
			return &Scenarios[i]
		}
	}
	panic("conformance: no scenario " + name)
}

// Transcripts lists every recording; a recording without a row, or a row
// without its recording, fails the suite.
var Transcripts = []Transcript{
	// OpenAI chat completions.
	{Provider: OpenAI, Case: "chat-basic", Scenario: ScText,
		Text: "Hi there! How can I help you today? I can explain concepts, answer questions, help with writing or editing, brainstorm ideas, " +
			"assist with coding or math, plan tasks, and more. Tell me what you\u2019d like to do.",
		Usage: llm.Usage{InputTokens: 8, OutputTokens: 377, ReasoningTokens: 320}},
	{Provider: OpenAI, Case: "chat-cached-tokens", Scenario: ScCachedInput, Text: "Hello!",
		Usage: llm.Usage{InputTokens: 1144, CachedInputTokens: 1024, OutputTokens: 2}},
	// Without stream_options.include_usage the stream carries no usage.
	{Provider: OpenAI, Case: "chat-stream-basic", Scenario: ScText, Stream: true,
		Text: "Hi there! How can I help today? I can answer questions, explain concepts, help with writing or brainstorming, code, plan something, " +
			"and more. Tell me what you\u2019d like to work on or a topic you\u2019re curious about."},
	{Provider: OpenAI, Case: "chat-stream-tool-call-include-usage", Scenario: ScToolArgDeltas, Stream: true,
		Calls: []ExpectCall{{Name: "get_capital", Arguments: `{"country":"UK"}`}},
		Usage: llm.Usage{InputTokens: 53, OutputTokens: 15}},
	{Provider: OpenAI, Case: "chat-tool-call", Scenario: ScToolForced,
		Calls: []ExpectCall{{Name: "get_current_weather", Arguments: `{"location":"Boston, MA","unit":"fahrenheit"}`}},
		Usage: llm.Usage{InputTokens: 162, OutputTokens: 287, ReasoningTokens: 256}},
	{Provider: OpenAI, Case: "error-400-context-length-exceeded", Scenario: ScErrContextLength},
	{Provider: OpenAI, Case: "error-400-unsupported-parameter", Scenario: ScErrInvalid},
	{Provider: OpenAI, Case: "error-401-invalid-api-key", Scenario: ScErrAuth},
	{Provider: OpenAI, Case: "error-404-model-not-found", Scenario: ScErrNotFound},
	// OpenAI's other APIs.
	{Provider: OpenAI, Case: "embeddings-float", Embeddings: 1, Dimensions: 1536, Usage: llm.Usage{InputTokens: 7}},
	{Provider: OpenAI, Case: "models-list", Models: []string{"model-id-0", "model-id-1", "model-id-2"}},

	// Anthropic Messages: input_tokens excludes the cache counts, which the
	// canonical input includes.
	{Provider: Anthropic, Case: "messages-basic", Scenario: ScText, Text: "Hello! It's nice to meet you. How are you doing today?",
		Usage: llm.Usage{InputTokens: 9, OutputTokens: 18}},
	{Provider: Anthropic, Case: "messages-cache-write-and-read", Scenario: ScCacheWrite,
		Text: "Python is a beginner-friendly, versatile programming language widely used for web development, data science, machine learning, " +
			"automation, and scientific computing.",
		Usage: llm.Usage{InputTokens: 3 + 418 + 1111, CachedInputTokens: 1111, CacheWriteTokens: 418, OutputTokens: 33}},
	// Two calls of a parameterless tool, each streamed as one empty
	// input_json_delta: their arguments are "{}", never empty.
	{Provider: Anthropic, Case: "messages-stream-parallel-tool-use-empty-input", Scenario: ScToolParallel, Stream: true,
		Calls: []ExpectCall{{Name: "pelican_name_generator", Arguments: "{}"}, {Name: "pelican_name_generator", Arguments: "{}"}},
		Usage: llm.Usage{InputTokens: 542, OutputTokens: 62}},
	{Provider: Anthropic, Case: "messages-stream-text", Scenario: ScText, Stream: true, Text: "- Captain\n- Scoop",
		Usage: llm.Usage{InputTokens: 17, OutputTokens: 10}},
	{Provider: Anthropic, Case: "messages-tool-result-followup", Scenario: ScToolResults,
		Text:  "The weather in Tokyo is currently sunny and 72\u00b0F (approximately 22\u00b0C).",
		Usage: llm.Usage{InputTokens: 701, OutputTokens: 22}},
	{Provider: Anthropic, Case: "messages-tool-use", Scenario: ScToolForced,
		Calls: []ExpectCall{{Name: "get_weather", Arguments: `{"location":"Tokyo, Japan"}`}},
		Usage: llm.Usage{InputTokens: 620, OutputTokens: 55}},
	{Provider: Anthropic, Case: "error-400-invalid-request", Scenario: ScErrInvalid},
	{Provider: Anthropic, Case: "error-401-authentication", Scenario: ScErrAuth},
	{Provider: Anthropic, Case: "error-529-overloaded", Scenario: ScErrOverloaded},
	// An error event inside a 200 stream.
	{Provider: Anthropic, Case: "stream-error-event-overloaded", Scenario: ScErrOverloaded, Stream: true},

	// Gemini: thoughtsTokenCount is outside candidatesTokenCount, inside the
	// canonical output; cachedContentTokenCount is inside promptTokenCount.
	{Provider: Gemini, Case: "generateContent-basic", Scenario: ScText, Text: "Hello! How can I help you today?",
		Usage: llm.Usage{InputTokens: 3, OutputTokens: 9 + 204, ReasoningTokens: 204}},
	// A function call ends with finishReason STOP, read as tool_calls.
	{Provider: Gemini, Case: "generateContent-function-call-cached-content", Scenario: ScToolForced,
		Calls: []ExpectCall{{Name: "generate_report", Arguments: `{"findings":"The AI agent market is currently valued at $50 billion and is ` +
			`experiencing a strong growth rate of 15% year-over-year. Key players in the industry are contributing to this expansion, driven by ` +
			`increasing adoption across various sectors.","title":"Current State of the AI Agent Market"}`}},
		Usage: llm.Usage{InputTokens: 557, CachedInputTokens: 330, OutputTokens: 73 + 70, ReasoningTokens: 70}},
	{Provider: Gemini, Case: "generateContent-function-response-followup", Scenario: ScToolResults, Text: "The result of 15 * 8 is 120",
		Usage: llm.Usage{InputTokens: 191, OutputTokens: 14}},
	{Provider: Gemini, Case: "streamGenerateContent-sse-function-call", Scenario: ScToolArgDeltas, Stream: true,
		Calls: []ExpectCall{{Name: "get_current_temperature", Arguments: `{"city":"San Francisco"}`}},
		Usage: llm.Usage{InputTokens: 36, OutputTokens: 8}},
	// Usage repeats in every chunk and changes: the last chunk's counts.
	{Provider: Gemini, Case: "streamGenerateContent-sse-text", Scenario: ScText, Stream: true, Text: "The capital of France is Paris.\n",
		Usage: llm.Usage{InputTokens: 13, OutputTokens: 8}},
	// A bad key is a 400 INVALID_ARGUMENT (reason API_KEY_INVALID), labelled
	// text/event-stream on a streamed request.
	{Provider: Gemini, Case: "error-400-api-key-invalid", Scenario: ScErrAuth, Stream: true},
	{Provider: Gemini, Case: "error-503-overloaded", Scenario: ScErrOverloaded},

	// Bedrock Converse: inputTokens excludes the cache counts.
	{Provider: Bedrock, Case: "converse-basic", Scenario: ScText,
		Text:  "Hello! \U0001F44B How are you doing? Is there something I can help you with today?",
		Usage: llm.Usage{InputTokens: 9, OutputTokens: 24}},
	{Provider: Bedrock, Case: "converse-cache-read", Scenario: ScCachedInput, Text: "21",
		Usage: llm.Usage{InputTokens: 2 + 1322, CachedInputTokens: 1322, OutputTokens: 5}},
	{Provider: Bedrock, Case: "converse-tool-result-followup", Scenario: ScToolResults,
		TextPrefix: "The three parallel searches were executed simultaneously across all tools, querying the latest release notes for OpenAI,",
		Usage:      llm.Usage{InputTokens: 1197, OutputTokens: 173}},
	{Provider: Bedrock, Case: "converse-tool-use", Scenario: ScToolForced,
		Text: "<thinking> To determine the capital of France, I can use the provided tool that returns the capital of a given country. " +
			"Since the country in question is France, I will use the tool with the country parameter set to \"France\". </thinking>\n",
		Calls: []ExpectCall{{Name: "get_capital", Arguments: `{"country":"France"}`}},
		Usage: llm.Usage{InputTokens: 426, OutputTokens: 66}},
	// The binary event stream: text blocks without contentBlockStart,
	// messageStop before the metadata event with the usage.
	{Provider: Bedrock, Case: "converseStream-text", Scenario: ScText, Stream: true,
		Text: "The capital of France is Paris. Paris is not only the capital city but also the most populous city in France, and it is a major " +
			"center for culture, commerce, fashion, and international diplomacy. Known for its historical landmarks, such as the Eiffel Tower, " +
			"the Louvre Museum, and Notre-Dame Cathedral, Paris is often referred to as \"The City of Light\" or \"The City of Love.\"",
		Usage: llm.Usage{InputTokens: 13, OutputTokens: 82}},
	// An unknown model id is a 400 ValidationException (no x-amzn-errortype
	// was recorded); its message says what it is, an unknown model.
	{Provider: Bedrock, Case: "error-400-invalid-model", Scenario: ScErrNotFound},
}
