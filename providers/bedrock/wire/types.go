package wire

import "encoding/json"

// ConverseRequest is the body of POST /model/{modelId}/converse and
// /converse-stream. The model is in the path, not the body.
//
// Every content block type is a struct whose members are mutually
// exclusive: exactly one is set, and its name is the block's type on the
// wire ({"text": ...}, {"toolUse": {...}}, {"cachePoint": {...}}).
type ConverseRequest struct {
	Messages        []Message            `json:"messages"`
	System          []SystemContentBlock `json:"system,omitempty"`
	InferenceConfig *InferenceConfig     `json:"inferenceConfig,omitempty"`
	ToolConfig      *ToolConfig          `json:"toolConfig,omitempty"`
	// AdditionalModelRequestFields carries model parameters the Converse
	// API has no field for (Claude's thinking and top_k, Nova's
	// reasoningConfig, ...), passed to the model as they are.
	AdditionalModelRequestFields map[string]json.RawMessage `json:"additionalModelRequestFields,omitempty"`
	// AdditionalModelResponseFieldPaths asks for model-specific fields of
	// the answer (JSON pointers), returned in additionalModelResponseFields.
	AdditionalModelResponseFieldPaths []string `json:"additionalModelResponseFieldPaths,omitempty"`
	// The members below have no canonical counterpart; they are kept so that
	// a request decoded by the simulator, or built from provider options,
	// round-trips.
	GuardrailConfig   json.RawMessage   `json:"guardrailConfig,omitempty"`
	PerformanceConfig json.RawMessage   `json:"performanceConfig,omitempty"`
	PromptVariables   json.RawMessage   `json:"promptVariables,omitempty"`
	RequestMetadata   map[string]string `json:"requestMetadata,omitempty"`

	// Extra holds top-level members with no typed field here, verbatim;
	// MarshalJSON writes them at the top level. An entry named like a typed
	// field replaces it.
	Extra map[string]json.RawMessage `json:"-"`

	// AnswerTool names the tool FromCanonicalRequest added to carry a JSON
	// response format, or is empty. It is not sent; pass it to
	// ToCanonicalResponse and NewStreamDecoder.
	AnswerTool string `json:"-"`
}

// Message is one turn. Role is "user" or "assistant".
type Message struct {
	Role    string         `json:"role"`
	Content []ContentBlock `json:"content"`
}

// ContentBlock is one block of a message. Exactly one member is set; a
// block with none is a text block (Text may then be empty).
type ContentBlock struct {
	Text             string                 `json:"text,omitempty"`
	Image            *ImageBlock            `json:"image,omitempty"`
	ToolUse          *ToolUseBlock          `json:"toolUse,omitempty"`
	ToolResult       *ToolResultBlock       `json:"toolResult,omitempty"`
	ReasoningContent *ReasoningContentBlock `json:"reasoningContent,omitempty"`
	CachePoint       *CachePointBlock       `json:"cachePoint,omitempty"`
	// Block types with no canonical counterpart, kept verbatim so that they
	// round-trip and can be refused by name.
	Document         json.RawMessage `json:"document,omitempty"`
	Video            json.RawMessage `json:"video,omitempty"`
	GuardContent     json.RawMessage `json:"guardContent,omitempty"`
	CitationsContent json.RawMessage `json:"citationsContent,omitempty"`
	SearchResult     json.RawMessage `json:"searchResult,omitempty"`
}

// Kind names the block's type: its one member's JSON name.
func (b *ContentBlock) Kind() string {
	switch {
	case b.Image != nil:
		return BlockImage
	case b.ToolUse != nil:
		return BlockToolUse
	case b.ToolResult != nil:
		return BlockToolResult
	case b.ReasoningContent != nil:
		return BlockReasoningContent
	case b.CachePoint != nil:
		return BlockCachePoint
	case b.Document != nil:
		return "document"
	case b.Video != nil:
		return "video"
	case b.GuardContent != nil:
		return "guardContent"
	case b.CitationsContent != nil:
		return "citationsContent"
	case b.SearchResult != nil:
		return "searchResult"
	}
	return BlockText
}

// Block types (the member names of ContentBlock).
const (
	BlockText             = "text"
	BlockImage            = "image"
	BlockToolUse          = "toolUse"
	BlockToolResult       = "toolResult"
	BlockReasoningContent = "reasoningContent"
	BlockCachePoint       = "cachePoint"
)

// ImageBlock is an image input. Format is png, jpeg, gif or webp.
type ImageBlock struct {
	Format string      `json:"format"`
	Source ImageSource `json:"source"`
}

// ImageSource holds the image bytes (base64 in JSON, decoded here) or the
// S3 location of the image.
type ImageSource struct {
	Bytes      []byte      `json:"bytes,omitempty"`
	S3Location *S3Location `json:"s3Location,omitempty"`
}

// S3Location is an object in S3.
type S3Location struct {
	URI         string `json:"uri"`
	BucketOwner string `json:"bucketOwner,omitempty"`
}

// ToolUseBlock is a tool call of the assistant. Input is the arguments
// object.
type ToolUseBlock struct {
	ToolUseID string          `json:"toolUseId"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
}

// ToolResultBlock answers a tool call in a user message. Status is
// "success" or "error" (optional).
type ToolResultBlock struct {
	ToolUseID string                   `json:"toolUseId"`
	Content   []ToolResultContentBlock `json:"content"`
	Status    string                   `json:"status,omitempty"`
}

// ToolResultContentBlock is one block of a tool result: text, a JSON value,
// an image or a document.
type ToolResultContentBlock struct {
	Text     string          `json:"text,omitempty"`
	JSON     json.RawMessage `json:"json,omitempty"`
	Image    *ImageBlock     `json:"image,omitempty"`
	Document json.RawMessage `json:"document,omitempty"`
}

// ReasoningContentBlock is a block of model reasoning: its text with the
// signature that must come back unchanged, or redacted (encrypted) content.
type ReasoningContentBlock struct {
	ReasoningText   *ReasoningText `json:"reasoningText,omitempty"`
	RedactedContent []byte         `json:"redactedContent,omitempty"`
}

// ReasoningText is visible reasoning and its signature.
type ReasoningText struct {
	Text      string `json:"text"`
	Signature string `json:"signature,omitempty"`
}

// CachePointBlock marks the end of a cacheable prompt prefix. Type is
// "default".
type CachePointBlock struct {
	Type string `json:"type"`
}

// SystemContentBlock is one block of the system prompt: text or a cache
// point.
type SystemContentBlock struct {
	Text         string           `json:"text,omitempty"`
	CachePoint   *CachePointBlock `json:"cachePoint,omitempty"`
	GuardContent json.RawMessage  `json:"guardContent,omitempty"`
}

// InferenceConfig holds the sampling parameters. All are optional; the
// model's defaults apply to the ones left out.
type InferenceConfig struct {
	MaxTokens     *int64   `json:"maxTokens,omitempty"`
	Temperature   *float64 `json:"temperature,omitempty"`
	TopP          *float64 `json:"topP,omitempty"`
	StopSequences []string `json:"stopSequences,omitempty"`
}

// ToolConfig offers tools and constrains their use.
type ToolConfig struct {
	Tools      []Tool      `json:"tools"`
	ToolChoice *ToolChoice `json:"toolChoice,omitempty"`
}

// Tool is a tool definition, or a cache point after the definitions before
// it.
type Tool struct {
	ToolSpec   *ToolSpec        `json:"toolSpec,omitempty"`
	CachePoint *CachePointBlock `json:"cachePoint,omitempty"`
}

// ToolSpec defines a function the model may call.
type ToolSpec struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	InputSchema InputSchema `json:"inputSchema"`
}

// InputSchema wraps the JSON Schema of a tool's input.
type InputSchema struct {
	JSON json.RawMessage `json:"json"`
}

// ToolChoice is one of {"auto": {}}, {"any": {}} or {"tool": {"name": ...}}.
// The API has no "none".
type ToolChoice struct {
	Auto *Empty           `json:"auto,omitempty"`
	Any  *Empty           `json:"any,omitempty"`
	Tool *SpecificToolRef `json:"tool,omitempty"`
}

// Empty is the empty object of {"auto": {}} and {"any": {}}.
type Empty struct{}

// SpecificToolRef names the tool a ToolChoice forces.
type SpecificToolRef struct {
	Name string `json:"name"`
}
