package wire

import "encoding/json"

// GenerateContentResponse is a unary answer, or one chunk of a stream (each
// SSE data line is one of these).
type GenerateContentResponse struct {
	Candidates     []Candidate     `json:"candidates,omitempty"`
	PromptFeedback *PromptFeedback `json:"promptFeedback,omitempty"`
	UsageMetadata  *UsageMetadata  `json:"usageMetadata,omitempty"`
	ModelVersion   string          `json:"modelVersion,omitempty"`
	ResponseID     string          `json:"responseId,omitempty"`
	// Error is set when a stream reports a failure in a data line
	// ({"error": {...}}) instead of a chunk. Kept raw for ClassifyError.
	Error json.RawMessage `json:"error,omitempty"`
}

// Candidate is one generated answer.
type Candidate struct {
	// Content has no parts when generation stopped before any output (a
	// filter, or thinking that used the whole token budget).
	Content       *Content `json:"content,omitempty"`
	FinishReason  string   `json:"finishReason,omitempty"`
	FinishMessage string   `json:"finishMessage,omitempty"`
	// Index is absent in streams of one candidate.
	Index              *int            `json:"index,omitempty"`
	SafetyRatings      json.RawMessage `json:"safetyRatings,omitempty"`
	CitationMetadata   json.RawMessage `json:"citationMetadata,omitempty"`
	GroundingMetadata  json.RawMessage `json:"groundingMetadata,omitempty"`
	URLContextMetadata json.RawMessage `json:"urlContextMetadata,omitempty"`
	LogprobsResult     json.RawMessage `json:"logprobsResult,omitempty"`
	AvgLogprobs        *float64        `json:"avgLogprobs,omitempty"`
	TokenCount         int64           `json:"tokenCount,omitempty"`
}

// PromptFeedback reports a blocked prompt.
type PromptFeedback struct {
	BlockReason        string          `json:"blockReason,omitempty"`
	BlockReasonMessage string          `json:"blockReasonMessage,omitempty"`
	SafetyRatings      json.RawMessage `json:"safetyRatings,omitempty"`
}

// UsageMetadata is Gemini's token accounting. thoughtsTokenCount is outside
// candidatesTokenCount and inside totalTokenCount; cachedContentTokenCount
// is a subset of promptTokenCount.
type UsageMetadata struct {
	PromptTokenCount           int64                `json:"promptTokenCount,omitempty"`
	CachedContentTokenCount    int64                `json:"cachedContentTokenCount,omitempty"`
	CandidatesTokenCount       int64                `json:"candidatesTokenCount,omitempty"`
	ToolUsePromptTokenCount    int64                `json:"toolUsePromptTokenCount,omitempty"`
	ThoughtsTokenCount         int64                `json:"thoughtsTokenCount,omitempty"`
	TotalTokenCount            int64                `json:"totalTokenCount,omitempty"`
	PromptTokensDetails        []ModalityTokenCount `json:"promptTokensDetails,omitempty"`
	CacheTokensDetails         []ModalityTokenCount `json:"cacheTokensDetails,omitempty"`
	CandidatesTokensDetails    []ModalityTokenCount `json:"candidatesTokensDetails,omitempty"`
	ToolUsePromptTokensDetails []ModalityTokenCount `json:"toolUsePromptTokensDetails,omitempty"`
}

// ModalityTokenCount counts the tokens of one modality (TEXT, IMAGE, ...).
type ModalityTokenCount struct {
	Modality   string `json:"modality"`
	TokenCount int64  `json:"tokenCount"`
}

// EmbedContentRequest is the body of models/{model}:embedContent, and one
// element of a batch. Model is "models/{model}" (required in a batch).
type EmbedContentRequest struct {
	Model                string  `json:"model,omitempty"`
	Content              Content `json:"content"`
	TaskType             string  `json:"taskType,omitempty"`
	Title                string  `json:"title,omitempty"`
	OutputDimensionality *int64  `json:"outputDimensionality,omitempty"`
}

// BatchEmbedContentsRequest is the body of models/{model}:batchEmbedContents.
type BatchEmbedContentsRequest struct {
	Requests []EmbedContentRequest `json:"requests"`
}

// ContentEmbedding is one vector.
type ContentEmbedding struct {
	Values []float32 `json:"values"`
}

// EmbedContentResponse answers embedContent.
type EmbedContentResponse struct {
	Embedding ContentEmbedding `json:"embedding"`
}

// BatchEmbedContentsResponse answers batchEmbedContents, one embedding per
// request, in order.
type BatchEmbedContentsResponse struct {
	Embeddings []ContentEmbedding `json:"embeddings"`
	// UsageMetadata is sent by newer API versions only.
	UsageMetadata *EmbedUsageMetadata `json:"usageMetadata,omitempty"`
}

// EmbedUsageMetadata counts an embedding batch's input tokens.
type EmbedUsageMetadata struct {
	PromptTokenCount int64 `json:"promptTokenCount,omitempty"`
	TotalTokenCount  int64 `json:"totalTokenCount,omitempty"`
}

// ListModelsResponse is the body of GET /models.
type ListModelsResponse struct {
	Models        []Model `json:"models"`
	NextPageToken string  `json:"nextPageToken,omitempty"`
}

// Model describes one model. Name is "models/{id}".
type Model struct {
	Name                       string   `json:"name"`
	BaseModelID                string   `json:"baseModelId,omitempty"`
	Version                    string   `json:"version,omitempty"`
	DisplayName                string   `json:"displayName,omitempty"`
	Description                string   `json:"description,omitempty"`
	InputTokenLimit            int64    `json:"inputTokenLimit,omitempty"`
	OutputTokenLimit           int64    `json:"outputTokenLimit,omitempty"`
	SupportedGenerationMethods []string `json:"supportedGenerationMethods,omitempty"`
	Temperature                *float64 `json:"temperature,omitempty"`
	MaxTemperature             *float64 `json:"maxTemperature,omitempty"`
	TopP                       *float64 `json:"topP,omitempty"`
	TopK                       *int64   `json:"topK,omitempty"`
	Thinking                   bool     `json:"thinking,omitempty"`
}

// ErrorBody is Google's error envelope.
type ErrorBody struct {
	Error Status `json:"error"`
}

// Status is a google.rpc.Status: the HTTP code, a message, the canonical
// status name (INVALID_ARGUMENT, RESOURCE_EXHAUSTED, ...) and typed details
// (ErrorInfo with a reason, RetryInfo with a retryDelay, ...).
type Status struct {
	Code    int               `json:"code"`
	Message string            `json:"message"`
	Status  string            `json:"status"`
	Details []json.RawMessage `json:"details,omitempty"`
}
