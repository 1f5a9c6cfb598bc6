package wire

import (
	"strconv"

	"github.com/switchboard-gw/switchboard/llm"
)

// legacyCallID is the id given to a legacy assistant function_call, which
// has none, so the function message answering it can refer to it as a tool
// result does.
func legacyCallID(messageIndex int) string { return "call_legacy_" + strconv.Itoa(messageIndex) }

func messagesToCanonical(msgs []Message) ([]llm.Message, error) {
	out := make([]llm.Message, len(msgs))
	// Legacy function calls waiting for their function message, by name.
	var openLegacy map[string][]string
	for i := range msgs {
		m := &msgs[i]
		path := indexPath("messages", i)
		dst := &out[i]
		dst.Name = m.Name
		var err error
		switch m.Role {
		case "system", "developer":
			dst.Role = llm.RoleSystem
			dst.Parts, err = textOnlyContent(m.Content, path, true)
		case "user":
			dst.Role = llm.RoleUser
			dst.Parts, err = userContent(m.Content, path)
		case "assistant":
			dst.Role = llm.RoleAssistant
			err = assistantToCanonical(m, dst, path)
			if err == nil && m.FunctionCall != nil {
				id := legacyCallID(i)
				dst.ToolCalls = append(dst.ToolCalls, llm.ToolCall{ID: id, Name: m.FunctionCall.Name, Arguments: argumentsOrEmpty(m.FunctionCall.Arguments)})
				if openLegacy == nil {
					openLegacy = make(map[string][]string)
				}
				openLegacy[m.FunctionCall.Name] = append(openLegacy[m.FunctionCall.Name], id)
			}
		case "tool":
			dst.Role = llm.RoleTool
			if m.ToolCallID == "" {
				return nil, missing(joinPath(path, "tool_call_id"))
			}
			dst.ToolCallID, _ = SplitToolCallID(m.ToolCallID)
			dst.Parts, err = textOnlyContent(m.Content, path, false)
		case "function":
			// The deprecated role answers the latest unanswered function_call
			// of the same name.
			dst.Role = llm.RoleTool
			ids := openLegacy[m.Name]
			if m.Name == "" {
				return nil, missing(joinPath(path, "name"))
			}
			if len(ids) == 0 {
				return nil, invalid(CodeInvalidValue, path, "function message %q does not follow an assistant function_call of that name", m.Name)
			}
			dst.ToolCallID = ids[len(ids)-1]
			openLegacy[m.Name] = ids[:len(ids)-1]
			dst.Parts, err = textOnlyContent(m.Content, path, false)
		case "":
			return nil, missing(joinPath(path, "role"))
		default:
			return nil, invalid(CodeInvalidValue, joinPath(path, "role"),
				"unknown role %q; expected system, developer, user, assistant or tool", m.Role)
		}
		if err != nil {
			return nil, err
		}
		if len(m.ToolCalls) > 0 && m.Role != "assistant" {
			return nil, invalid(CodeInvalidValue, joinPath(path, "tool_calls"), "only assistant messages can have tool calls")
		}
	}
	return out, nil
}

func assistantToCanonical(m *Message, dst *llm.Message, path string) error {
	if m.Content != nil {
		for j, p := range m.Content.Parts {
			ppath := indexPath(joinPath(path, "content"), j)
			switch p.Type {
			case "text":
				dst.Parts = append(dst.Parts, textPart(&p))
			case "refusal":
				dst.Refusal += p.Refusal
			default:
				return partTypeError(ppath, p.Type, `"text" or "refusal"`)
			}
		}
		if m.Content.Parts == nil && m.Content.Text != "" {
			dst.Parts = []llm.Part{llm.TextPart(m.Content.Text)}
		}
	}
	if m.Refusal != nil {
		dst.Refusal += *m.Refusal
	}
	if m.ReasoningContent != nil && *m.ReasoningContent != "" {
		dst.Reasoning = []llm.Reasoning{{Text: *m.ReasoningContent}}
	}
	if len(m.ToolCalls) > 0 {
		dst.ToolCalls = make([]llm.ToolCall, 0, len(m.ToolCalls))
	}
	for j := range m.ToolCalls {
		tc := &m.ToolCalls[j]
		cpath := indexPath(joinPath(path, "tool_calls"), j)
		if tc.Type != "" && tc.Type != "function" {
			return invalid(CodeUnsupported, joinPath(cpath, "type"), "only function tool calls are supported, got %q", tc.Type)
		}
		if tc.ID == "" {
			return missing(joinPath(cpath, "id"))
		}
		if tc.Function.Name == "" {
			return missing(joinPath(cpath, "function.name"))
		}
		id, sig := SplitToolCallID(tc.ID)
		dst.ToolCalls = append(dst.ToolCalls, llm.ToolCall{ID: id, Name: tc.Function.Name, Arguments: argumentsOrEmpty(tc.Function.Arguments), Signature: sig})
	}
	if m.Content == nil && len(m.ToolCalls) == 0 && m.FunctionCall == nil && dst.Refusal == "" {
		return invalid(CodeMissingParameter, joinPath(path, "content"), "an assistant message needs content or tool_calls")
	}
	return nil
}

// argumentsOrEmpty applies the canonical rule that a call without arguments
// has "{}", never "".
func argumentsOrEmpty(s string) string {
	if s == "" {
		return "{}"
	}
	return s
}

// textOnlyContent reads system, tool and function content: a string or text
// parts. required says whether null content is an error.
func textOnlyContent(c *Content, path string, required bool) ([]llm.Part, error) {
	cpath := joinPath(path, "content")
	if c == nil {
		if required {
			return nil, missing(cpath)
		}
		return nil, nil
	}
	if c.Parts == nil {
		return []llm.Part{llm.TextPart(c.Text)}, nil
	}
	parts := make([]llm.Part, 0, len(c.Parts))
	for j := range c.Parts {
		if c.Parts[j].Type != "text" {
			return nil, partTypeError(indexPath(cpath, j), c.Parts[j].Type, `"text"`)
		}
		parts = append(parts, textPart(&c.Parts[j]))
	}
	return parts, nil
}

func userContent(c *Content, path string) ([]llm.Part, error) {
	cpath := joinPath(path, "content")
	if c == nil {
		return nil, missing(cpath)
	}
	if c.Parts == nil {
		return []llm.Part{llm.TextPart(c.Text)}, nil
	}
	if len(c.Parts) == 0 {
		return nil, invalid(CodeInvalidValue, cpath, "must contain at least one content part")
	}
	parts := make([]llm.Part, 0, len(c.Parts))
	for j := range c.Parts {
		p := &c.Parts[j]
		ppath := indexPath(cpath, j)
		switch p.Type {
		case "text":
			parts = append(parts, textPart(p))
		case "image_url":
			img, err := imageToCanonical(p.ImageURL, joinPath(ppath, "image_url"))
			if err != nil {
				return nil, err
			}
			parts = append(parts, llm.Part{Type: llm.PartImage, Image: img, CacheControl: cacheControlToCanonical(p.CacheControl)})
		default:
			return nil, partTypeError(ppath, p.Type, `"text" or "image_url"`)
		}
	}
	return parts, nil
}

func partTypeError(path, got, want string) *llm.Error {
	if got == "" {
		return missing(joinPath(path, "type"))
	}
	switch got {
	case "input_audio", "file":
		return invalid(CodeUnsupported, joinPath(path, "type"), "%s content parts are not supported by the gateway", got)
	}
	return invalid(CodeInvalidValue, joinPath(path, "type"), "expected %s here, got %q", want, got)
}

func textPart(p *ContentPart) llm.Part {
	return llm.Part{Type: llm.PartText, Text: p.Text, CacheControl: cacheControlToCanonical(p.CacheControl)}
}

func cacheControlToCanonical(c *CacheControl) *llm.CacheControl {
	if c == nil {
		return nil
	}
	return &llm.CacheControl{Type: c.Type, TTL: c.TTL}
}

func imageToCanonical(u *ImageURL, path string) (*llm.Image, error) {
	if u == nil {
		return nil, missing(path)
	}
	if u.URL == "" {
		return nil, missing(joinPath(path, "url"))
	}
	switch u.Detail {
	case "", "auto", "low", "high":
	default:
		return nil, invalid(CodeInvalidValue, joinPath(path, "detail"), `must be "auto", "low" or "high", got %q`, u.Detail)
	}
	img := &llm.Image{Detail: u.Detail}
	switch {
	case hasPrefixFold(u.URL, "data:"):
		mediaType, data, err := parseDataURL(u.URL)
		if err != nil {
			return nil, invalid(CodeInvalidValue, joinPath(path, "url"), "%v", err)
		}
		img.MediaType, img.Data = mediaType, data
	case hasPrefixFold(u.URL, "https://"), hasPrefixFold(u.URL, "http://"):
		img.URL = u.URL
	default:
		return nil, invalid(CodeInvalidValue, joinPath(path, "url"), "must be an http(s) URL or a data: URL")
	}
	return img, nil
}
