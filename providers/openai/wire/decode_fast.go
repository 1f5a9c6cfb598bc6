package wire

import "encoding/json"

// DecodeChatChunk decodes one chat.completion.chunk (an SSE data line) into
// c, with the result and the errors of json.Unmarshal(data, c), several
// times faster: the usual chunk is read by a hand-written scanner without
// reflection, and anything unusual is handed to encoding/json (see
// scanner). Like json.Unmarshal it sets the fields present in data and
// leaves the others; a caller reusing c should clear it first, as it would
// for encoding/json (array elements are decoded into zeroed values).
func DecodeChatChunk(data []byte, c *ChatChunk) error {
	saved := *c
	s := scanner{data: data}
	if err := s.chatChunk(c); err == nil {
		if err = s.end(); err == nil {
			return nil
		}
	}
	*c = saved
	return json.Unmarshal(data, c)
}

// DecodeChatResponse decodes a chat.completion body into r, with the result
// and the errors of json.Unmarshal(data, r), faster for the usual answer
// (see DecodeChatChunk).
func DecodeChatResponse(data []byte, r *ChatResponse) error {
	saved := *r
	s := scanner{data: data}
	if err := s.chatResponse(r); err == nil {
		if err = s.end(); err == nil {
			return nil
		}
	}
	*r = saved
	return json.Unmarshal(data, r)
}

// The JSON names of each type's fields, for the case-insensitive check of
// unknown keys (scanner.unknownMember).
var (
	chatChunkFields         = []string{"id", "object", "created", "model", "system_fingerprint", "service_tier", "choices", "usage", "error"}
	chunkChoiceFields       = []string{"index", "delta", "finish_reason", "logprobs"}
	deltaFields             = []string{"role", "content", "tool_calls", "refusal", "reasoning_content"}
	toolCallFields          = []string{"index", "id", "type", "function"}
	functionCallFields      = []string{"name", "arguments"}
	usageFields             = []string{"prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details", "completion_tokens_details", "prompt_cache_hit_tokens", "prompt_cache_miss_tokens"}
	promptDetailsFields     = []string{"cached_tokens", "audio_tokens", "cache_write_tokens"}
	completionDetailsFields = []string{"reasoning_tokens", "audio_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens"}
	chatResponseFields      = []string{"id", "object", "created", "model", "choices", "usage", "system_fingerprint", "service_tier", "error"}
	choiceFields            = []string{"index", "message", "finish_reason", "logprobs"}
	messageFields           = []string{"role", "content", "name", "tool_calls", "tool_call_id", "refusal", "reasoning_content", "function_call"}
)

func (s *scanner) chatChunk(c *ChatChunk) error {
	return s.object(func(key []byte) error {
		switch string(key) {
		case "id":
			return s.stringValue(&c.ID)
		case "object":
			return s.stringValue(&c.Object)
		case "created":
			return s.int64Value(&c.Created)
		case "model":
			return s.stringValue(&c.Model)
		case "system_fingerprint":
			return s.stringValue(&c.SystemFingerprint)
		case "service_tier":
			return s.stringValue(&c.ServiceTier)
		case "choices":
			return s.chunkChoices(&c.Choices)
		case "usage":
			return s.usagePointer(&c.Usage)
		case "error":
			var err error
			c.Error, err = s.raw()
			return err
		}
		return s.unknownMember(key, chatChunkFields)
	})
}

func (s *scanner) chunkChoices(dst *[]ChunkChoice) error { return sliceOf(s, dst, s.chunkChoice) }

func (s *scanner) chunkChoice(c *ChunkChoice) error {
	if s.null() {
		return nil
	}
	return s.object(func(key []byte) error {
		switch string(key) {
		case "index":
			return s.intValue(&c.Index)
		case "delta":
			return s.delta(&c.Delta)
		case "finish_reason":
			return s.stringPointer(&c.FinishReason)
		case "logprobs":
			var err error
			c.Logprobs, err = s.raw()
			return err
		}
		return s.unknownMember(key, chunkChoiceFields)
	})
}

func (s *scanner) delta(d *Delta) error {
	if s.null() {
		return nil
	}
	return s.object(func(key []byte) error {
		switch string(key) {
		case "role":
			return s.stringValue(&d.Role)
		case "content":
			return s.stringPointer(&d.Content)
		case "tool_calls":
			return s.toolCalls(&d.ToolCalls)
		case "refusal":
			return s.stringPointer(&d.Refusal)
		case "reasoning_content":
			return s.stringPointer(&d.ReasoningContent)
		}
		return s.unknownMember(key, deltaFields)
	})
}

func (s *scanner) toolCalls(dst *[]ToolCall) error { return sliceOf(s, dst, s.toolCall) }

func (s *scanner) toolCall(t *ToolCall) error {
	if s.null() {
		return nil
	}
	return s.object(func(key []byte) error {
		switch string(key) {
		case "index":
			if s.null() {
				t.Index = nil
				return nil
			}
			v, err := s.integer()
			if err != nil {
				return err
			}
			i := int(v)
			t.Index = &i
			return nil
		case "id":
			return s.stringValue(&t.ID)
		case "type":
			return s.stringValue(&t.Type)
		case "function":
			return s.functionCall(&t.Function)
		}
		return s.unknownMember(key, toolCallFields)
	})
}

func (s *scanner) functionCall(f *FunctionCall) error {
	if s.null() {
		return nil
	}
	return s.object(func(key []byte) error {
		switch string(key) {
		case "name":
			return s.stringValue(&f.Name)
		case "arguments":
			return s.stringValue(&f.Arguments)
		}
		return s.unknownMember(key, functionCallFields)
	})
}

func (s *scanner) usagePointer(dst **Usage) error {
	if s.null() {
		*dst = nil
		return nil
	}
	if *dst == nil {
		*dst = new(Usage)
	}
	u := *dst
	return s.object(func(key []byte) error {
		switch string(key) {
		case "prompt_tokens":
			return s.int64Value(&u.PromptTokens)
		case "completion_tokens":
			return s.int64Value(&u.CompletionTokens)
		case "total_tokens":
			return s.int64Value(&u.TotalTokens)
		case "prompt_cache_hit_tokens":
			return s.int64Value(&u.PromptCacheHitTokens)
		case "prompt_cache_miss_tokens":
			return s.int64Value(&u.PromptCacheMissTokens)
		case "prompt_tokens_details":
			if s.null() {
				u.PromptTokensDetails = nil
				return nil
			}
			if u.PromptTokensDetails == nil {
				u.PromptTokensDetails = new(PromptTokensDetails)
			}
			d := u.PromptTokensDetails
			return s.object(func(key []byte) error {
				switch string(key) {
				case "cached_tokens":
					return s.int64Value(&d.CachedTokens)
				case "audio_tokens":
					return s.int64Value(&d.AudioTokens)
				case "cache_write_tokens":
					return s.int64Value(&d.CacheWriteTokens)
				}
				return s.unknownMember(key, promptDetailsFields)
			})
		case "completion_tokens_details":
			if s.null() {
				u.CompletionTokensDetails = nil
				return nil
			}
			if u.CompletionTokensDetails == nil {
				u.CompletionTokensDetails = new(CompletionTokensDetails)
			}
			d := u.CompletionTokensDetails
			return s.object(func(key []byte) error {
				switch string(key) {
				case "reasoning_tokens":
					return s.int64Value(&d.ReasoningTokens)
				case "audio_tokens":
					return s.int64Value(&d.AudioTokens)
				case "accepted_prediction_tokens":
					return s.int64Value(&d.AcceptedPredictionTokens)
				case "rejected_prediction_tokens":
					return s.int64Value(&d.RejectedPredictionTokens)
				}
				return s.unknownMember(key, completionDetailsFields)
			})
		}
		return s.unknownMember(key, usageFields)
	})
}

func (s *scanner) chatResponse(r *ChatResponse) error {
	return s.object(func(key []byte) error {
		switch string(key) {
		case "id":
			return s.stringValue(&r.ID)
		case "object":
			return s.stringValue(&r.Object)
		case "created":
			return s.int64Value(&r.Created)
		case "model":
			return s.stringValue(&r.Model)
		case "system_fingerprint":
			return s.stringValue(&r.SystemFingerprint)
		case "service_tier":
			return s.stringValue(&r.ServiceTier)
		case "choices":
			return s.choices(&r.Choices)
		case "usage":
			return s.usagePointer(&r.Usage)
		case "error":
			var err error
			r.Error, err = s.raw()
			return err
		}
		return s.unknownMember(key, chatResponseFields)
	})
}

func (s *scanner) choices(dst *[]Choice) error { return sliceOf(s, dst, s.choice) }

func (s *scanner) choice(c *Choice) error {
	if s.null() {
		return nil
	}
	return s.object(func(key []byte) error {
		switch string(key) {
		case "index":
			return s.intValue(&c.Index)
		case "message":
			return s.message(&c.Message)
		case "finish_reason":
			return s.stringValue(&c.FinishReason)
		case "logprobs":
			var err error
			c.Logprobs, err = s.raw()
			return err
		}
		return s.unknownMember(key, choiceFields)
	})
}

// message reads a chat message (a request's, or a completion's answer).
func (s *scanner) message(m *Message) error {
	if s.null() {
		return nil
	}
	return s.object(func(key []byte) error {
		switch string(key) {
		case "role":
			return s.stringValue(&m.Role)
		case "content":
			return s.content(&m.Content)
		case "name":
			return s.stringValue(&m.Name)
		case "tool_calls":
			return s.toolCalls(&m.ToolCalls)
		case "tool_call_id":
			return s.stringValue(&m.ToolCallID)
		case "refusal":
			return s.stringPointer(&m.Refusal)
		case "reasoning_content":
			return s.stringPointer(&m.ReasoningContent)
		case "function_call":
			if s.null() {
				m.FunctionCall = nil
				return nil
			}
			if m.FunctionCall == nil {
				m.FunctionCall = new(FunctionCall)
			}
			return s.functionCall(m.FunctionCall)
		}
		return s.unknownMember(key, messageFields)
	})
}
