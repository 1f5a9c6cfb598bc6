package wire

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/internal/wireutil"
)

// ToCanonicalResponse converts a Converse answer. Text blocks join into one
// text part (as a stream accumulates them), reasoningContent blocks become
// Reasoning with their signatures (redacted content as base64 in
// Redacted), toolUse blocks ToolCalls in order. When answerTool is the name
// FromCanonicalRequest gave ConverseRequest.AnswerTool, that tool's input is
// the answer's text, and a turn that stopped only to call it finishes with
// FinishStop (the raw reason stays "tool_use").
//
// Bedrock sends no id and no model: the provider fills them in.
func ToCanonicalResponse(r *ConverseResponse, answerTool string) (*llm.Response, error) {
	msg := llm.Message{Role: llm.RoleAssistant}
	var text strings.Builder
	answered := false
	if m := r.Output.Message; m != nil {
		for i := range m.Content {
			b := &m.Content[i]
			switch {
			case b.ToolUse != nil:
				args, err := inputToArguments(b.ToolUse.Input, "content")
				if err != nil {
					return nil, &llm.Error{Kind: llm.KindUpstream, Message: "the provider returned a tool call whose input is not a JSON object", Err: err}
				}
				if answerTool != "" && b.ToolUse.Name == answerTool {
					text.WriteString(args)
					answered = true
					continue
				}
				msg.ToolCalls = append(msg.ToolCalls, llm.ToolCall{ID: b.ToolUse.ToolUseID, Name: b.ToolUse.Name, Arguments: args})
			case b.ReasoningContent != nil:
				rc := b.ReasoningContent
				if len(rc.RedactedContent) > 0 {
					msg.Reasoning = append(msg.Reasoning, llm.Reasoning{Redacted: base64.StdEncoding.EncodeToString(rc.RedactedContent)})
				} else if rc.ReasoningText != nil {
					msg.Reasoning = append(msg.Reasoning, llm.Reasoning{Text: rc.ReasoningText.Text, Signature: rc.ReasoningText.Signature})
				}
			case b.Kind() == BlockText:
				text.WriteString(b.Text)
			}
			// Other blocks (citationsContent, ...) have no canonical form;
			// the text around them carries the answer.
		}
	}
	if text.Len() > 0 {
		msg.Parts = []llm.Part{llm.TextPart(text.String())}
	}
	finish := ToCanonicalFinishReason(r.StopReason)
	if answered && finish == llm.FinishToolCalls && len(msg.ToolCalls) == 0 {
		finish = llm.FinishStop
	}
	return &llm.Response{
		Choices: []llm.Choice{{Message: msg, FinishReason: finish, RawFinishReason: r.StopReason}},
		Usage:   ToCanonicalUsage(&r.Usage),
	}, nil
}

// FromCanonicalResponse writes a canonical response as a Converse answer:
// the first choice (Bedrock has one), reasoning blocks first, then text,
// then toolUse blocks. latencyMs is the caller's to fill in.
func FromCanonicalResponse(r *llm.Response) *ConverseResponse {
	out := &ConverseResponse{
		Output: ConverseOutput{Message: &Message{Role: "assistant", Content: []ContentBlock{}}},
		Usage:  FromCanonicalUsage(r.Usage),
	}
	if len(r.Choices) == 0 {
		out.StopReason = StopEndTurn
		return out
	}
	ch := &r.Choices[0]
	m := &ch.Message
	content := out.Output.Message.Content
	for _, rs := range m.Reasoning {
		if rs.Redacted != "" {
			if data, err := wireutil.DecodeBase64Lenient(rs.Redacted); err == nil {
				content = append(content, ContentBlock{ReasoningContent: &ReasoningContentBlock{RedactedContent: data}})
			}
			continue
		}
		content = append(content, ContentBlock{ReasoningContent: &ReasoningContentBlock{ReasoningText: &ReasoningText{Text: rs.Text, Signature: rs.Signature}}})
	}
	if t := m.Text(); t != "" {
		content = append(content, ContentBlock{Text: t})
	} else if m.Refusal != "" {
		content = append(content, ContentBlock{Text: m.Refusal})
	}
	for _, tc := range m.ToolCalls {
		// Arguments another provider cut short (max tokens) are not JSON;
		// the block still has to be valid, so they read as {}.
		input := json.RawMessage(tc.Arguments)
		if t := strings.TrimSpace(tc.Arguments); t == "" || t[0] != '{' || !json.Valid(input) {
			input = emptyObject
		}
		content = append(content, ContentBlock{ToolUse: &ToolUseBlock{ToolUseID: tc.ID, Name: tc.Name, Input: input}})
	}
	out.Output.Message.Content = content
	out.StopReason = FromCanonicalFinishReason(ch.FinishReason, ch.RawFinishReason)
	return out
}
