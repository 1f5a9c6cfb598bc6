package llm

// FinishReason is why generation stopped, normalized across providers.
type FinishReason string

// Normalized finish reasons.
const (
	FinishStop          FinishReason = "stop"
	FinishLength        FinishReason = "length"
	FinishToolCalls     FinishReason = "tool_calls"
	FinishContentFilter FinishReason = "content_filter"
	FinishError         FinishReason = "error"
	FinishOther         FinishReason = "other"
)

// Response is a complete (unary) answer.
type Response struct {
	ID string
	// Model is the model the provider says served the request.
	Model   string
	Created int64
	Choices []Choice
	Usage   Usage
	// Provider and Deployment name what served the request.
	Provider   string
	Deployment string
	// SystemFingerprint is OpenAI's backend fingerprint, when given.
	SystemFingerprint string
	// Route tells how the gateway served the request (set by the router).
	Route *Route
	// Cost is what the request cost (set by the gateway's metering; zero
	// without it).
	Cost Cost
}

// Choice is one generated answer.
type Choice struct {
	Index   int
	Message Message
	// FinishReason is normalized; RawFinishReason is what the provider sent.
	FinishReason    FinishReason
	RawFinishReason string
}

// Usage counts tokens with one meaning whatever the provider reports:
// InputTokens counts every input token including those read from or written
// to a prompt cache (CachedInputTokens and CacheWriteTokens are subsets of
// it); OutputTokens counts every generated token including reasoning
// (ReasoningTokens is a subset of it).
type Usage struct {
	InputTokens       int64
	CachedInputTokens int64
	CacheWriteTokens  int64
	OutputTokens      int64
	ReasoningTokens   int64
}

// TotalTokens is input plus output.
func (u Usage) TotalTokens() int64 { return u.InputTokens + u.OutputTokens }

// IsZero reports whether no token was counted.
func (u Usage) IsZero() bool { return u == Usage{} }

// Add adds v to u field by field.
func (u *Usage) Add(v Usage) {
	u.InputTokens += v.InputTokens
	u.CachedInputTokens += v.CachedInputTokens
	u.CacheWriteTokens += v.CacheWriteTokens
	u.OutputTokens += v.OutputTokens
	u.ReasoningTokens += v.ReasoningTokens
}
