package wire

import (
	"bytes"
	"encoding/json"

	"github.com/switchboard-gw/switchboard/llm"
)

// contentsToCanonical reads the system instruction and the contents back
// into canonical messages. Function calls without ids get CallID's; a
// function response without an id answers the first unanswered call of the
// same name in the model turn before it.
func contentsToCanonical(system *Content, contents []Content) ([]llm.Message, error) {
	msgs := make([]llm.Message, 0, len(contents)+1)
	if system != nil && len(system.Parts) > 0 {
		m := llm.Message{Role: llm.RoleSystem}
		for j := range system.Parts {
			p := &system.Parts[j]
			if p.Text == nil {
				return nil, invalid(indexPath("system_instruction.parts", j), "system_instruction.parts[%d]: only text is supported in the system instruction", j)
			}
			m.Parts = append(m.Parts, llm.TextPart(*p.Text))
		}
		msgs = append(msgs, m)
	}
	var open []pendingCall // the calls of the latest model turn
	for i := range contents {
		c := &contents[i]
		path := indexPath("contents", i)
		if len(c.Parts) == 0 {
			return nil, invalid(joinPath(path, "parts"), "* GenerateContentRequest.%s.parts: contents.parts must not be empty.", path)
		}
		switch c.Role {
		case RoleModel:
			m, calls, err := modelContentToCanonical(c, path)
			if err != nil {
				return nil, err
			}
			msgs = append(msgs, m)
			open = calls
		case RoleUser, "", "function":
			var err error
			if msgs, err = userContentToCanonical(c, path, msgs, open); err != nil {
				return nil, err
			}
		default:
			return nil, invalid(joinPath(path, "role"), "Please use a valid role: user, model.")
		}
	}
	return msgs, nil
}

type pendingCall struct {
	id, name string
	answered bool
}

func modelContentToCanonical(c *Content, path string) (llm.Message, []pendingCall, error) {
	m := llm.Message{Role: llm.RoleAssistant}
	var calls []pendingCall
	for j := range c.Parts {
		p := &c.Parts[j]
		switch {
		case p.FunctionCall != nil:
			tc := toolCallToCanonical(p, 0, len(m.ToolCalls))
			m.ToolCalls = append(m.ToolCalls, tc)
			calls = append(calls, pendingCall{id: tc.ID, name: tc.Name})
		case p.Text != nil && p.Thought:
			m.Reasoning = append(m.Reasoning, llm.Reasoning{Text: *p.Text, Signature: p.ThoughtSignature})
		case p.Text != nil:
			m.Parts = append(m.Parts, llm.Part{Type: llm.PartText, Text: *p.Text, Signature: p.ThoughtSignature})
		case p.InlineData != nil || p.FileData != nil:
			part, err := mediaToCanonical(p, indexPath(joinPath(path, "parts"), j))
			if err != nil {
				return m, nil, err
			}
			m.Parts = append(m.Parts, part)
		case p.FunctionResponse != nil:
			return m, nil, invalid(indexPath(joinPath(path, "parts"), j), "a function response must be in a user turn")
		}
	}
	return m, calls, nil
}

// toolCallToCanonical converts a functionCall part of the given candidate,
// the ordinal-th call in it.
func toolCallToCanonical(p *Part, candidate, ordinal int) llm.ToolCall {
	fc := p.FunctionCall
	args := bytes.TrimSpace(fc.Args)
	if len(args) == 0 || string(args) == "null" {
		args = []byte("{}")
	} else {
		args = compactJSON(args)
	}
	id := fc.ID
	if id == "" {
		id = CallID(fc.Name, args, candidate, ordinal)
	}
	return llm.ToolCall{ID: id, Name: fc.Name, Arguments: string(args), Signature: p.ThoughtSignature}
}

func userContentToCanonical(c *Content, path string, msgs []llm.Message, open []pendingCall) ([]llm.Message, error) {
	user := llm.Message{Role: llm.RoleUser}
	flush := func() {
		if len(user.Parts) > 0 {
			msgs = append(msgs, user)
			user = llm.Message{Role: llm.RoleUser}
		}
	}
	for j := range c.Parts {
		p := &c.Parts[j]
		pp := indexPath(joinPath(path, "parts"), j)
		switch {
		case p.FunctionResponse != nil:
			flush()
			fr := p.FunctionResponse
			if fr.Name == "" {
				return nil, invalid(joinPath(pp, "function_response.name"), "* GenerateContentRequest.%s.function_response.name: Name cannot be empty.", pp)
			}
			msgs = append(msgs, llm.Message{
				Role:       llm.RoleTool,
				ToolCallID: answeredCall(open, fr, j),
				Parts:      []llm.Part{llm.TextPart(textFromResponse(fr.Response))},
			})
		case p.Text != nil:
			user.Parts = append(user.Parts, llm.Part{Type: llm.PartText, Text: *p.Text, Signature: p.ThoughtSignature})
		case p.InlineData != nil || p.FileData != nil:
			part, err := mediaToCanonical(p, pp)
			if err != nil {
				return nil, err
			}
			user.Parts = append(user.Parts, part)
		case p.FunctionCall != nil:
			return nil, invalid(pp, "a function call must be in a model turn")
		}
	}
	flush()
	return msgs, nil
}

// answeredCall returns the id of the call a function response answers.
func answeredCall(open []pendingCall, fr *FunctionResponse, ordinal int) string {
	if fr.ID != "" {
		return fr.ID
	}
	for k := range open {
		if !open[k].answered && open[k].name == fr.Name {
			open[k].answered = true
			return open[k].id
		}
	}
	// A response to no visible call (the history was trimmed): an id of its
	// own, so that the canonical message is still well-formed.
	return CallID(fr.Name, nil, -1, ordinal)
}

// textFromResponse is the tool result text of a functionResponse.response:
// the JSON text of the object, or, for the {"result": v} wrapping of a
// non-object, v's text.
func textFromResponse(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var m map[string]json.RawMessage
	if raw[0] == '{' && json.Unmarshal(raw, &m) == nil && len(m) == 1 {
		if v, ok := m["result"]; ok {
			v = bytes.TrimSpace(v)
			if len(v) > 0 && v[0] != '{' {
				if v[0] == '"' {
					var s string
					if json.Unmarshal(v, &s) == nil {
						return s
					}
				}
				return string(compactJSON(v))
			}
		}
	}
	return string(compactJSON(raw))
}

func mediaToCanonical(p *Part, path string) (llm.Part, error) {
	if f := p.FileData; f != nil {
		if f.FileURI == "" {
			return llm.Part{}, invalid(joinPath(path, "file_data.file_uri"), "* GenerateContentRequest.%s.file_data.file_uri: Required field is not set.", path)
		}
		return llm.Part{Type: llm.PartImage, Image: &llm.Image{URL: f.FileURI, MediaType: f.MimeType}, Signature: p.ThoughtSignature}, nil
	}
	b := p.InlineData
	data, err := decodeBase64(b.Data)
	if err != nil || len(data) == 0 {
		return llm.Part{}, invalid(joinPath(path, "inline_data.data"), "Invalid value at '%s.inline_data.data' (TYPE_BYTES), Base64 decoding failed", path)
	}
	if b.MimeType == "" {
		return llm.Part{}, invalid(joinPath(path, "inline_data.mime_type"), "* GenerateContentRequest.%s.inline_data.mime_type: Required field is not set.", path)
	}
	return llm.Part{Type: llm.PartImage, Image: &llm.Image{MediaType: b.MimeType, Data: data}, Signature: p.ThoughtSignature}, nil
}
