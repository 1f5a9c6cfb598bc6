package wire

import "github.com/switchboard-gw/switchboard/llm"

// ToCanonicalUsage normalizes Gemini's counts: input includes the tool-use
// prompt, output includes the thoughts (which Gemini counts outside the
// candidates), cached input and reasoning are the subsets.
func ToCanonicalUsage(u *UsageMetadata) llm.Usage {
	if u == nil {
		return llm.Usage{}
	}
	return llm.Usage{
		InputTokens:       u.PromptTokenCount + u.ToolUsePromptTokenCount,
		CachedInputTokens: u.CachedContentTokenCount,
		OutputTokens:      u.CandidatesTokenCount + u.ThoughtsTokenCount,
		ReasoningTokens:   u.ThoughtsTokenCount,
	}
}

// FromCanonicalUsage writes canonical usage in Gemini's terms.
func FromCanonicalUsage(u llm.Usage) *UsageMetadata {
	out := &UsageMetadata{
		PromptTokenCount:        u.InputTokens,
		CachedContentTokenCount: u.CachedInputTokens,
		CandidatesTokenCount:    u.OutputTokens - u.ReasoningTokens,
		ThoughtsTokenCount:      u.ReasoningTokens,
		TotalTokenCount:         u.InputTokens + u.OutputTokens,
	}
	if u.InputTokens > 0 {
		out.PromptTokensDetails = []ModalityTokenCount{{Modality: "TEXT", TokenCount: u.InputTokens}}
	}
	if u.CachedInputTokens > 0 {
		out.CacheTokensDetails = []ModalityTokenCount{{Modality: "TEXT", TokenCount: u.CachedInputTokens}}
	}
	return out
}

// Gemini finish reasons.
const (
	FinishStop      = "STOP"
	FinishMaxTokens = "MAX_TOKENS"
	FinishSafety    = "SAFETY"
)

// ToCanonicalFinishReason normalizes a finishReason. hasCalls says whether
// the candidate holds function calls: Gemini ends those with STOP.
func ToCanonicalFinishReason(raw string, hasCalls bool) llm.FinishReason {
	switch raw {
	case "":
		return ""
	case FinishStop:
		if hasCalls {
			return llm.FinishToolCalls
		}
		return llm.FinishStop
	case FinishMaxTokens:
		return llm.FinishLength
	}
	if isFilterReason(raw) {
		return llm.FinishContentFilter
	}
	switch raw {
	case "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS":
		return llm.FinishError
	}
	return llm.FinishOther
}

// FromCanonicalFinishReason writes a normalized finish reason as Gemini's.
func FromCanonicalFinishReason(f llm.FinishReason) string {
	switch f {
	case llm.FinishLength:
		return FinishMaxTokens
	case llm.FinishContentFilter:
		return FinishSafety
	case llm.FinishError:
		return "MALFORMED_FUNCTION_CALL"
	case llm.FinishOther:
		return "OTHER"
	}
	return FinishStop
}

// isFilterReason reports whether a finish (or block) reason means a safety
// system stopped the output.
func isFilterReason(raw string) bool {
	switch raw {
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
		"IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION":
		return true
	}
	return false
}
