package sim

import "github.com/switchboard-gw/switchboard/llm"

// Prompt token accounting, modelled on how chat models count (OpenAI's
// cookbook formula): each message costs a few framing tokens besides its
// content, the reply is primed with a few more, and tool definitions and a
// response schema are part of the prompt.
const (
	tokensPerMessage = 3
	tokensPerName    = 1
	tokensPerReply   = 3
	tokensPerTool    = 8
	tokensPerImage   = 85 // OpenAI's low-detail image cost
)

// promptTokens counts the input tokens of a request.
func promptTokens(req *llm.Request) int64 {
	n := tokensPerReply
	for i := range req.Messages {
		m := &req.Messages[i]
		n += tokensPerMessage
		for j := range m.Parts {
			switch p := &m.Parts[j]; p.Type {
			case llm.PartText:
				n += CountTokens(p.Text)
			case llm.PartImage:
				n += tokensPerImage
			}
		}
		if m.Name != "" {
			n += tokensPerName + CountTokens(m.Name)
		}
		for k := range m.ToolCalls {
			n += CountTokens(m.ToolCalls[k].Name) + CountTokens(m.ToolCalls[k].Arguments)
		}
		if m.ToolCallID != "" {
			n += CountTokens(m.ToolCallID)
		}
	}
	for i := range req.Tools {
		t := &req.Tools[i]
		n += tokensPerTool + CountTokens(t.Name) + CountTokens(t.Description) + CountTokens(string(t.Parameters))
	}
	if rf := req.ResponseFormat; rf != nil && len(rf.Schema) > 0 {
		n += CountTokens(string(rf.Schema))
	}
	return int64(n)
}
