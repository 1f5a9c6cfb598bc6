package wire

import (
	"strconv"

	"github.com/switchboard-gw/switchboard/llm"
)

// AppendCanonicalChunk appends c as a chat.completion.chunk in JSON to dst:
// the same bytes as json.Marshal(FromCanonicalChunk(c)) with HTML escaping
// off, without building the intermediate value or using reflection. It is
// the shim's per-chunk encoder.
func AppendCanonicalChunk(dst []byte, c *llm.Chunk) []byte {
	first := true
	dst = append(dst, '{')
	dst = appendStringMember(dst, "id", c.ID, &first)
	dst = appendStringMember(dst, "object", ObjectChatCompletionChunk, &first)
	dst = appendIntMember(dst, "created", c.Created, &first)
	dst = appendStringMember(dst, "model", c.Model, &first)
	if c.SystemFingerprint != "" {
		dst = appendStringMember(dst, "system_fingerprint", c.SystemFingerprint, &first)
	}
	dst = appendKey(dst, "choices", &first)
	hasDelta := c.Role != "" || c.Text != "" || c.Refusal != "" || len(c.ToolCalls) > 0 || c.FinishReason != "" || c.Reasoning != nil
	if !hasDelta && c.Usage != nil {
		dst = append(dst, '[', ']')
	} else {
		dst = appendChunkChoice(dst, c)
	}
	if c.Usage != nil {
		dst = appendKey(dst, "usage", &first)
		dst = appendUsage(dst, FromCanonicalUsage(*c.Usage))
	}
	return append(dst, '}')
}

// appendChunkChoice writes the one choice FromCanonicalChunk builds.
func appendChunkChoice(dst []byte, c *llm.Chunk) []byte {
	dst = append(dst, `[{"index":`...)
	dst = strconv.AppendInt(dst, int64(c.ChoiceIndex), 10)
	dst = append(dst, `,"delta":{`...)
	first := true
	if c.Role != "" {
		dst = appendStringMember(dst, "role", string(c.Role), &first)
	}
	// OpenAI's first text chunk has "content": "", its first tool-call chunk none.
	if c.Text != "" || (c.Role != "" && len(c.ToolCalls) == 0) {
		dst = appendStringMember(dst, "content", c.Text, &first)
	}
	if len(c.ToolCalls) > 0 {
		dst = appendKey(dst, "tool_calls", &first)
		dst = append(dst, '[')
		for j := range c.ToolCalls {
			d := &c.ToolCalls[j]
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"index":`...)
			dst = strconv.AppendInt(dst, int64(d.Index), 10)
			if d.ID != "" {
				dst = append(dst, `,"id":`...)
				dst = appendJSONString(dst, ToolCallIDWithSignature(d.ID, d.Signature))
				dst = append(dst, `,"type":"function"`...)
			}
			dst = append(dst, `,"function":{`...)
			if d.Name != "" {
				dst = append(dst, `"name":`...)
				dst = appendJSONString(dst, d.Name)
				dst = append(dst, ',')
			}
			dst = append(dst, `"arguments":`...)
			dst = appendJSONString(dst, d.ArgumentsDelta)
			dst = append(dst, '}', '}')
		}
		dst = append(dst, ']')
	}
	if c.Refusal != "" {
		dst = appendStringMember(dst, "refusal", c.Refusal, &first)
	}
	dst = append(dst, `},"finish_reason":`...)
	if c.FinishReason != "" {
		dst = appendJSONString(dst, FromCanonicalFinishReason(c.FinishReason))
	} else {
		dst = append(dst, "null"...)
	}
	return append(dst, '}', ']')
}

// appendUsage writes u as encoding/json writes a *Usage.
func appendUsage(dst []byte, u *Usage) []byte {
	first := true
	dst = append(dst, '{')
	dst = appendIntMember(dst, "prompt_tokens", u.PromptTokens, &first)
	dst = appendIntMember(dst, "completion_tokens", u.CompletionTokens, &first)
	dst = appendIntMember(dst, "total_tokens", u.TotalTokens, &first)
	if d := u.PromptTokensDetails; d != nil {
		dst = appendKey(dst, "prompt_tokens_details", &first)
		f := true
		dst = append(dst, '{')
		dst = appendIntMember(dst, "cached_tokens", d.CachedTokens, &f)
		if d.AudioTokens != 0 {
			dst = appendIntMember(dst, "audio_tokens", d.AudioTokens, &f)
		}
		if d.CacheWriteTokens != 0 {
			dst = appendIntMember(dst, "cache_write_tokens", d.CacheWriteTokens, &f)
		}
		dst = append(dst, '}')
	}
	if d := u.CompletionTokensDetails; d != nil {
		dst = appendKey(dst, "completion_tokens_details", &first)
		f := true
		dst = append(dst, '{')
		dst = appendIntMember(dst, "reasoning_tokens", d.ReasoningTokens, &f)
		if d.AudioTokens != 0 {
			dst = appendIntMember(dst, "audio_tokens", d.AudioTokens, &f)
		}
		if d.AcceptedPredictionTokens != 0 {
			dst = appendIntMember(dst, "accepted_prediction_tokens", d.AcceptedPredictionTokens, &f)
		}
		if d.RejectedPredictionTokens != 0 {
			dst = appendIntMember(dst, "rejected_prediction_tokens", d.RejectedPredictionTokens, &f)
		}
		dst = append(dst, '}')
	}
	if u.PromptCacheHitTokens != 0 {
		dst = appendIntMember(dst, "prompt_cache_hit_tokens", u.PromptCacheHitTokens, &first)
	}
	if u.PromptCacheMissTokens != 0 {
		dst = appendIntMember(dst, "prompt_cache_miss_tokens", u.PromptCacheMissTokens, &first)
	}
	return append(dst, '}')
}
