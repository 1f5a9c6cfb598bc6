package wire

import "encoding/json"

// ConverseResponse is the body of a successful Converse call.
type ConverseResponse struct {
	Output     ConverseOutput `json:"output"`
	StopReason string         `json:"stopReason"`
	Usage      Usage          `json:"usage"`
	Metrics    *Metrics       `json:"metrics,omitempty"`
	// AdditionalModelResponseFields holds the fields asked for with
	// additionalModelResponseFieldPaths.
	AdditionalModelResponseFields json.RawMessage `json:"additionalModelResponseFields,omitempty"`
	Trace                         json.RawMessage `json:"trace,omitempty"`
	PerformanceConfig             json.RawMessage `json:"performanceConfig,omitempty"`
}

// ConverseOutput holds the answer message.
type ConverseOutput struct {
	Message *Message `json:"message,omitempty"`
}

// Usage is Bedrock's token usage. InputTokens EXCLUDES the tokens read from
// and written to the prompt cache; TotalTokens includes them (see
// ToCanonicalUsage). Claude models also send the same cache counts under
// the names cacheReadInputTokenCount and cacheWriteInputTokenCount, which
// the API reference does not list; they are read when the documented names
// are absent.
type Usage struct {
	InputTokens           int64 `json:"inputTokens"`
	OutputTokens          int64 `json:"outputTokens"`
	TotalTokens           int64 `json:"totalTokens"`
	CacheReadInputTokens  int64 `json:"cacheReadInputTokens,omitempty"`
	CacheWriteInputTokens int64 `json:"cacheWriteInputTokens,omitempty"`

	CacheReadInputTokenCount  int64 `json:"cacheReadInputTokenCount,omitempty"`
	CacheWriteInputTokenCount int64 `json:"cacheWriteInputTokenCount,omitempty"`
}

// Metrics reports the call's latency.
type Metrics struct {
	LatencyMs int64 `json:"latencyMs"`
}

// ErrorResponse is the body of an error response, and the payload of an
// exception frame in a stream. Bedrock sends only the message; the error
// type travels in the x-amzn-ErrorType header (or the frame's
// :exception-type header). Type and Code are the places other AWS
// front ends put it (restJson1's "__type", and "code").
type ErrorResponse struct {
	Message      string `json:"message"`
	MessageUpper string `json:"Message"`
	Type         string `json:"__type"`
	Code         string `json:"code"`
	// OriginalStatusCode and OriginalMessage are set on
	// modelStreamErrorException: what the model returned.
	OriginalStatusCode int    `json:"originalStatusCode"`
	OriginalMessage    string `json:"originalMessage"`
}

// Stream event types: the :event-type header of each event frame of a
// ConverseStream answer.
const (
	EventMessageStart      = "messageStart"
	EventContentBlockStart = "contentBlockStart"
	EventContentBlockDelta = "contentBlockDelta"
	EventContentBlockStop  = "contentBlockStop"
	EventMessageStop       = "messageStop"
	EventMetadata          = "metadata"
)

// StreamEvent is the payload of one event frame. The frame's :event-type
// says which members are set:
//
//	messageStart        Role
//	contentBlockStart   ContentBlockIndex, Start (a tool use: id and name)
//	contentBlockDelta   ContentBlockIndex, Delta (text, tool input fragment, reasoning)
//	contentBlockStop    ContentBlockIndex
//	messageStop         StopReason, AdditionalModelResponseFields
//	metadata            Usage, Metrics
//
// Every payload also carries a random "p" member, padding against
// length-based traffic analysis, which decoders ignore.
type StreamEvent struct {
	Role              string          `json:"role,omitempty"`
	ContentBlockIndex int             `json:"contentBlockIndex"`
	Start             *BlockStart     `json:"start,omitempty"`
	Delta             *BlockDelta     `json:"delta,omitempty"`
	StopReason        string          `json:"stopReason,omitempty"`
	Usage             *Usage          `json:"usage,omitempty"`
	Metrics           *Metrics        `json:"metrics,omitempty"`
	Trace             json.RawMessage `json:"trace,omitempty"`
	// AdditionalModelResponseFields comes with messageStop.
	AdditionalModelResponseFields json.RawMessage `json:"additionalModelResponseFields,omitempty"`
}

// BlockStart starts a tool-use block. Text and reasoning blocks have no
// start event: their first delta starts them.
type BlockStart struct {
	ToolUse *ToolUseStart `json:"toolUse,omitempty"`
}

// ToolUseStart names the call whose input the block's deltas stream.
type ToolUseStart struct {
	ToolUseID string `json:"toolUseId"`
	Name      string `json:"name"`
}

// BlockDelta is one increment of a block: text, a fragment of a tool call's
// input JSON, or reasoning.
type BlockDelta struct {
	Text             *string         `json:"text,omitempty"`
	ToolUse          *ToolUseDelta   `json:"toolUse,omitempty"`
	ReasoningContent *ReasoningDelta `json:"reasoningContent,omitempty"`
}

// ToolUseDelta is a fragment of the input JSON text.
type ToolUseDelta struct {
	Input string `json:"input"`
}

// ReasoningDelta is a fragment of reasoning text, its signature (sent once,
// after the text), or redacted content.
type ReasoningDelta struct {
	Text            string `json:"text,omitempty"`
	Signature       string `json:"signature,omitempty"`
	RedactedContent []byte `json:"redactedContent,omitempty"`
}
