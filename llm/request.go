package llm

import "encoding/json"

// Request is one chat completion request in canonical form.
type Request struct {
	// Model is what the caller asked for: an alias before routing, the
	// upstream model name once the router has chosen a deployment.
	Model    string
	Messages []Message

	Tools             []Tool
	ToolChoice        *ToolChoice
	ParallelToolCalls *bool
	ResponseFormat    *ResponseFormat

	Temperature      *float64
	TopP             *float64
	MaxTokens        *int64
	Stop             []string
	Seed             *int64
	PresencePenalty  *float64
	FrequencyPenalty *float64
	// N is the number of choices to generate; 0 means 1.
	N int

	// User identifies the end user for attribution and abuse monitoring.
	User string
	// Metadata is caller-supplied attribution; it is not sent upstream
	// unless a provider supports it.
	Metadata map[string]string
	// Reasoning configures reasoning models.
	Reasoning *ReasoningConfig
	// ProviderOptions are extra top-level fields merged verbatim into the
	// upstream request body for the provider named by the key ("openai",
	// "anthropic", ...), for parameters with no canonical field.
	ProviderOptions map[string]json.RawMessage
}

// ReasoningConfig asks a reasoning model to think: by effort (OpenAI's
// reasoning_effort: "minimal", "low", "medium", "high") or by a token budget
// (Anthropic's and Gemini's thinking budget). Translators map one to the other.
type ReasoningConfig struct {
	Effort       string
	BudgetTokens int64
}

// EmbedRequest asks for embeddings of one or more inputs.
type EmbedRequest struct {
	Model  string
	Inputs []string
	// Dimensions truncates the embeddings, where the model supports it.
	Dimensions *int64
	User       string
}

// EmbedResponse holds one vector per input, in input order.
type EmbedResponse struct {
	Model      string
	Embeddings [][]float32
	Usage      Usage
	Provider   string
	Deployment string
	// Cost is what the request cost (set by the gateway's metering).
	Cost Cost
}

// ModelInfo describes a model a provider (or the gateway) offers.
type ModelInfo struct {
	ID      string
	OwnedBy string
	Created int64
}
