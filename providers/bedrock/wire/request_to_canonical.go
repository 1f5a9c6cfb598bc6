package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/internal/wireutil"
)

// ToCanonicalRequest converts a decoded Converse request for model (taken
// from the path) to the canonical model. It is the inverse of
// FromCanonicalRequest, used by the simulator's Bedrock dialect:
//
//   - system text blocks become one leading system message; a cachePoint
//     block marks the part before it with a cache hint (in messages and in
//     the tool list too);
//   - a user message's toolResult blocks become tool messages, in order,
//     and its other blocks user messages around them; a JSON result block
//     becomes its JSON text;
//   - an assistant message's reasoningContent blocks become Reasoning, text
//     blocks parts, toolUse blocks ToolCalls whose Arguments are the input's
//     compact JSON;
//   - toolChoice any is required, tool a function; Claude's thinking, Nova's
//     reasoningConfig and gpt-oss's reasoning_effort in
//     additionalModelRequestFields become the reasoning config;
//   - every other member (the rest of additionalModelRequestFields,
//     guardrailConfig, Extra, ...) becomes ProviderOptions["bedrock"], so that
//     it reaches a Bedrock upstream unchanged.
//
// Block types with no canonical form (document, video, guardContent, ...)
// are refused by name. Errors are *llm.Error of KindInvalidRequest.
func ToCanonicalRequest(r *ConverseRequest, model string) (*llm.Request, error) {
	if model == "" {
		return nil, wireutil.Missing("modelId")
	}
	if len(r.Messages) == 0 {
		return nil, wireutil.Invalid(CodeInvalidValue, "messages", "must contain at least one message")
	}
	out := &llm.Request{Model: model}
	if ic := r.InferenceConfig; ic != nil {
		out.MaxTokens, out.Temperature, out.TopP, out.Stop = ic.MaxTokens, ic.Temperature, ic.TopP, ic.StopSequences
	}
	msgs := make([]llm.Message, 0, len(r.Messages)+1)
	if sys, err := systemToCanonical(r.System); err != nil {
		return nil, err
	} else if sys != nil {
		msgs = append(msgs, *sys)
	}
	for i := range r.Messages {
		var err error
		if msgs, err = messageToCanonical(&r.Messages[i], wireutil.IndexPath("messages", i), msgs); err != nil {
			return nil, err
		}
	}
	out.Messages = msgs
	if err := toolConfigToCanonical(r.ToolConfig, out); err != nil {
		return nil, err
	}
	rest, err := reasoningToCanonical(r.AdditionalModelRequestFields, out)
	if err != nil {
		return nil, err
	}
	options := map[string]json.RawMessage{}
	if len(rest) > 0 {
		options["additionalModelRequestFields"], _ = json.Marshal(rest)
	}
	for name, v := range map[string]json.RawMessage{
		"guardrailConfig": r.GuardrailConfig, "performanceConfig": r.PerformanceConfig, "promptVariables": r.PromptVariables,
	} {
		if len(v) > 0 {
			options[name] = v
		}
	}
	if len(r.RequestMetadata) > 0 {
		options["requestMetadata"], _ = json.Marshal(r.RequestMetadata)
	}
	if len(r.AdditionalModelResponseFieldPaths) > 0 {
		options["additionalModelResponseFieldPaths"], _ = json.Marshal(r.AdditionalModelResponseFieldPaths)
	}
	for k, v := range r.Extra {
		options[k] = v
	}
	if len(options) > 0 {
		b, err := json.Marshal(options)
		if err != nil {
			return nil, wireutil.Invalid(CodeInvalidValue, "", "unsupported extra fields: %v", err)
		}
		out.ProviderOptions = map[string]json.RawMessage{ProviderOptionsKey: b}
	}
	return out, nil
}

var ephemeral = &llm.CacheControl{Type: "ephemeral"}

func systemToCanonical(blocks []SystemContentBlock) (*llm.Message, error) {
	if len(blocks) == 0 {
		return nil, nil
	}
	m := &llm.Message{Role: llm.RoleSystem}
	for i := range blocks {
		b := &blocks[i]
		path := wireutil.IndexPath("system", i)
		switch {
		case b.CachePoint != nil:
			if len(m.Parts) == 0 {
				return nil, wireutil.Invalid(CodeInvalidValue, wireutil.JoinPath(path, "cachePoint"), "a cache point must follow content")
			}
			m.Parts[len(m.Parts)-1].CacheControl = ephemeral
		case b.GuardContent != nil:
			return nil, wireutil.Invalid(CodeUnsupported, wireutil.JoinPath(path, "guardContent"), "guardContent blocks are not supported by the gateway")
		default:
			m.Parts = append(m.Parts, llm.TextPart(b.Text))
		}
	}
	return m, nil
}

// messageToCanonical appends the canonical messages of one wire message.
func messageToCanonical(m *Message, path string, dst []llm.Message) ([]llm.Message, error) {
	if len(m.Content) == 0 {
		return nil, wireutil.Invalid(CodeInvalidValue, wireutil.JoinPath(path, "content"), "must contain at least one content block")
	}
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
	start := len(dst)
	var user *llm.Message // the user message being filled, between tool results
	for j := range m.Content {
		b := &m.Content[j]
		bpath := wireutil.IndexPath(wireutil.JoinPath(path, "content"), j)
		switch kind := b.Kind(); kind {
		case BlockToolResult:
			tm, err := toolResultToCanonical(b.ToolResult, wireutil.JoinPath(bpath, kind))
			if err != nil {
				return nil, err
			}
			dst = append(dst, tm)
			user = nil
		case BlockCachePoint:
			if len(dst) > start {
				markCache(&dst[len(dst)-1])
			}
		case BlockText, BlockImage:
			p, err := partToCanonical(b, bpath)
			if err != nil {
				return nil, err
			}
			if user == nil {
				dst = append(dst, llm.Message{Role: llm.RoleUser})
				user = &dst[len(dst)-1]
			}
			user.Parts = append(user.Parts, p)
		default:
			return nil, unsupportedBlock(bpath, kind)
		}
	}
	return dst, nil
}

func unsupportedBlock(path, kind string) *llm.Error {
	return wireutil.Invalid(CodeUnsupported, wireutil.JoinPath(path, kind), "%s blocks are not supported by the gateway", kind)
}

// markCache puts the cache hint of a cachePoint block on the part before
// it. A cache point after a tool call has no canonical place and is
// dropped.
func markCache(m *llm.Message) {
	if len(m.Parts) > 0 {
		m.Parts[len(m.Parts)-1].CacheControl = ephemeral
	}
}

func partToCanonical(b *ContentBlock, path string) (llm.Part, error) {
	if b.Image != nil {
		img, err := imageToCanonical(b.Image, wireutil.JoinPath(path, BlockImage))
		if err != nil {
			return llm.Part{}, err
		}
		return llm.Part{Type: llm.PartImage, Image: img}, nil
	}
	return llm.TextPart(b.Text), nil
}

func toolResultToCanonical(tr *ToolResultBlock, path string) (llm.Message, error) {
	if tr.ToolUseID == "" {
		return llm.Message{}, wireutil.Missing(wireutil.JoinPath(path, "toolUseId"))
	}
	m := llm.Message{Role: llm.RoleTool, ToolCallID: tr.ToolUseID}
	for k := range tr.Content {
		c := &tr.Content[k]
		cpath := wireutil.IndexPath(wireutil.JoinPath(path, "content"), k)
		switch {
		case c.Image != nil:
			img, err := imageToCanonical(c.Image, wireutil.JoinPath(cpath, BlockImage))
			if err != nil {
				return llm.Message{}, err
			}
			m.Parts = append(m.Parts, llm.Part{Type: llm.PartImage, Image: img})
		case len(c.JSON) > 0:
			var b bytes.Buffer
			if err := json.Compact(&b, c.JSON); err != nil {
				return llm.Message{}, wireutil.Invalid(CodeInvalidJSON, wireutil.JoinPath(cpath, "json"), "invalid JSON: %v", err)
			}
			m.Parts = append(m.Parts, llm.TextPart(b.String()))
		case c.Document != nil:
			return llm.Message{}, unsupportedBlock(cpath, "document")
		default:
			m.Parts = append(m.Parts, llm.TextPart(c.Text))
		}
	}
	return m, nil
}

func assistantToCanonical(m *Message, path string) (llm.Message, error) {
	out := llm.Message{Role: llm.RoleAssistant}
	for j := range m.Content {
		b := &m.Content[j]
		bpath := wireutil.IndexPath(wireutil.JoinPath(path, "content"), j)
		switch kind := b.Kind(); kind {
		case BlockText:
			out.Parts = append(out.Parts, llm.TextPart(b.Text))
		case BlockCachePoint:
			markCache(&out)
		case BlockReasoningContent:
			rc := b.ReasoningContent
			switch {
			case len(rc.RedactedContent) > 0:
				out.Reasoning = append(out.Reasoning, llm.Reasoning{Redacted: base64.StdEncoding.EncodeToString(rc.RedactedContent)})
			case rc.ReasoningText != nil:
				out.Reasoning = append(out.Reasoning, llm.Reasoning{Text: rc.ReasoningText.Text, Signature: rc.ReasoningText.Signature})
			default:
				return llm.Message{}, wireutil.Missing(wireutil.JoinPath(bpath, "reasoningContent.reasoningText"))
			}
		case BlockToolUse:
			tu := b.ToolUse
			if tu.ToolUseID == "" {
				return llm.Message{}, wireutil.Missing(wireutil.JoinPath(bpath, "toolUse.toolUseId"))
			}
			if tu.Name == "" {
				return llm.Message{}, wireutil.Missing(wireutil.JoinPath(bpath, "toolUse.name"))
			}
			args, err := inputToArguments(tu.Input, wireutil.JoinPath(bpath, "toolUse.input"))
			if err != nil {
				return llm.Message{}, err
			}
			out.ToolCalls = append(out.ToolCalls, llm.ToolCall{ID: tu.ToolUseID, Name: tu.Name, Arguments: args})
		default:
			return llm.Message{}, unsupportedBlock(bpath, kind)
		}
	}
	return out, nil
}

// inputToArguments writes a toolUse input as canonical Arguments: compact
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

func toolConfigToCanonical(tc *ToolConfig, out *llm.Request) error {
	if tc == nil {
		return nil
	}
	for i := range tc.Tools {
		t := &tc.Tools[i]
		path := wireutil.IndexPath("toolConfig.tools", i)
		switch {
		case t.CachePoint != nil:
			if len(out.Tools) == 0 {
				return wireutil.Invalid(CodeInvalidValue, wireutil.JoinPath(path, "cachePoint"), "a cache point must follow a tool")
			}
			out.Tools[len(out.Tools)-1].CacheControl = ephemeral
		case t.ToolSpec != nil:
			s := t.ToolSpec
			if s.Name == "" {
				return wireutil.Missing(wireutil.JoinPath(path, "toolSpec.name"))
			}
			schema := bytes.TrimSpace(s.InputSchema.JSON)
			if len(schema) == 0 || schema[0] != '{' {
				return wireutil.Invalid(CodeInvalidType, wireutil.JoinPath(path, "toolSpec.inputSchema.json"), "expected a JSON Schema object, got %s", wireutil.JSONKind(schema))
			}
			out.Tools = append(out.Tools, llm.Tool{Name: s.Name, Description: s.Description, Parameters: s.InputSchema.JSON})
		default:
			return wireutil.Invalid(CodeInvalidValue, path, "expected toolSpec or cachePoint")
		}
	}
	c := tc.ToolChoice
	switch {
	case c == nil:
	case c.Auto != nil:
		out.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceAuto}
	case c.Any != nil:
		out.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceRequired}
	case c.Tool != nil:
		for i := range out.Tools {
			if out.Tools[i].Name == c.Tool.Name {
				out.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: c.Tool.Name}
				return nil
			}
		}
		return wireutil.Invalid(CodeInvalidValue, "toolConfig.toolChoice.tool.name", "no tool named %q in toolConfig.tools", c.Tool.Name)
	default:
		return wireutil.Invalid(CodeInvalidValue, "toolConfig.toolChoice", "expected auto, any or tool")
	}
	return nil
}

// reasoningToCanonical reads the reasoning settings out of
// additionalModelRequestFields and returns the other members.
func reasoningToCanonical(fields map[string]json.RawMessage, out *llm.Request) (map[string]json.RawMessage, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	rest := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		rest[k] = v
	}
	if raw, ok := rest["thinking"]; ok {
		var t struct {
			Type         string `json:"type"`
			BudgetTokens int64  `json:"budget_tokens"`
		}
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, wireutil.Invalid(CodeInvalidType, "additionalModelRequestFields.thinking", "expected an object")
		}
		if t.Type == "enabled" {
			out.Reasoning = &llm.ReasoningConfig{BudgetTokens: t.BudgetTokens}
			delete(rest, "thinking")
		}
	}
	if raw, ok := rest["reasoningConfig"]; ok {
		var rc struct {
			Type   string `json:"type"`
			Effort string `json:"maxReasoningEffort"`
		}
		if err := json.Unmarshal(raw, &rc); err != nil {
			return nil, wireutil.Invalid(CodeInvalidType, "additionalModelRequestFields.reasoningConfig", "expected an object")
		}
		if rc.Type == "enabled" {
			out.Reasoning = &llm.ReasoningConfig{Effort: rc.Effort}
			delete(rest, "reasoningConfig")
		}
	}
	if raw, ok := rest["reasoning_effort"]; ok {
		var effort string
		if json.Unmarshal(raw, &effort) == nil && effort != "" {
			out.Reasoning = &llm.ReasoningConfig{Effort: effort}
			delete(rest, "reasoning_effort")
		}
	}
	return rest, nil
}
