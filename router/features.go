package router

import (
	"github.com/switchboard-gw/switchboard/llm"
)

// features are what content rules and strategies read from a request,
// computed at most once and only when asked for.
type features struct {
	req        *llm.Request
	embed      *llm.EmbedRequest
	tokens     int64
	complexity float64
	haveTokens bool
	haveScore  bool
}

// Token estimates: about four bytes of English per token, a fixed overhead
// per message and per tool, and a typical high-detail image.
const (
	bytesPerToken     = 4
	tokensPerMessage  = 4
	tokensPerTool     = 8
	tokensPerImage    = 765
	tokensPerToolCall = 8
)

// inputTokens estimates the prompt's tokens from its size. It is an
// estimate for routing and for metering attempts whose usage never
// arrived, not a tokenizer.
func (f *features) inputTokens() int64 {
	if f.haveTokens {
		return f.tokens
	}
	f.haveTokens = true
	f.tokens = EstimateInputTokens(f.req)
	if f.embed != nil {
		var n int64
		for _, in := range f.embed.Inputs {
			n += textTokens(len(in))
		}
		f.tokens = n
	}
	return f.tokens
}

// EstimateInputTokens estimates a request's prompt tokens from its size:
// about four bytes per token, plus a fixed overhead per message, image and
// tool.
func EstimateInputTokens(req *llm.Request) int64 {
	if req == nil {
		return 0
	}
	var n int64
	for i := range req.Messages {
		m := &req.Messages[i]
		n += tokensPerMessage
		for j := range m.Parts {
			p := &m.Parts[j]
			switch p.Type {
			case llm.PartImage:
				n += tokensPerImage
			default:
				n += textTokens(len(p.Text))
			}
		}
		for j := range m.ToolCalls {
			n += tokensPerToolCall + textTokens(len(m.ToolCalls[j].Name)+len(m.ToolCalls[j].Arguments))
		}
	}
	for i := range req.Tools {
		t := &req.Tools[i]
		n += tokensPerTool + textTokens(len(t.Name)+len(t.Description)+len(t.Parameters))
	}
	return n
}

// EstimateOutputTokens estimates the tokens of generated text.
func EstimateOutputTokens(text string) int64 { return textTokens(len(text)) }

func textTokens(bytes int) int64 { return int64((bytes + bytesPerToken - 1) / bytesPerToken) }

// hasTools reports whether the request offers tools.
func (f *features) hasTools() bool { return f.req != nil && len(f.req.Tools) > 0 }

// hasImages reports whether any message holds an image.
func (f *features) hasImages() bool {
	if f.req == nil {
		return false
	}
	for i := range f.req.Messages {
		for j := range f.req.Messages[i].Parts {
			if f.req.Messages[i].Parts[j].Type == llm.PartImage {
				return true
			}
		}
	}
	return false
}

// complexityScore is Complexity of the last user message.
func (f *features) complexityScore() float64 {
	if f.haveScore {
		return f.complexity
	}
	f.haveScore = true
	if f.req != nil {
		f.complexity = Complexity(lastUserText(f.req))
	}
	return f.complexity
}

// lastUserText returns the text of the last user message, which is what
// the caller is asking now.
func lastUserText(req *llm.Request) string {
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if m := &req.Messages[i]; m.Role == llm.RoleUser {
			return m.Text()
		}
	}
	return ""
}
