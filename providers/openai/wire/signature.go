package wire

import "strings"

// The OpenAI format has no field for the opaque state some providers attach
// to a tool call (Gemini's thoughtSignature), yet Gemini refuses a call sent
// back without it. So that OpenAI-format clients round-trip it without knowing,
// the shim appends the signature to the tool-call id it hands out, and splits
// it off again when the client sends the call and its result back. Clients
// treat ids as opaque strings, so nothing else changes for them.
//
// Only the shim direction uses this: requests to OpenAI-wire providers carry
// plain ids, because those providers issued them.
const signatureSeparator = "~sig~"

// ToolCallIDWithSignature returns id with sig appended, or id when sig is empty.
func ToolCallIDWithSignature(id, sig string) string {
	if sig == "" {
		return id
	}
	return id + signatureSeparator + sig
}

// SplitToolCallID splits an id made by ToolCallIDWithSignature.
func SplitToolCallID(id string) (plain, sig string) {
	if i := strings.Index(id, signatureSeparator); i >= 0 {
		return id[:i], id[i+len(signatureSeparator):]
	}
	return id, ""
}
