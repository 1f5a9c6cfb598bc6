package wire

import (
	"encoding/json"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
)

// TypeMessage is the "type" of a message object; an error body has "error".
const TypeMessage = "message"

// ToCanonicalResponse converts a complete answer. Text blocks join into one
// text part (as a stream accumulates them), thinking and redacted_thinking
// blocks become Reasoning with their signatures, tool_use blocks ToolCalls
// in order. When answerTool is the name FromCanonicalRequest gave
// MessagesRequest.AnswerTool, that tool's input is the answer's text (the
// JSON the response format asked for), and a turn that stopped only to call
// it finishes with FinishStop (the raw reason stays "tool_use").
func ToCanonicalResponse(r *MessagesResponse, answerTool string) (*llm.Response, error) {
	if r.Type != "" && r.Type != TypeMessage {
		return nil, &llm.Error{Kind: llm.KindUpstream, Message: "the provider returned a " + r.Type + " object instead of a message"}
	}
	msg := llm.Message{Role: llm.RoleAssistant}
	var text strings.Builder
	answered := false
	for i := range r.Content {
		b := &r.Content[i]
		switch b.Type {
		case BlockText:
			text.WriteString(b.Text)
		case BlockThinking:
			msg.Reasoning = append(msg.Reasoning, llm.Reasoning{Text: b.Thinking, Signature: b.Signature})
		case BlockRedactedThinking:
			msg.Reasoning = append(msg.Reasoning, llm.Reasoning{Redacted: b.Data})
		case BlockToolUse:
			args, err := inputToArguments(b.Input, "content")
			if err != nil {
				return nil, &llm.Error{Kind: llm.KindUpstream, Message: "the provider returned a tool call whose input is not a JSON object", Err: err}
			}
			if answerTool != "" && b.Name == answerTool {
				text.WriteString(args)
				answered = true
				continue
			}
			msg.ToolCalls = append(msg.ToolCalls, llm.ToolCall{ID: b.ID, Name: b.Name, Arguments: args})
		}
		// Server-tool blocks (server_tool_use, web_search_tool_result, ...)
		// have no canonical form; the text around them carries the answer.
	}
	if text.Len() > 0 {
		msg.Parts = []llm.Part{llm.TextPart(text.String())}
	}
	raw := ""
	if r.StopReason != nil {
		raw = *r.StopReason
	}
	finish := ToCanonicalFinishReason(raw)
	if answered && finish == llm.FinishToolCalls && len(msg.ToolCalls) == 0 {
		finish = llm.FinishStop
	}
	return &llm.Response{
		ID:      r.ID,
		Model:   r.Model,
		Choices: []llm.Choice{{Message: msg, FinishReason: finish, RawFinishReason: raw}},
		Usage:   ToCanonicalUsage(&r.Usage),
	}, nil
}

// FromCanonicalResponse writes a canonical response as a message object:
// the first choice (Anthropic has one), thinking blocks first, then text,
// then tool_use blocks.
func FromCanonicalResponse(r *llm.Response) *MessagesResponse {
	out := &MessagesResponse{
		ID: r.ID, Type: TypeMessage, Role: "assistant", Model: r.Model,
		Content: []ContentBlock{},
		Usage:   FromCanonicalUsage(r.Usage),
	}
	if len(r.Choices) == 0 {
		return out
	}
	ch := &r.Choices[0]
	m := &ch.Message
	for _, rs := range m.Reasoning {
		if rs.Redacted != "" {
			out.Content = append(out.Content, ContentBlock{Type: BlockRedactedThinking, Data: rs.Redacted})
			continue
		}
		out.Content = append(out.Content, ContentBlock{Type: BlockThinking, Thinking: rs.Text, Signature: rs.Signature})
	}
	if t := m.Text(); t != "" {
		out.Content = append(out.Content, ContentBlock{Type: BlockText, Text: t})
	} else if m.Refusal != "" {
		out.Content = append(out.Content, ContentBlock{Type: BlockText, Text: m.Refusal})
	}
	for _, tc := range m.ToolCalls {
		// Arguments another provider cut short (max tokens) are not JSON;
		// the block still has to be valid, so they read as {}.
		input := json.RawMessage(tc.Arguments)
		if !json.Valid(input) || strings.TrimSpace(tc.Arguments)[0] != '{' {
			input = emptyObject
		}
		out.Content = append(out.Content, ContentBlock{Type: BlockToolUse, ID: tc.ID, Name: tc.Name, Input: input})
	}
	if reason := FromCanonicalFinishReason(ch.FinishReason, ch.RawFinishReason); reason != "" {
		out.StopReason = &reason
	}
	return out
}
