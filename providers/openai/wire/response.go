package wire

import (
	"github.com/switchboard-gw/switchboard/llm"
)

// ObjectChatCompletion and ObjectChatCompletionChunk are the "object" values
// of a completion and a stream chunk.
const (
	ObjectChatCompletion      = "chat.completion"
	ObjectChatCompletionChunk = "chat.completion.chunk"
)

// ToCanonicalResponse converts an upstream chat.completion. A response with
// no choices is an Upstream error: every valid completion has one.
func ToCanonicalResponse(r *ChatResponse) (*llm.Response, error) {
	if len(r.Choices) == 0 {
		return nil, &llm.Error{Kind: llm.KindUpstream, Message: "the provider returned a completion with no choices"}
	}
	out := &llm.Response{
		ID:                r.ID,
		Model:             r.Model,
		Created:           r.Created,
		Choices:           make([]llm.Choice, len(r.Choices)),
		Usage:             ToCanonicalUsage(r.Usage),
		SystemFingerprint: r.SystemFingerprint,
	}
	for i := range r.Choices {
		c := &r.Choices[i]
		out.Choices[i] = llm.Choice{
			Index:           c.Index,
			Message:         responseMessageToCanonical(&c.Message),
			FinishReason:    ToCanonicalFinishReason(c.FinishReason),
			RawFinishReason: c.FinishReason,
		}
	}
	return out, nil
}

func responseMessageToCanonical(m *Message) llm.Message {
	out := llm.Message{Role: llm.RoleAssistant}
	if m.Content != nil {
		if m.Content.Parts == nil {
			if m.Content.Text != "" {
				out.Parts = []llm.Part{llm.TextPart(m.Content.Text)}
			}
		} else {
			for j := range m.Content.Parts {
				switch p := &m.Content.Parts[j]; p.Type {
				case "text":
					out.Parts = append(out.Parts, llm.TextPart(p.Text))
				case "refusal":
					out.Refusal += p.Refusal
				}
			}
		}
	}
	if m.Refusal != nil {
		out.Refusal += *m.Refusal
	}
	if m.ReasoningContent != nil && *m.ReasoningContent != "" {
		out.Reasoning = []llm.Reasoning{{Text: *m.ReasoningContent}}
	}
	if len(m.ToolCalls) > 0 {
		out.ToolCalls = make([]llm.ToolCall, len(m.ToolCalls))
		for j := range m.ToolCalls {
			tc := &m.ToolCalls[j]
			out.ToolCalls[j] = llm.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: argumentsOrEmpty(tc.Function.Arguments)}
		}
	}
	if fc := m.FunctionCall; fc != nil && len(m.ToolCalls) == 0 {
		out.ToolCalls = []llm.ToolCall{{ID: legacyCallID(0), Name: fc.Name, Arguments: argumentsOrEmpty(fc.Arguments)}}
	}
	return out
}

// FromCanonicalResponse writes a canonical response as a chat.completion.
// An assistant message with only tool calls has "content": null, as OpenAI
// sends it.
func FromCanonicalResponse(r *llm.Response) *ChatResponse {
	out := &ChatResponse{
		ID:                r.ID,
		Object:            ObjectChatCompletion,
		Created:           r.Created,
		Model:             r.Model,
		Choices:           make([]Choice, len(r.Choices)),
		Usage:             FromCanonicalUsage(r.Usage),
		SystemFingerprint: r.SystemFingerprint,
	}
	for i := range r.Choices {
		c := &r.Choices[i]
		out.Choices[i] = Choice{
			Index:        c.Index,
			Message:      responseMessageFromCanonical(&c.Message),
			FinishReason: FromCanonicalFinishReason(c.FinishReason),
		}
	}
	return out
}

func responseMessageFromCanonical(m *llm.Message) Message {
	out := Message{Role: "assistant"}
	if len(m.Parts) > 0 || (len(m.ToolCalls) == 0 && m.Refusal == "") {
		out.Content = &Content{Text: m.Text()}
	}
	if m.Refusal != "" {
		refusal := m.Refusal
		out.Refusal = &refusal
	}
	if len(m.ToolCalls) > 0 {
		out.ToolCalls = make([]ToolCall, len(m.ToolCalls))
		for j, tc := range m.ToolCalls {
			out.ToolCalls[j] = ToolCall{ID: ToolCallIDWithSignature(tc.ID, tc.Signature), Type: "function", Function: FunctionCall{Name: tc.Name, Arguments: argumentsOrEmpty(tc.Arguments)}}
		}
	}
	return out
}
