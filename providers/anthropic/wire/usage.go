package wire

import "github.com/switchboard-gw/switchboard/llm"

// ToCanonicalUsage normalizes Anthropic usage to the canonical meaning:
// input_tokens excludes the tokens read from and written to the prompt
// cache, while the canonical InputTokens includes both.
func ToCanonicalUsage(u *Usage) llm.Usage {
	return llm.Usage{
		InputTokens:       u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens,
		CachedInputTokens: u.CacheReadInputTokens,
		CacheWriteTokens:  u.CacheCreationInputTokens,
		OutputTokens:      u.OutputTokens,
	}
}

// FromCanonicalUsage writes canonical usage in Anthropic's meaning. Cache
// writes are reported as 5-minute writes: the canonical model does not keep
// the TTL.
func FromCanonicalUsage(u llm.Usage) Usage {
	return Usage{
		InputTokens:              max(u.InputTokens-u.CachedInputTokens-u.CacheWriteTokens, 0),
		CacheCreationInputTokens: u.CacheWriteTokens,
		CacheReadInputTokens:     u.CachedInputTokens,
		CacheCreation:            &CacheCreation{Ephemeral5mInputTokens: u.CacheWriteTokens},
		OutputTokens:             u.OutputTokens,
	}
}

// Stop reasons.
const (
	StopEndTurn      = "end_turn"
	StopMaxTokens    = "max_tokens"
	StopSequence     = "stop_sequence"
	StopToolUse      = "tool_use"
	StopPauseTurn    = "pause_turn"
	StopRefusal      = "refusal"
	StopContextLimit = "model_context_window_exceeded"
)

// ToCanonicalFinishReason normalizes a stop_reason. pause_turn (a server
// tool paused a long turn; the caller should continue it) and unknown
// reasons are FinishOther; callers keep the raw value beside it.
func ToCanonicalFinishReason(raw string) llm.FinishReason {
	switch raw {
	case StopEndTurn, StopSequence:
		return llm.FinishStop
	case StopMaxTokens, StopContextLimit:
		return llm.FinishLength
	case StopToolUse:
		return llm.FinishToolCalls
	case StopRefusal:
		return llm.FinishContentFilter
	case "":
		return ""
	}
	return llm.FinishOther
}

// FromCanonicalFinishReason writes a stop_reason Anthropic clients know.
// raw is used when it is already an Anthropic reason that normalizes to f
// (so stop_sequence and pause_turn survive a round trip).
func FromCanonicalFinishReason(f llm.FinishReason, raw string) string {
	if raw != "" && ToCanonicalFinishReason(raw) == f {
		switch raw {
		case StopEndTurn, StopMaxTokens, StopSequence, StopToolUse, StopPauseTurn, StopRefusal, StopContextLimit:
			return raw
		}
	}
	switch f {
	case llm.FinishLength:
		return StopMaxTokens
	case llm.FinishToolCalls:
		return StopToolUse
	case llm.FinishContentFilter:
		return StopRefusal
	case "":
		return ""
	}
	return StopEndTurn
}
