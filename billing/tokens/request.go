package tokens

import "github.com/switchboard-gw/switchboard/llm"

// Chat framing, from OpenAI's cookbook ("How to count tokens with
// tiktoken"): every message is wrapped in a few tokens besides its role
// and content, a name costs one more, and the reply is primed with three.
// Tools are not in the cookbook's simple formula; each is counted as its
// name, description and JSON schema plus a fixed wrapper.
const (
	tokensPerMessage = 3
	tokensPerName    = 1
	tokensPerReply   = 3
	tokensPerTool    = 8
	// Images: OpenAI's low-detail cost, and the high-detail cost of a
	// 1024x1024 image (the size of an image is not known here).
	tokensPerLowDetailImage = 85
	tokensPerImage          = 765
)

// CountRequest returns the prompt tokens of req for model on vendor: its
// messages (role, content, name, tool calls, tool results, reasoning sent
// back), its tools and its response schema, with the chat framing of
// OpenAI's cookbook. It is exact for OpenAI's models as far as the
// cookbook's formula is (text messages; tools are approximated), and an
// estimate for others.
func (c *Counter) CountRequest(vendor, model string, req *llm.Request) int64 {
	if req == nil {
		return 0
	}
	text := func(s string) int64 {
		n, _ := c.CountText(vendor, model, s)
		return n
	}
	n := int64(tokensPerReply)
	for i := range req.Messages {
		m := &req.Messages[i]
		n += tokensPerMessage + text(string(m.Role))
		for j := range m.Parts {
			switch p := &m.Parts[j]; p.Type {
			case llm.PartImage:
				if p.Image != nil && p.Image.Detail == "low" {
					n += tokensPerLowDetailImage
				} else {
					n += tokensPerImage
				}
			default:
				n += text(p.Text)
			}
		}
		if m.Name != "" {
			n += tokensPerName + text(m.Name)
		}
		for k := range m.ToolCalls {
			n += text(m.ToolCalls[k].Name) + text(m.ToolCalls[k].Arguments)
		}
		if m.ToolCallID != "" {
			n += text(m.ToolCallID)
		}
		for k := range m.Reasoning {
			n += text(m.Reasoning[k].Text)
		}
		n += text(m.Refusal)
	}
	for i := range req.Tools {
		t := &req.Tools[i]
		n += tokensPerTool + text(t.Name) + text(t.Description) + text(string(t.Parameters))
	}
	if rf := req.ResponseFormat; rf != nil && len(rf.Schema) > 0 {
		n += text(string(rf.Schema))
	}
	return n
}
