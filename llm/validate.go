package llm

import "fmt"

// Validate checks the invariants every provider relies on, whatever the
// transport the request came through. Errors are KindInvalidRequest with the
// offending field in Param.
func (r *Request) Validate() error {
	if r.Model == "" {
		return &Error{Kind: KindInvalidRequest, Param: "model", Message: "model is required"}
	}
	if len(r.Messages) == 0 {
		return &Error{Kind: KindInvalidRequest, Param: "messages", Message: "messages must not be empty"}
	}
	for i := range r.Messages {
		m := &r.Messages[i]
		if !m.Role.Valid() {
			return &Error{Kind: KindInvalidRequest, Param: fmt.Sprintf("messages[%d].role", i),
				Message: fmt.Sprintf("messages[%d].role: unknown role %q (want system, user, assistant or tool)", i, m.Role)}
		}
		if m.Role == RoleTool && m.ToolCallID == "" {
			return &Error{Kind: KindInvalidRequest, Param: fmt.Sprintf("messages[%d].tool_call_id", i),
				Message: fmt.Sprintf("messages[%d]: a tool message needs tool_call_id", i)}
		}
		for j := range m.Parts {
			p := &m.Parts[j]
			switch p.Type {
			case PartText:
			case PartImage:
				if p.Image == nil || (p.Image.URL == "" && len(p.Image.Data) == 0) {
					return &Error{Kind: KindInvalidRequest, Param: fmt.Sprintf("messages[%d].content[%d]", i, j),
						Message: fmt.Sprintf("messages[%d].content[%d]: an image needs a URL or data", i, j)}
				}
			default:
				return &Error{Kind: KindInvalidRequest, Param: fmt.Sprintf("messages[%d].content[%d].type", i, j),
					Message: fmt.Sprintf("messages[%d].content[%d]: unknown part type %q", i, j, p.Type)}
			}
		}
		for j := range m.ToolCalls {
			if m.ToolCalls[j].Name == "" {
				return &Error{Kind: KindInvalidRequest, Param: fmt.Sprintf("messages[%d].tool_calls[%d].function.name", i, j),
					Message: fmt.Sprintf("messages[%d].tool_calls[%d]: a tool call needs a function name", i, j)}
			}
		}
	}
	for i := range r.Tools {
		if r.Tools[i].Name == "" {
			return &Error{Kind: KindInvalidRequest, Param: fmt.Sprintf("tools[%d].function.name", i),
				Message: fmt.Sprintf("tools[%d]: a tool needs a name", i)}
		}
	}
	if tc := r.ToolChoice; tc != nil {
		switch tc.Mode {
		case ToolChoiceAuto, ToolChoiceNone, ToolChoiceRequired:
		case ToolChoiceFunction:
			if tc.Name == "" {
				return &Error{Kind: KindInvalidRequest, Param: "tool_choice", Message: "tool_choice names no function"}
			}
			if !r.hasTool(tc.Name) {
				return &Error{Kind: KindInvalidRequest, Param: "tool_choice",
					Message: fmt.Sprintf("tool_choice names function %q, which is not in tools", tc.Name)}
			}
		default:
			return &Error{Kind: KindInvalidRequest, Param: "tool_choice", Message: fmt.Sprintf("unknown tool_choice %q", tc.Mode)}
		}
		if tc.Mode != ToolChoiceNone && tc.Mode != ToolChoiceAuto && len(r.Tools) == 0 {
			return &Error{Kind: KindInvalidRequest, Param: "tool_choice", Message: "tool_choice requires tools"}
		}
	}
	if f := r.ResponseFormat; f != nil {
		switch f.Type {
		case ResponseFormatText, ResponseFormatJSONObject:
		case ResponseFormatJSONSchema:
			if len(f.Schema) == 0 {
				return &Error{Kind: KindInvalidRequest, Param: "response_format.json_schema.schema", Message: "a json_schema response format needs a schema"}
			}
		default:
			return &Error{Kind: KindInvalidRequest, Param: "response_format.type", Message: fmt.Sprintf("unknown response_format type %q", f.Type)}
		}
	}
	if r.MaxTokens != nil && *r.MaxTokens <= 0 {
		return &Error{Kind: KindInvalidRequest, Param: "max_tokens", Message: "max_tokens must be positive"}
	}
	if r.Temperature != nil && (*r.Temperature < 0 || *r.Temperature > 2) {
		return &Error{Kind: KindInvalidRequest, Param: "temperature", Message: "temperature must be between 0 and 2"}
	}
	if r.TopP != nil && (*r.TopP < 0 || *r.TopP > 1) {
		return &Error{Kind: KindInvalidRequest, Param: "top_p", Message: "top_p must be between 0 and 1"}
	}
	if r.N < 0 || r.N > 128 {
		return &Error{Kind: KindInvalidRequest, Param: "n", Message: "n must be between 1 and 128"}
	}
	if len(r.Stop) > 4 {
		return &Error{Kind: KindInvalidRequest, Param: "stop", Message: "at most 4 stop sequences"}
	}
	return nil
}

func (r *Request) hasTool(name string) bool {
	for i := range r.Tools {
		if r.Tools[i].Name == name {
			return true
		}
	}
	return false
}

// Validate checks an embeddings request.
func (r *EmbedRequest) Validate() error {
	if r.Model == "" {
		return &Error{Kind: KindInvalidRequest, Param: "model", Message: "model is required"}
	}
	if len(r.Inputs) == 0 {
		return &Error{Kind: KindInvalidRequest, Param: "input", Message: "input must not be empty"}
	}
	if r.Dimensions != nil && *r.Dimensions <= 0 {
		return &Error{Kind: KindInvalidRequest, Param: "dimensions", Message: "dimensions must be positive"}
	}
	return nil
}
