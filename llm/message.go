package llm

import "encoding/json"

// Role is the author of a message.
type Role string

// The roles a conversation can hold. OpenAI's "developer" role is read as
// RoleSystem: every provider has a system instruction, none has both.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool"
)

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	switch r {
	case RoleSystem, RoleUser, RoleAssistant, RoleTool:
		return true
	}
	return false
}

// PartType says which fields of a Part are set.
type PartType string

// The kinds of content part.
const (
	PartText  PartType = "text"
	PartImage PartType = "image"
)

// Part is one piece of a message's content.
type Part struct {
	Type PartType
	// Text is set for PartText.
	Text string
	// Image is set for PartImage.
	Image *Image
	// CacheControl marks the end of a prompt prefix the provider should cache
	// (Anthropic's cache_control). Providers without explicit caching ignore it.
	CacheControl *CacheControl
	// Signature is opaque provider state attached to this part (Gemini's
	// thoughtSignature on a text part). It must be sent back unchanged.
	Signature string
}

// Image is an image input, either by URL or inline.
type Image struct {
	// URL is an http(s) URL. Empty when Data is set.
	URL string
	// MediaType is the MIME type of Data (image/png, image/jpeg, ...).
	MediaType string
	// Data holds the raw (decoded) image bytes.
	Data []byte
	// Detail is OpenAI's fidelity hint: "auto", "low" or "high". Optional.
	Detail string
}

// CacheControl is a prompt-cache hint.
type CacheControl struct {
	// Type is "ephemeral", the only kind providers define today.
	Type string
	// TTL is the provider's TTL string such as "5m" or "1h"; empty for the default.
	TTL string
}

// TextPart returns a text part.
func TextPart(s string) Part { return Part{Type: PartText, Text: s} }

// Message is one turn of a conversation.
type Message struct {
	Role  Role
	Parts []Part
	// Name is an optional participant name (OpenAI's name field).
	Name string
	// ToolCalls are the calls an assistant message asked for.
	ToolCalls []ToolCall
	// ToolCallID links a RoleTool message to the call it answers.
	ToolCallID string
	// Reasoning is the model's reasoning that came with an assistant message,
	// kept so that it can be sent back on the next turn (Anthropic requires
	// thinking blocks with their signatures to be returned unchanged).
	Reasoning []Reasoning
	// Refusal is set when the model refused (OpenAI's refusal field).
	Refusal string
}

// Text returns the concatenation of the message's text parts.
func (m *Message) Text() string {
	if len(m.Parts) == 1 && m.Parts[0].Type == PartText {
		return m.Parts[0].Text
	}
	n := 0
	for i := range m.Parts {
		n += len(m.Parts[i].Text)
	}
	b := make([]byte, 0, n)
	for i := range m.Parts {
		if m.Parts[i].Type == PartText {
			b = append(b, m.Parts[i].Text...)
		}
	}
	return string(b)
}

// Reasoning is one block of model reasoning.
type Reasoning struct {
	// Text is the visible reasoning (may be a summary).
	Text string
	// Signature is the provider's signature over the block (Anthropic
	// thinking.signature, Gemini thoughtSignature). Opaque; round-trips.
	Signature string
	// Redacted holds encrypted reasoning the provider returned instead of
	// text (Anthropic redacted_thinking.data). Opaque; round-trips.
	Redacted string
}

// ToolCall is a model's request to call a function.
type ToolCall struct {
	// ID identifies the call; tool results refer to it. Providers that do not
	// issue ids (Gemini) get one from the gateway.
	ID   string
	Name string
	// Arguments is the JSON text of the arguments object. A call without
	// arguments has "{}", never the empty string.
	Arguments string
	// Signature is opaque provider state attached to the call (Gemini's
	// thoughtSignature). Must be sent back unchanged.
	Signature string
}

// Tool is a function the model may call.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the arguments object. Nil means the
	// function takes no parameters.
	Parameters json.RawMessage
	// Strict asks for schema-exact arguments (OpenAI structured outputs).
	Strict bool
	// CacheControl marks the tool list up to here as a cacheable prefix.
	CacheControl *CacheControl
}

// ToolChoiceMode says how the model may use tools.
type ToolChoiceMode string

// Tool choice modes.
const (
	ToolChoiceAuto     ToolChoiceMode = "auto"
	ToolChoiceNone     ToolChoiceMode = "none"
	ToolChoiceRequired ToolChoiceMode = "required"
	// ToolChoiceFunction forces the function named in ToolChoice.Name.
	ToolChoiceFunction ToolChoiceMode = "function"
)

// ToolChoice constrains tool use.
type ToolChoice struct {
	Mode ToolChoiceMode
	Name string
}

// ResponseFormatType is the requested shape of the answer.
type ResponseFormatType string

// Response format types.
const (
	ResponseFormatText       ResponseFormatType = "text"
	ResponseFormatJSONObject ResponseFormatType = "json_object"
	ResponseFormatJSONSchema ResponseFormatType = "json_schema"
)

// ResponseFormat asks for text, any JSON object, or JSON valid against a schema.
type ResponseFormat struct {
	Type        ResponseFormatType
	Name        string
	Description string
	Schema      json.RawMessage
	Strict      bool
}
