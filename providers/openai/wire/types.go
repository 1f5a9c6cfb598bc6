package wire

import "encoding/json"

// ChatRequest is the body of POST /v1/chat/completions.
type ChatRequest struct {
	Model               string            `json:"model"`
	Messages            []Message         `json:"messages"`
	Tools               []Tool            `json:"tools,omitempty"`
	ToolChoice          *ToolChoice       `json:"tool_choice,omitempty"`
	ParallelToolCalls   *bool             `json:"parallel_tool_calls,omitempty"`
	ResponseFormat      *ResponseFormat   `json:"response_format,omitempty"`
	Temperature         *float64          `json:"temperature,omitempty"`
	TopP                *float64          `json:"top_p,omitempty"`
	MaxTokens           *int64            `json:"max_tokens,omitempty"`
	MaxCompletionTokens *int64            `json:"max_completion_tokens,omitempty"`
	Stop                *Stop             `json:"stop,omitempty"`
	Seed                *int64            `json:"seed,omitempty"`
	PresencePenalty     *float64          `json:"presence_penalty,omitempty"`
	FrequencyPenalty    *float64          `json:"frequency_penalty,omitempty"`
	N                   *int              `json:"n,omitempty"`
	User                string            `json:"user,omitempty"`
	Metadata            map[string]string `json:"metadata,omitempty"`
	ReasoningEffort     string            `json:"reasoning_effort,omitempty"`
	Stream              bool              `json:"stream,omitempty"`
	StreamOptions       *StreamOptions    `json:"stream_options,omitempty"`
	// Functions and FunctionCall are the deprecated predecessors of Tools and
	// ToolChoice. Clients still send them; they are read as tools and never
	// sent upstream.
	Functions    []Function      `json:"functions,omitempty"`
	FunctionCall *FunctionChoice `json:"function_call,omitempty"`

	// Extra holds top-level fields with no typed field here (store,
	// logit_bias, logprobs, service_tier, prediction, ...). DecodeChatRequest
	// fills it with the client's unknown fields; FromCanonicalRequest fills it
	// with the provider options. MarshalJSON writes its entries at the top
	// level of the body, replacing a typed field of the same name.
	Extra map[string]json.RawMessage `json:"-"`
}

// StreamOptions configures a streamed response.
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// Stop is a string or an array of strings.
type Stop struct {
	Values []string
}

// MarshalJSON writes an array (a single stop is still valid as an array).
func (s Stop) MarshalJSON() ([]byte, error) { return json.Marshal(s.Values) }

// UnmarshalJSON accepts a string, an array of strings, or null.
func (s *Stop) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		s.Values = nil
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		s.Values = []string{one}
		return nil
	}
	return json.Unmarshal(b, &s.Values)
}

// Message is one chat message. Content is a string, an array of parts, or
// null (an assistant message with only tool calls).
//
// Content has no omitempty: a nil Content is written as "content": null,
// which is what the API expects for an assistant message with only tool
// calls and what it returns in that case.
type Message struct {
	Role       string     `json:"role"`
	Content    *Content   `json:"content"`
	Name       string     `json:"name,omitempty"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
	Refusal    *string    `json:"refusal,omitempty"`
	// ReasoningContent is DeepSeek's and vLLM's reasoning text on assistant
	// messages (not part of OpenAI's own API; read, and never sent to OpenAI).
	ReasoningContent *string `json:"reasoning_content,omitempty"`
	// FunctionCall is the deprecated single call of a legacy assistant
	// message; read as a tool call.
	FunctionCall *FunctionCall `json:"function_call,omitempty"`
}

// Content is a message's content: a plain string or an array of parts.
type Content struct {
	// Text is used when Parts is nil.
	Text  string
	Parts []ContentPart
}

// MarshalJSON writes a string when the content has no parts.
func (c Content) MarshalJSON() ([]byte, error) {
	if c.Parts != nil {
		return json.Marshal(c.Parts)
	}
	return json.Marshal(c.Text)
}

// UnmarshalJSON accepts a string or an array of parts.
func (c *Content) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		c.Text = ""
		c.Parts = []ContentPart{}
		return json.Unmarshal(b, &c.Parts)
	}
	c.Parts = nil
	return json.Unmarshal(b, &c.Text)
}

// ContentPart is one part of a multi-part content array.
type ContentPart struct {
	// Type is "text", "image_url", "input_audio", "file" or "refusal".
	Type     string    `json:"type"`
	Text     string    `json:"text,omitempty"`
	ImageURL *ImageURL `json:"image_url,omitempty"`
	Refusal  string    `json:"refusal,omitempty"`
	// CacheControl is accepted from clients that send Anthropic-style hints
	// through the OpenAI format (LiteLLM convention); OpenAI ignores it.
	CacheControl *CacheControl `json:"cache_control,omitempty"`
}

// ImageURL is an image by URL or data: URL.
type ImageURL struct {
	URL    string `json:"url"`
	Detail string `json:"detail,omitempty"`
}

// CacheControl is a prompt-cache hint.
type CacheControl struct {
	Type string `json:"type"`
	TTL  string `json:"ttl,omitempty"`
}

// ToolCall is a call in an assistant message, or (with Index) a delta in a
// streamed chunk.
type ToolCall struct {
	Index    *int         `json:"index,omitempty"`
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"`
	Function FunctionCall `json:"function"`
}

// FunctionCall names a function and carries its JSON arguments text.
type FunctionCall struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

// Tool is a tool definition.
type Tool struct {
	Type     string   `json:"type"`
	Function Function `json:"function"`
}

// Function is a function definition.
type Function struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// ToolChoice is "none", "auto", "required", or {"type":"function","function":{"name":...}}.
type ToolChoice struct {
	Mode     string // set when the choice was a string
	Function string // set when a function was named
}

type toolChoiceObject struct {
	Type     string `json:"type"`
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
}

// MarshalJSON writes the string or object form.
func (t ToolChoice) MarshalJSON() ([]byte, error) {
	if t.Function != "" {
		o := toolChoiceObject{Type: "function"}
		o.Function.Name = t.Function
		return json.Marshal(o)
	}
	return json.Marshal(t.Mode)
}

// UnmarshalJSON reads the string or object form.
func (t *ToolChoice) UnmarshalJSON(b []byte) error {
	*t = ToolChoice{}
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &t.Mode)
	}
	var o toolChoiceObject
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	t.Mode = o.Type
	t.Function = o.Function.Name
	return nil
}

// FunctionChoice is the deprecated function_call request field: "none",
// "auto", or {"name": ...}.
type FunctionChoice struct {
	Mode     string // set when the choice was a string
	Function string // set when a function was named
}

// MarshalJSON writes the string or object form.
func (f FunctionChoice) MarshalJSON() ([]byte, error) {
	if f.Function != "" {
		return json.Marshal(struct {
			Name string `json:"name"`
		}{f.Function})
	}
	return json.Marshal(f.Mode)
}

// UnmarshalJSON reads the string or object form.
func (f *FunctionChoice) UnmarshalJSON(b []byte) error {
	*f = FunctionChoice{}
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &f.Mode)
	}
	var o struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	f.Function = o.Name
	return nil
}

// ResponseFormat is {"type":"text"|"json_object"} or a json_schema.
type ResponseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *JSONSchema `json:"json_schema,omitempty"`
}

// JSONSchema is a named schema for structured outputs.
type JSONSchema struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// ChatResponse is a chat.completion object.
type ChatResponse struct {
	ID                string   `json:"id"`
	Object            string   `json:"object"`
	Created           int64    `json:"created"`
	Model             string   `json:"model"`
	Choices           []Choice `json:"choices"`
	Usage             *Usage   `json:"usage,omitempty"`
	SystemFingerprint string   `json:"system_fingerprint,omitempty"`
	ServiceTier       string   `json:"service_tier,omitempty"`
	// Error is set by compatible vendors (OpenRouter) that answer 200 with an
	// error object instead of a completion. Kept raw: its shape varies.
	Error json.RawMessage `json:"error,omitempty"`
}

// Choice is one choice of a chat.completion.
type Choice struct {
	Index        int             `json:"index"`
	Message      Message         `json:"message"`
	FinishReason string          `json:"finish_reason"`
	Logprobs     json.RawMessage `json:"logprobs,omitempty"`
}

// Usage is OpenAI's token usage.
type Usage struct {
	PromptTokens            int64                    `json:"prompt_tokens"`
	CompletionTokens        int64                    `json:"completion_tokens"`
	TotalTokens             int64                    `json:"total_tokens"`
	PromptTokensDetails     *PromptTokensDetails     `json:"prompt_tokens_details,omitempty"`
	CompletionTokensDetails *CompletionTokensDetails `json:"completion_tokens_details,omitempty"`
	// PromptCacheHitTokens and PromptCacheMissTokens are DeepSeek's cache
	// counters (hit + miss = prompt_tokens); read when prompt_tokens_details
	// is absent.
	PromptCacheHitTokens  int64 `json:"prompt_cache_hit_tokens,omitempty"`
	PromptCacheMissTokens int64 `json:"prompt_cache_miss_tokens,omitempty"`
}

// PromptTokensDetails breaks prompt tokens down.
type PromptTokensDetails struct {
	CachedTokens int64 `json:"cached_tokens"`
	AudioTokens  int64 `json:"audio_tokens,omitempty"`
	// CacheWriteTokens is not sent by OpenAI; some compatible vendors and
	// the gateway's own shim report it.
	CacheWriteTokens int64 `json:"cache_write_tokens,omitempty"`
}

// CompletionTokensDetails breaks completion tokens down.
type CompletionTokensDetails struct {
	ReasoningTokens          int64 `json:"reasoning_tokens"`
	AudioTokens              int64 `json:"audio_tokens,omitempty"`
	AcceptedPredictionTokens int64 `json:"accepted_prediction_tokens,omitempty"`
	RejectedPredictionTokens int64 `json:"rejected_prediction_tokens,omitempty"`
}

// ChatChunk is a chat.completion.chunk object, one SSE data line.
type ChatChunk struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	SystemFingerprint string        `json:"system_fingerprint,omitempty"`
	ServiceTier       string        `json:"service_tier,omitempty"`
	Choices           []ChunkChoice `json:"choices"`
	// Usage is null on every chunk but the last when include_usage is set.
	Usage *Usage `json:"usage,omitempty"`
	// Error is an error reported inside a 200 stream (a data line
	// {"error": {...}}). Kept raw: vendors differ in its shape.
	Error json.RawMessage `json:"error,omitempty"`
}

// ChunkChoice is one choice's delta.
type ChunkChoice struct {
	Index        int             `json:"index"`
	Delta        Delta           `json:"delta"`
	FinishReason *string         `json:"finish_reason"`
	Logprobs     json.RawMessage `json:"logprobs,omitempty"`
}

// Delta is the increment a chunk carries.
type Delta struct {
	Role             string     `json:"role,omitempty"`
	Content          *string    `json:"content,omitempty"`
	ToolCalls        []ToolCall `json:"tool_calls,omitempty"`
	Refusal          *string    `json:"refusal,omitempty"`
	ReasoningContent *string    `json:"reasoning_content,omitempty"`
}

// EmbeddingRequest is the body of POST /v1/embeddings. Input is a string, an
// array of strings, or token arrays (not supported by the gateway).
type EmbeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format,omitempty"`
	Dimensions     *int64          `json:"dimensions,omitempty"`
	User           string          `json:"user,omitempty"`
}

// EmbeddingResponse is a list of embeddings.
type EmbeddingResponse struct {
	Object string          `json:"object"`
	Data   []Embedding     `json:"data"`
	Model  string          `json:"model"`
	Usage  *EmbeddingUsage `json:"usage,omitempty"`
}

// Embedding is one vector: a JSON array of numbers, or with encoding_format
// "base64" a base64 string of little-endian float32s. The conversions in
// embeddings.go read and write both.
type Embedding struct {
	Object    string          `json:"object"`
	Index     int             `json:"index"`
	Embedding json.RawMessage `json:"embedding"`
}

// EmbeddingUsage counts embedding tokens.
type EmbeddingUsage struct {
	PromptTokens int64 `json:"prompt_tokens"`
	TotalTokens  int64 `json:"total_tokens"`
}

// ModelList is the body of GET /v1/models.
type ModelList struct {
	Object string  `json:"object"`
	Data   []Model `json:"data"`
}

// Model is one model.
type Model struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

// ErrorBody is OpenAI's error envelope.
type ErrorBody struct {
	Error ErrorObject `json:"error"`
}

// ErrorObject describes an error. Code is a string or null (some vendors
// send numbers; the decoder tolerates both).
type ErrorObject struct {
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Param   *string         `json:"param"`
	Code    json.RawMessage `json:"code"`
}
