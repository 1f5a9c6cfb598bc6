package llm

// Stream is a pull-based stream of chunks. Recv returns io.EOF after the
// last chunk; any other error ends the stream. Close releases the upstream
// connection; it is always safe to call, more than once and after EOF.
type Stream interface {
	Recv() (Chunk, error)
	Close() error
}

// Chunk is one increment of a streamed answer, for one choice.
//
// A stream's chunks, concatenated per choice, give the same message a unary
// call would: text deltas append, tool-call deltas append arguments to the
// call with the same Index. The final usage arrives in a chunk whose Usage is
// set (usually the last chunk, with no delta).
type Chunk struct {
	ID    string
	Model string
	// Created is the provider's timestamp (Unix seconds), when given.
	Created     int64
	ChoiceIndex int
	// Role is set on the first chunk of a choice.
	Role Role
	// Text is the content delta.
	Text string
	// TextSignature is opaque provider state for the choice's text (Gemini's
	// thoughtSignature on a text part, which may arrive on its own in a
	// chunk with empty text). The accumulated text part carries it as
	// Part.Signature.
	TextSignature string
	// Reasoning is a reasoning delta: text and/or a signature for the
	// current reasoning block.
	Reasoning *Reasoning
	// ToolCalls are tool-call deltas.
	ToolCalls []ToolCallDelta
	// Refusal is a refusal delta.
	Refusal string
	// FinishReason is set on the chunk that ends a choice.
	FinishReason    FinishReason
	RawFinishReason string
	// Usage is set on the chunk that carries the final token counts.
	Usage *Usage
	// Provider and Deployment are filled in by the gateway.
	Provider   string
	Deployment string
	// SystemFingerprint is OpenAI's backend fingerprint, when given.
	SystemFingerprint string
	// Route tells how the gateway is serving the stream. The router sets
	// it on the first chunk, and again on the first chunk after the route
	// changed (a continuation on another deployment); it is nil on the
	// others.
	Route *Route
	// Cost is what the request cost, set by the gateway's metering on the
	// stream's last chunk (once every attempt has been charged); nil on
	// the others.
	Cost *Cost
}

// ToolCallDelta is an increment of one tool call. The first delta of a call
// carries its ID and Name; later ones only Index and ArgumentsDelta.
type ToolCallDelta struct {
	Index          int
	ID             string
	Name           string
	ArgumentsDelta string
	Signature      string
}
