package wire

import (
	"bytes"
	"encoding/json"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/internal/wireutil"
)

// ToCanonicalRequest converts a decoded Messages request (from a client of
// an Anthropic-shaped endpoint, or received by the simulator) to the
// canonical model:
//
//   - system becomes one leading system message (a part per block);
//   - a user message's tool_result blocks become tool messages, in order,
//     and its other blocks user messages around them;
//   - an assistant message's thinking and redacted_thinking blocks become
//     Reasoning, text blocks parts, tool_use blocks ToolCalls whose Arguments
//     are the input's JSON text;
//   - tool_choice any is required, tool a function, disable_parallel_tool_use
//     ParallelToolCalls=false; thinking enabled is a reasoning budget;
//     output_config.format a json_schema response format;
//   - the fields without a canonical counterpart (Extra, and output_config's
//     other members) become ProviderOptions["anthropic"], so that they reach
//     an Anthropic upstream unchanged.
//
// Errors are *llm.Error of KindInvalidRequest naming the field.
func ToCanonicalRequest(r *MessagesRequest) (*llm.Request, error) {
	if r.Model == "" {
		return nil, wireutil.Missing("model")
	}
	if r.MaxTokens == nil {
		return nil, wireutil.Missing("max_tokens")
	}
	if *r.MaxTokens < 1 {
		return nil, wireutil.Invalid(CodeInvalidValue, "max_tokens", "must be at least 1, got %d", *r.MaxTokens)
	}
	if len(r.Messages) == 0 {
		return nil, wireutil.Invalid(CodeInvalidValue, "messages", "must contain at least one message")
	}
	out := &llm.Request{
		Model:       r.Model,
		Temperature: r.Temperature,
		TopP:        r.TopP,
		MaxTokens:   r.MaxTokens,
		Stop:        r.StopSequences,
	}
	if r.Metadata != nil {
		out.User = r.Metadata.UserID
	}
	msgs := make([]llm.Message, 0, len(r.Messages)+1)
	if r.System != nil {
		sys, err := systemToCanonical(r.System)
		if err != nil {
			return nil, err
		}
		if sys != nil {
			msgs = append(msgs, *sys)
		}
	}
	for i := range r.Messages {
		var err error
		if msgs, err = messageToCanonical(&r.Messages[i], wireutil.IndexPath("messages", i), msgs); err != nil {
			return nil, err
		}
	}
	out.Messages = msgs
	var err error
	if out.Tools, err = toolsToCanonical(r.Tools); err != nil {
		return nil, err
	}
	if err := toolChoiceToCanonical(r.ToolChoice, out); err != nil {
		return nil, err
	}
	if t := r.Thinking; t != nil {
		switch t.Type {
		case "enabled":
			if t.BudgetTokens < MinThinkingBudget {
				return nil, wireutil.Invalid(CodeInvalidValue, "thinking.budget_tokens", "must be at least %d, got %d", MinThinkingBudget, t.BudgetTokens)
			}
			out.Reasoning = &llm.ReasoningConfig{BudgetTokens: t.BudgetTokens}
		case "disabled":
		default:
			return nil, wireutil.Invalid(CodeInvalidValue, "thinking.type", `expected "enabled" or "disabled", got %q`, t.Type)
		}
	}
	extra := r.Extra
	if oc := r.OutputConfig; oc != nil {
		if f := oc.Format; f != nil {
			if f.Type != "json_schema" {
				return nil, wireutil.Invalid(CodeInvalidValue, "output_config.format.type", `expected "json_schema", got %q`, f.Type)
			}
			if len(bytes.TrimSpace(f.Schema)) == 0 || f.Schema[0] != '{' {
				return nil, wireutil.Missing("output_config.format.schema")
			}
			out.ResponseFormat = &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema, Schema: f.Schema}
		}
		if len(oc.Extra) > 0 {
			b, err := json.Marshal(oc.Extra)
			if err != nil {
				return nil, wireutil.Invalid(CodeInvalidValue, "output_config", "%v", err)
			}
			extra = withMember(extra, "output_config", b)
		}
	}
	if len(extra) > 0 {
		b, err := json.Marshal(extra)
		if err != nil {
			return nil, wireutil.Invalid(CodeInvalidValue, "", "unsupported extra fields: %v", err)
		}
		out.ProviderOptions = map[string]json.RawMessage{ProviderOptionsKey: b}
	}
	return out, nil
}

// withMember returns a copy of m with k set to v.
func withMember(m map[string]json.RawMessage, k string, v json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(m)+1)
	for mk, mv := range m {
		out[mk] = mv
	}
	out[k] = v
	return out
}

func systemToCanonical(s *System) (*llm.Message, error) {
	if s.Blocks == nil {
		if s.Text == "" {
			return nil, nil
		}
		return &llm.Message{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart(s.Text)}}, nil
	}
	m := &llm.Message{Role: llm.RoleSystem, Parts: make([]llm.Part, 0, len(s.Blocks))}
	for i := range s.Blocks {
		b := &s.Blocks[i]
		if b.Type != BlockText {
			return nil, wireutil.Invalid(CodeInvalidValue, wireutil.IndexPath("system", i)+".type", `expected "text", got %q`, b.Type)
		}
		m.Parts = append(m.Parts, llm.Part{Type: llm.PartText, Text: b.Text, CacheControl: cacheControlToCanonical(b.CacheControl)})
	}
	if len(m.Parts) == 0 {
		return nil, nil
	}
	return m, nil
}

// messageToCanonical appends the canonical messages of one wire message.
func messageToCanonical(m *Message, path string, dst []llm.Message) ([]llm.Message, error) {
	switch m.Role {
	case "user":
		return userToCanonical(m, path, dst)
	case "assistant":
		am, err := assistantToCanonical(m, path)
		if err != nil {
			return nil, err
		}
		return append(dst, am), nil
	case "":
		return nil, wireutil.Missing(wireutil.JoinPath(path, "role"))
	}
	return nil, wireutil.Invalid(CodeInvalidValue, wireutil.JoinPath(path, "role"), `expected "user" or "assistant", got %q`, m.Role)
}

func userToCanonical(m *Message, path string, dst []llm.Message) ([]llm.Message, error) {
	if m.Content.Blocks == nil {
		return append(dst, llm.Message{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(m.Content.Text)}}), nil
	}
	if len(m.Content.Blocks) == 0 {
		return nil, wireutil.Invalid(CodeInvalidValue, wireutil.JoinPath(path, "content"), "must contain at least one content block")
	}
	var user *llm.Message // the user message being filled, between tool results
	for j := range m.Content.Blocks {
		b := &m.Content.Blocks[j]
		bpath := wireutil.IndexPath(wireutil.JoinPath(path, "content"), j)
		if b.Type == BlockToolResult {
			tm, err := toolResultToCanonical(b, bpath)
			if err != nil {
				return nil, err
			}
			dst = append(dst, tm)
			user = nil
			continue
		}
		p, err := userBlockToCanonical(b, bpath)
		if err != nil {
			return nil, err
		}
		if user == nil {
			dst = append(dst, llm.Message{Role: llm.RoleUser})
			user = &dst[len(dst)-1]
		}
		user.Parts = append(user.Parts, p)
	}
	return dst, nil
}

func userBlockToCanonical(b *ContentBlock, path string) (llm.Part, error) {
	switch b.Type {
	case BlockText:
		return llm.Part{Type: llm.PartText, Text: b.Text, CacheControl: cacheControlToCanonical(b.CacheControl)}, nil
	case BlockImage:
		img, err := imageToCanonical(b.Source, path)
		if err != nil {
			return llm.Part{}, err
		}
		return llm.Part{Type: llm.PartImage, Image: img, CacheControl: cacheControlToCanonical(b.CacheControl)}, nil
	case "":
		return llm.Part{}, wireutil.Missing(wireutil.JoinPath(path, "type"))
	}
	return llm.Part{}, wireutil.Invalid(CodeUnsupported, wireutil.JoinPath(path, "type"), "%q blocks are not supported by the gateway; expected text, image or tool_result", b.Type)
}

func toolResultToCanonical(b *ContentBlock, path string) (llm.Message, error) {
	if b.ToolUseID == "" {
		return llm.Message{}, wireutil.Missing(wireutil.JoinPath(path, "tool_use_id"))
	}
	m := llm.Message{Role: llm.RoleTool, ToolCallID: b.ToolUseID}
	if c := b.Content; c != nil {
		if c.Blocks == nil {
			m.Parts = []llm.Part{llm.TextPart(c.Text)}
		}
		for k := range c.Blocks {
			p, err := userBlockToCanonical(&c.Blocks[k], wireutil.IndexPath(wireutil.JoinPath(path, "content"), k))
			if err != nil {
				return llm.Message{}, err
			}
			m.Parts = append(m.Parts, p)
		}
	}
	return m, nil
}

func assistantToCanonical(m *Message, path string) (llm.Message, error) {
	out := llm.Message{Role: llm.RoleAssistant}
	if m.Content.Blocks == nil {
		if m.Content.Text != "" {
			out.Parts = []llm.Part{llm.TextPart(m.Content.Text)}
		}
		return out, nil
	}
	for j := range m.Content.Blocks {
		b := &m.Content.Blocks[j]
		bpath := wireutil.IndexPath(wireutil.JoinPath(path, "content"), j)
		switch b.Type {
		case BlockText:
			out.Parts = append(out.Parts, llm.Part{Type: llm.PartText, Text: b.Text, CacheControl: cacheControlToCanonical(b.CacheControl)})
		case BlockThinking:
			out.Reasoning = append(out.Reasoning, llm.Reasoning{Text: b.Thinking, Signature: b.Signature})
		case BlockRedactedThinking:
			out.Reasoning = append(out.Reasoning, llm.Reasoning{Redacted: b.Data})
		case BlockToolUse:
			if b.ID == "" {
				return llm.Message{}, wireutil.Missing(wireutil.JoinPath(bpath, "id"))
			}
			if b.Name == "" {
				return llm.Message{}, wireutil.Missing(wireutil.JoinPath(bpath, "name"))
			}
			args, err := inputToArguments(b.Input, wireutil.JoinPath(bpath, "input"))
			if err != nil {
				return llm.Message{}, err
			}
			out.ToolCalls = append(out.ToolCalls, llm.ToolCall{ID: b.ID, Name: b.Name, Arguments: args})
		case "":
			return llm.Message{}, wireutil.Missing(wireutil.JoinPath(bpath, "type"))
		default:
			return llm.Message{}, wireutil.Invalid(CodeUnsupported, wireutil.JoinPath(bpath, "type"),
				"%q blocks are not supported by the gateway; expected text, thinking, redacted_thinking or tool_use", b.Type)
		}
	}
	return out, nil
}

// inputToArguments writes a tool_use input as canonical Arguments: compact
// JSON, "{}" when absent.
func inputToArguments(input json.RawMessage, path string) (string, error) {
	input = bytes.TrimSpace(input)
	if len(input) == 0 || string(input) == "null" {
		return "{}", nil
	}
	if input[0] != '{' {
		return "", wireutil.Invalid(CodeInvalidType, path, "expected an object, got %s", wireutil.JSONKind(input))
	}
	var b bytes.Buffer
	b.Grow(len(input))
	if err := json.Compact(&b, input); err != nil {
		return "", wireutil.Invalid(CodeInvalidJSON, path, "invalid JSON: %v", err)
	}
	return b.String(), nil
}

func toolsToCanonical(tools []Tool) ([]llm.Tool, error) {
	if len(tools) == 0 {
		return nil, nil
	}
	out := make([]llm.Tool, len(tools))
	for i := range tools {
		t := &tools[i]
		path := wireutil.IndexPath("tools", i)
		if t.Type != "" && t.Type != "custom" {
			return nil, wireutil.Invalid(CodeUnsupported, wireutil.JoinPath(path, "type"), "server tools (%q) are not supported by the gateway", t.Type)
		}
		if t.Name == "" {
			return nil, wireutil.Missing(wireutil.JoinPath(path, "name"))
		}
		schema := bytes.TrimSpace(t.InputSchema)
		if len(schema) == 0 || string(schema) == "null" {
			return nil, wireutil.Missing(wireutil.JoinPath(path, "input_schema"))
		}
		if schema[0] != '{' {
			return nil, wireutil.Invalid(CodeInvalidType, wireutil.JoinPath(path, "input_schema"), "expected a JSON Schema object, got %s", wireutil.JSONKind(schema))
		}
		out[i] = llm.Tool{Name: t.Name, Description: t.Description, Parameters: t.InputSchema, CacheControl: cacheControlToCanonical(t.CacheControl)}
	}
	return out, nil
}

func toolChoiceToCanonical(tc *ToolChoice, out *llm.Request) error {
	if tc == nil {
		return nil
	}
	if tc.DisableParallelToolUse != nil && *tc.DisableParallelToolUse {
		parallel := false
		out.ParallelToolCalls = &parallel
	}
	switch tc.Type {
	case ChoiceAuto:
		out.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceAuto}
	case ChoiceAny:
		out.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceRequired}
	case ChoiceNone:
		out.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceNone}
	case ChoiceTool:
		if tc.Name == "" {
			return wireutil.Missing("tool_choice.name")
		}
		for i := range out.Tools {
			if out.Tools[i].Name == tc.Name {
				out.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: tc.Name}
				return nil
			}
		}
		return wireutil.Invalid(CodeInvalidValue, "tool_choice.name", "no tool named %q in tools", tc.Name)
	case "":
		return wireutil.Missing("tool_choice.type")
	default:
		return wireutil.Invalid(CodeInvalidValue, "tool_choice.type", `expected "auto", "any", "tool" or "none", got %q`, tc.Type)
	}
	if tc.Type != ChoiceNone && tc.Type != ChoiceAuto && len(out.Tools) == 0 {
		return wireutil.Invalid(CodeInvalidValue, "tool_choice", "%q needs at least one tool in tools", tc.Type)
	}
	return nil
}

func cacheControlToCanonical(c *CacheControl) *llm.CacheControl {
	if c == nil {
		return nil
	}
	return &llm.CacheControl{Type: c.Type, TTL: c.TTL}
}
