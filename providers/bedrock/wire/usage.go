package wire

import "github.com/switchboard-gw/switchboard/llm"

// ToCanonicalUsage normalizes Bedrock usage to the canonical meaning:
// inputTokens excludes the tokens read from and written to the prompt cache
// (totalTokens includes them), while the canonical InputTokens includes
// both. The cache counts are read under their documented names, or under
// the ...Count aliases Claude models also send.
func ToCanonicalUsage(u *Usage) llm.Usage {
	read := u.CacheReadInputTokens
	if read == 0 {
		read = u.CacheReadInputTokenCount
	}
	write := u.CacheWriteInputTokens
	if write == 0 {
		write = u.CacheWriteInputTokenCount
	}
	return llm.Usage{
		InputTokens:       u.InputTokens + read + write,
		CachedInputTokens: read,
		CacheWriteTokens:  write,
		OutputTokens:      u.OutputTokens,
	}
}

// FromCanonicalUsage writes canonical usage in Bedrock's meaning, cache
// counts under the documented names only.
func FromCanonicalUsage(u llm.Usage) Usage {
	return Usage{
		InputTokens:           max(u.InputTokens-u.CachedInputTokens-u.CacheWriteTokens, 0),
		OutputTokens:          u.OutputTokens,
		TotalTokens:           u.InputTokens + u.OutputTokens,
		CacheReadInputTokens:  u.CachedInputTokens,
		CacheWriteInputTokens: u.CacheWriteTokens,
	}
}

// Stop reasons.
const (
	StopEndTurn             = "end_turn"
	StopToolUse             = "tool_use"
	StopMaxTokens           = "max_tokens"
	StopSequence            = "stop_sequence"
	StopGuardrailIntervened = "guardrail_intervened"
	StopContentFiltered     = "content_filtered"
	StopContextWindow       = "model_context_window_exceeded"
	StopMalformedToolUse    = "malformed_tool_use"
	StopMalformedModelOut   = "malformed_model_output"
)

// ToCanonicalFinishReason normalizes a stopReason: end_turn and
// stop_sequence are stop, max_tokens and model_context_window_exceeded
// length, tool_use tool_calls, guardrail_intervened and content_filtered
// content_filter, anything else (malformed_model_output, ...) other.
// Callers keep the raw value beside it.
func ToCanonicalFinishReason(raw string) llm.FinishReason {
	switch raw {
	case StopEndTurn, StopSequence:
		return llm.FinishStop
	case StopMaxTokens, StopContextWindow:
		return llm.FinishLength
	case StopToolUse:
		return llm.FinishToolCalls
	case StopGuardrailIntervened, StopContentFiltered:
		return llm.FinishContentFilter
	case "":
		return ""
	}
	return llm.FinishOther
}

// FromCanonicalFinishReason writes a stopReason. raw is used when it is
// already a Bedrock reason that normalizes to f (so stop_sequence and
// guardrail_intervened survive a round trip).
func FromCanonicalFinishReason(f llm.FinishReason, raw string) string {
	if raw != "" && ToCanonicalFinishReason(raw) == f {
		switch raw {
		case StopEndTurn, StopToolUse, StopMaxTokens, StopSequence, StopGuardrailIntervened, StopContentFiltered,
			StopContextWindow, StopMalformedToolUse, StopMalformedModelOut:
			return raw
		}
	}
	switch f {
	case llm.FinishLength:
		return StopMaxTokens
	case llm.FinishToolCalls:
		return StopToolUse
	case llm.FinishContentFilter:
		return StopContentFiltered
	case "":
		return ""
	}
	return StopEndTurn
}
