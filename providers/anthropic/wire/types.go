package wire

import (
	"bytes"
	"encoding/json"
)

// MessagesRequest is the body of POST /v1/messages.
//
// Fields with no canonical counterpart (top_k, service_tier, container,
// context_management, the top-level cache_control of automatic caching, ...)
// are not typed: they travel in Extra, which MarshalJSON writes at the top
// level of the body.
type MessagesRequest struct {
	Model    string    `json:"model"`
	Messages []Message `json:"messages"`
	System   *System   `json:"system,omitempty"`
	// MaxTokens is required by the API; it is a pointer so that a decoded
	// request can tell a missing value from zero.
	MaxTokens     *int64        `json:"max_tokens,omitempty"`
	StopSequences []string      `json:"stop_sequences,omitempty"`
	Temperature   *float64      `json:"temperature,omitempty"`
	TopP          *float64      `json:"top_p,omitempty"`
	Tools         []Tool        `json:"tools,omitempty"`
	ToolChoice    *ToolChoice   `json:"tool_choice,omitempty"`
	Thinking      *Thinking     `json:"thinking,omitempty"`
	Metadata      *Metadata     `json:"metadata,omitempty"`
	OutputConfig  *OutputConfig `json:"output_config,omitempty"`
	Stream        bool          `json:"stream,omitempty"`

	// Extra holds the top-level fields with no typed field here, verbatim.
	// An entry named like a typed field replaces it when marshalled.
	Extra map[string]json.RawMessage `json:"-"`

	// AnswerTool names the tool FromCanonicalRequest added to carry a JSON
	// response format, or is empty. It is not sent; pass it to
	// ToCanonicalResponse and NewStreamDecoder.
	AnswerTool string `json:"-"`
}

// Message is one turn. Role is "user" or "assistant".
type Message struct {
	Role    string  `json:"role"`
	Content Content `json:"content"`
}

// Content is a message's (or a tool result's) content: a plain string or an
// array of content blocks.
type Content struct {
	// Text is used when Blocks is nil.
	Text   string
	Blocks []ContentBlock
}

// MarshalJSON writes a string when the content has no blocks.
func (c Content) MarshalJSON() ([]byte, error) {
	if c.Blocks != nil {
		return json.Marshal(c.Blocks)
	}
	return json.Marshal(c.Text)
}

// UnmarshalJSON accepts a string or an array of blocks.
func (c *Content) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		c.Text = ""
		c.Blocks = []ContentBlock{}
		return json.Unmarshal(b, &c.Blocks)
	}
	c.Blocks = nil
	return json.Unmarshal(b, &c.Text)
}

// System is the top-level system prompt: a string or an array of text
// blocks (which may carry cache_control).
type System struct {
	Text   string
	Blocks []ContentBlock
}

// MarshalJSON writes a string when the prompt has no blocks.
func (s System) MarshalJSON() ([]byte, error) { return Content(s).MarshalJSON() }

// UnmarshalJSON accepts a string or an array of text blocks.
func (s *System) UnmarshalJSON(b []byte) error { return (*Content)(s).UnmarshalJSON(b) }

// Block types.
const (
	BlockText             = "text"
	BlockImage            = "image"
	BlockToolUse          = "tool_use"
	BlockToolResult       = "tool_result"
	BlockThinking         = "thinking"
	BlockRedactedThinking = "redacted_thinking"
)

// ContentBlock is one content block. Type says which fields are set; the
// others are ignored when it is marshalled (see MarshalJSON).
type ContentBlock struct {
	Type string `json:"type"`

	// text
	Text string `json:"text,omitempty"`
	// image
	Source *ImageSource `json:"source,omitempty"`
	// tool_use
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
	// tool_result
	ToolUseID string   `json:"tool_use_id,omitempty"`
	Content   *Content `json:"content,omitempty"`
	IsError   bool     `json:"is_error,omitempty"`
	// thinking
	Thinking  string `json:"thinking,omitempty"`
	Signature string `json:"signature,omitempty"`
	// redacted_thinking
	Data string `json:"data,omitempty"`

	CacheControl *CacheControl `json:"cache_control,omitempty"`
}

// ImageSource is where an image block's bytes come from.
type ImageSource struct {
	// Type is "base64" or "url".
	Type      string `json:"type"`
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
}

// CacheControl is a prompt-cache breakpoint.
type CacheControl struct {
	Type string `json:"type"`
	TTL  string `json:"ttl,omitempty"`
}

// Tool is a client tool the model may call. Server tools (web search, code
// execution, ...) have a Type such as "web_search_20250305"; client tools
// have none or "custom".
type Tool struct {
	Type         string          `json:"type,omitempty"`
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	InputSchema  json.RawMessage `json:"input_schema,omitempty"`
	CacheControl *CacheControl   `json:"cache_control,omitempty"`
}

// ToolChoice constrains tool use. Type is "auto", "any", "tool" (Name
// set) or "none".
type ToolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name,omitempty"`
	DisableParallelToolUse *bool  `json:"disable_parallel_tool_use,omitempty"`
}

// Thinking configures extended thinking. Type is "enabled" (BudgetTokens
// set) or "disabled".
type Thinking struct {
	Type         string `json:"type"`
	BudgetTokens int64  `json:"budget_tokens,omitempty"`
}

// Metadata is the request metadata the API accepts.
type Metadata struct {
	UserID string `json:"user_id,omitempty"`
}

// OutputConfig is the output_config field. Format is the structured-output
// format; the other members (effort, ...) are kept in Extra verbatim.
type OutputConfig struct {
	Format *OutputFormat              `json:"format,omitempty"`
	Extra  map[string]json.RawMessage `json:"-"`
}

// OutputFormat asks for JSON valid against Schema (type "json_schema").
type OutputFormat struct {
	Type   string          `json:"type"`
	Schema json.RawMessage `json:"schema,omitempty"`
}

// MessagesResponse is a complete (unary) answer, and the message of a
// stream's message_start event (with empty content and null stop_reason).
type MessagesResponse struct {
	Model        string         `json:"model"`
	ID           string         `json:"id"`
	Type         string         `json:"type"`
	Role         string         `json:"role"`
	Content      []ContentBlock `json:"content"`
	StopReason   *string        `json:"stop_reason"`
	StopSequence *string        `json:"stop_sequence"`
	Usage        Usage          `json:"usage"`
}

// Usage is Anthropic's token usage. InputTokens EXCLUDES the cache reads and
// writes; see ToCanonicalUsage.
type Usage struct {
	InputTokens              int64          `json:"input_tokens"`
	CacheCreationInputTokens int64          `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64          `json:"cache_read_input_tokens"`
	CacheCreation            *CacheCreation `json:"cache_creation,omitempty"`
	OutputTokens             int64          `json:"output_tokens"`
	ServiceTier              string         `json:"service_tier,omitempty"`
}

// CacheCreation splits cache writes by TTL.
type CacheCreation struct {
	Ephemeral5mInputTokens int64 `json:"ephemeral_5m_input_tokens"`
	Ephemeral1hInputTokens int64 `json:"ephemeral_1h_input_tokens"`
}

// ErrorResponse is the body of every error response, and the payload of an
// error event inside a stream.
type ErrorResponse struct {
	Type      string      `json:"type"`
	Error     ErrorDetail `json:"error"`
	RequestID string      `json:"request_id,omitempty"`
}

// ErrorDetail is the error object. Type is invalid_request_error,
// authentication_error, permission_error, not_found_error,
// request_too_large, rate_limit_error, api_error, overloaded_error, ...
type ErrorDetail struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// ModelList is the body of GET /v1/models.
type ModelList struct {
	Data    []ModelInfo `json:"data"`
	HasMore bool        `json:"has_more"`
	FirstID string      `json:"first_id"`
	LastID  string      `json:"last_id"`
}

// ModelInfo is one model of the list.
type ModelInfo struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	DisplayName string `json:"display_name"`
	CreatedAt   string `json:"created_at"`
}
