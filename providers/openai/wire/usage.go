package wire

import "github.com/switchboard-gw/switchboard/llm"

// ToCanonicalUsage normalizes OpenAI usage. OpenAI's meaning is already the
// canonical one: prompt_tokens includes cached_tokens, and completion_tokens
// includes reasoning_tokens, so the numbers are copied, not adjusted.
// DeepSeek reports cache hits in prompt_cache_hit_tokens instead of
// prompt_tokens_details; that is read when the details are absent.
func ToCanonicalUsage(u *Usage) llm.Usage {
	if u == nil {
		return llm.Usage{}
	}
	out := llm.Usage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens}
	if d := u.PromptTokensDetails; d != nil {
		out.CachedInputTokens = d.CachedTokens
		out.CacheWriteTokens = d.CacheWriteTokens
	}
	if out.CachedInputTokens == 0 && u.PromptCacheHitTokens > 0 {
		out.CachedInputTokens = u.PromptCacheHitTokens
	}
	if d := u.CompletionTokensDetails; d != nil {
		out.ReasoningTokens = d.ReasoningTokens
	}
	return out
}

// FromCanonicalUsage writes canonical usage in OpenAI's shape, always with
// both details objects, as OpenAI does.
func FromCanonicalUsage(u llm.Usage) *Usage {
	return &Usage{
		PromptTokens:     u.InputTokens,
		CompletionTokens: u.OutputTokens,
		TotalTokens:      u.TotalTokens(),
		PromptTokensDetails: &PromptTokensDetails{
			CachedTokens:     u.CachedInputTokens,
			CacheWriteTokens: u.CacheWriteTokens,
		},
		CompletionTokensDetails: &CompletionTokensDetails{ReasoningTokens: u.ReasoningTokens},
	}
}

// ToCanonicalFinishReason normalizes an OpenAI finish_reason. The deprecated
// "function_call" is a tool call; anything unknown is FinishOther (callers
// keep the raw value beside it).
func ToCanonicalFinishReason(raw string) llm.FinishReason {
	switch raw {
	case "stop":
		return llm.FinishStop
	case "length":
		return llm.FinishLength
	case "tool_calls", "function_call":
		return llm.FinishToolCalls
	case "content_filter":
		return llm.FinishContentFilter
	case "":
		return ""
	}
	return llm.FinishOther
}

// FromCanonicalFinishReason writes a finish reason OpenAI clients know.
// Reasons OpenAI has no word for (error, other) are written as "stop",
// because SDKs treat finish_reason as a closed set.
func FromCanonicalFinishReason(f llm.FinishReason) string {
	switch f {
	case llm.FinishStop, llm.FinishLength, llm.FinishToolCalls, llm.FinishContentFilter:
		return string(f)
	case "":
		return ""
	}
	return "stop"
}
