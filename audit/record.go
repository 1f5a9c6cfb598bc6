package audit

import "time"

// RequestRecord is what the audit trail keeps of one completion or
// embeddings request: who sent it, what it asked for, how large it was and
// how it ended. It never holds the prompt: PromptSHA256 identifies
// identical prompts without revealing them.
type RequestRecord struct {
	// RequestID is the gateway's request id (X-Request-Id), unique.
	RequestID string
	// Time is when the request reached the gateway, UTC.
	Time time.Time
	// KeyID, TeamID and UserID are the caller's virtual key and its owners.
	KeyID, TeamID, UserID string
	// EndUser is the end user the caller named (OpenAI's "user" field).
	EndUser string
	// Operation is "chat" or "embeddings".
	Operation string
	// Alias is the model the caller asked for; Model the model that
	// answered, as the provider names it; Provider and Deployment what
	// served it.
	Alias, Model, Provider, Deployment string
	// Transport is the front door: "connect", "grpc", "grpc_web",
	// "openai", "anthropic".
	Transport string
	Stream    bool
	// Status is OutcomeOK or the kind of the error that ended the request.
	Status string
	// PromptSHA256 is the hex SHA-256 of the canonical prompt (see
	// PromptHash); empty for embeddings.
	PromptSHA256 string
	// InputBytes is the size of the canonical prompt (the text of every
	// message, tool call and tool definition, and image bytes), or of the
	// embedding inputs; InputMessages, InputTools and InputImages count
	// them.
	InputBytes    int64
	InputMessages int
	InputTools    int
	InputImages   int
	// OutputBytes is the size of the generated text and tool-call
	// arguments (for embeddings, 4 bytes per dimension).
	OutputBytes int64
	// InputTokens and OutputTokens are the usage reported (or estimated).
	InputTokens, OutputTokens int64
	// CostNanoUSD is the request's metered cost, 0 when unknown.
	CostNanoUSD int64
	// ClientAddress is the caller's IP address; UserAgent its User-Agent.
	ClientAddress, UserAgent string
	// Latency is the time from arrival to the end of the answer (for a
	// stream, its last chunk).
	Latency time.Duration
	// PayloadCaptured tells whether the bodies were captured (the team
	// has payload capture on).
	PayloadCaptured bool
}

// Payload is a captured request and response, redacted before it was
// stored, kept for its team's retention (see ExpiryQuery).
type Payload struct {
	RequestID string
	Time      time.Time
	KeyID     string
	TeamID    string
	UserID    string
	// Request and Response are JSON documents (see CapturedRequest and
	// CapturedResponse), with personal data and secrets replaced by typed
	// placeholders such as [EMAIL].
	Request, Response []byte
}
