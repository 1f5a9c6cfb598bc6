package wire

import (
	"bytes"
	"encoding/json"

	"github.com/switchboard-gw/switchboard/llm"
)

// RequestOptions describes how one OpenAI-compatible vendor differs from
// OpenAI's own API. The zero value is OpenAI's API.
type RequestOptions struct {
	// MaxTokensField names the field that carries llm.Request.MaxTokens:
	// "max_completion_tokens" (OpenAI's current field, the default when empty)
	// or "max_tokens" (most compatible vendors, older deployments).
	MaxTokensField string
	// Stream asks for a streamed response (stream: true).
	Stream bool
	// OmitStreamUsage stops the request from asking for
	// stream_options.include_usage on streams, for vendors that reject the
	// field (Mistral answers 422) and report usage anyway. By default it is
	// asked for, so that every stream's usage is known.
	OmitStreamUsage bool
	// OmitReasoningEffort drops reasoning_effort for vendors that reject it.
	OmitReasoningEffort bool
	// SendCacheControl keeps cache_control on content parts (OpenRouter
	// forwards it to Anthropic models). OpenAI rejects unknown part fields,
	// so it is dropped by default.
	SendCacheControl bool
	// Provider is the provider instance name ("groq", "sim", ...). Besides
	// ProviderOptions["openai"], ProviderOptions[Provider] is merged into the
	// body, and wins over it.
	Provider string
}

func (o RequestOptions) maxTokensField() string {
	if o.MaxTokensField == "" {
		return "max_completion_tokens"
	}
	return o.MaxTokensField
}

// FromCanonicalRequest converts a canonical request into the body sent
// upstream.
//
// Provider options are merged into the top level of the marshalled body
// through ChatRequest.Extra, with this precedence (later wins):
// the typed fields converted from the canonical request, then
// ProviderOptions["openai"], then ProviderOptions[opts.Provider]. Options are
// the explicit escape hatch, so they override a converted field of the same
// name (e.g. {"max_tokens": 100} for a vendor that needs it).
//
// Errors are *llm.Error of KindInvalidRequest: content the OpenAI format
// cannot carry (images in tool results), or a provider option that is not a
// JSON object.
func FromCanonicalRequest(r *llm.Request, opts RequestOptions) (*ChatRequest, error) {
	out := &ChatRequest{
		Model:            r.Model,
		Temperature:      r.Temperature,
		TopP:             r.TopP,
		Seed:             r.Seed,
		PresencePenalty:  r.PresencePenalty,
		FrequencyPenalty: r.FrequencyPenalty,
		User:             r.User,
		Stream:           opts.Stream,
	}
	var err error
	if out.Messages, err = messagesFromCanonical(r.Messages, opts); err != nil {
		return nil, err
	}
	if len(r.Tools) > 0 {
		out.Tools = make([]Tool, len(r.Tools))
		for i := range r.Tools {
			out.Tools[i] = toolFromCanonical(&r.Tools[i])
		}
		// OpenAI rejects parallel_tool_calls without tools.
		out.ParallelToolCalls = r.ParallelToolCalls
	}
	if tc := r.ToolChoice; tc != nil {
		if tc.Mode == llm.ToolChoiceFunction {
			out.ToolChoice = &ToolChoice{Mode: "function", Function: tc.Name}
		} else if tc.Mode != "" {
			out.ToolChoice = &ToolChoice{Mode: string(tc.Mode)}
		}
	}
	out.ResponseFormat = responseFormatFromCanonical(r.ResponseFormat)
	if r.MaxTokens != nil {
		if opts.maxTokensField() == "max_tokens" {
			out.MaxTokens = r.MaxTokens
		} else {
			out.MaxCompletionTokens = r.MaxTokens
		}
	}
	if len(r.Stop) > 0 {
		out.Stop = &Stop{Values: r.Stop}
	}
	if r.N > 1 {
		n := r.N
		out.N = &n
	}
	if r.Reasoning != nil && !opts.OmitReasoningEffort {
		out.ReasoningEffort = r.Reasoning.Effort
		if out.ReasoningEffort == "" && r.Reasoning.BudgetTokens > 0 {
			out.ReasoningEffort = ReasoningEffortForBudget(r.Reasoning.BudgetTokens)
		}
	}
	if opts.Stream && !opts.OmitStreamUsage {
		out.StreamOptions = &StreamOptions{IncludeUsage: true}
	}
	if out.Extra, err = mergeProviderOptions(r.ProviderOptions, opts.Provider); err != nil {
		return nil, err
	}
	// OpenAI accepts metadata only on stored completions ("The 'metadata'
	// parameter is only allowed when 'store' is enabled"), so it is sent only
	// when the caller asked to store.
	if len(r.Metadata) > 0 && bytes.Equal(bytes.TrimSpace(out.Extra["store"]), []byte("true")) {
		out.Metadata = r.Metadata
	}
	return out, nil
}

// ReasoningEffortForBudget maps a thinking budget in tokens (Anthropic's and
// Gemini's knob) to OpenAI's reasoning_effort: up to 1024 tokens is "low", up
// to 8192 "medium", more "high".
func ReasoningEffortForBudget(budget int64) string {
	switch {
	case budget <= 1024:
		return "low"
	case budget <= 8192:
		return "medium"
	}
	return "high"
}

func mergeProviderOptions(po map[string]json.RawMessage, provider string) (map[string]json.RawMessage, error) {
	if len(po) == 0 {
		return nil, nil
	}
	keys := []string{ProviderOptionsKey}
	if provider != "" && provider != ProviderOptionsKey {
		keys = append(keys, provider)
	}
	var out map[string]json.RawMessage
	for _, key := range keys {
		raw, ok := po[key]
		if !ok {
			continue
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var m map[string]json.RawMessage
		if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
			return nil, invalid(CodeInvalidType, "provider_options."+key, "expected a JSON object")
		}
		if out == nil {
			out = m
			continue
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}

func toolFromCanonical(t *llm.Tool) Tool {
	f := Function{Name: t.Name, Description: t.Description, Parameters: t.Parameters}
	if t.Strict {
		strict := true
		f.Strict = &strict
	}
	return Tool{Type: "function", Function: f}
}

func responseFormatFromCanonical(f *llm.ResponseFormat) *ResponseFormat {
	if f == nil || f.Type == "" {
		return nil
	}
	out := &ResponseFormat{Type: string(f.Type)}
	if f.Type == llm.ResponseFormatJSONSchema {
		name := f.Name
		if name == "" {
			name = "response" // OpenAI requires a name; other formats have none
		}
		out.JSONSchema = &JSONSchema{Name: name, Description: f.Description, Schema: f.Schema}
		if f.Strict {
			strict := true
			out.JSONSchema.Strict = &strict
		}
	}
	return out
}

func messagesFromCanonical(msgs []llm.Message, opts RequestOptions) ([]Message, error) {
	out := make([]Message, 0, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		path := indexPath("messages", i)
		wm := Message{Role: string(m.Role), Name: m.Name}
		switch m.Role {
		case llm.RoleSystem, llm.RoleUser:
			c, err := contentFromCanonical(m.Parts, opts, path, m.Role == llm.RoleUser)
			if err != nil {
				return nil, err
			}
			if c == nil {
				c = &Content{}
			}
			wm.Content = c
		case llm.RoleAssistant:
			c, err := contentFromCanonical(m.Parts, opts, path, false)
			if err != nil {
				return nil, err
			}
			wm.Content = c // nil (null) when the message has only tool calls
			if m.Refusal != "" {
				refusal := m.Refusal
				wm.Refusal = &refusal
			}
			if len(m.ToolCalls) > 0 {
				wm.ToolCalls = make([]ToolCall, len(m.ToolCalls))
				for j, tc := range m.ToolCalls {
					wm.ToolCalls[j] = ToolCall{ID: tc.ID, Type: "function", Function: FunctionCall{Name: tc.Name, Arguments: argumentsOrEmpty(tc.Arguments)}}
				}
			}
			if wm.Content == nil && len(wm.ToolCalls) == 0 && wm.Refusal == nil {
				wm.Content = &Content{} // an empty turn is "", never null without calls
			}
		case llm.RoleTool:
			wm.Name = ""
			wm.ToolCallID = m.ToolCallID
			c, err := contentFromCanonical(m.Parts, opts, path, false)
			if err != nil {
				return nil, err
			}
			if c == nil {
				c = &Content{}
			}
			wm.Content = c
		default:
			return nil, invalid(CodeInvalidValue, joinPath(path, "role"), "unknown role %q", m.Role)
		}
		out = append(out, wm)
	}
	return out, nil
}

// contentFromCanonical writes a plain string when the parts are plain text
// (the form every compatible vendor accepts), and an array of parts
// otherwise. It returns nil for no parts.
func contentFromCanonical(parts []llm.Part, opts RequestOptions, path string, imagesAllowed bool) (*Content, error) {
	if len(parts) == 0 {
		return nil, nil
	}
	if len(parts) == 1 && parts[0].Type == llm.PartText && (parts[0].CacheControl == nil || !opts.SendCacheControl) {
		return &Content{Text: parts[0].Text}, nil
	}
	// Several parts: an array, so text part boundaries and images survive.
	out := &Content{Parts: make([]ContentPart, 0, len(parts))}
	for i := range parts {
		p := &parts[i]
		var cp ContentPart
		switch p.Type {
		case llm.PartText:
			cp = ContentPart{Type: "text", Text: p.Text}
		case llm.PartImage:
			if !imagesAllowed || p.Image == nil {
				return nil, invalid(CodeUnsupported, indexPath(joinPath(path, "content"), i), "this message can hold only text in the OpenAI format")
			}
			u := p.Image.URL
			if len(p.Image.Data) > 0 {
				u = dataURL(p.Image.MediaType, p.Image.Data)
			}
			cp = ContentPart{Type: "image_url", ImageURL: &ImageURL{URL: u, Detail: p.Image.Detail}}
		default:
			return nil, invalid(CodeUnsupported, indexPath(joinPath(path, "content"), i), "unsupported part type %q", p.Type)
		}
		if opts.SendCacheControl && p.CacheControl != nil {
			cp.CacheControl = &CacheControl{Type: p.CacheControl.Type, TTL: p.CacheControl.TTL}
		}
		out.Parts = append(out.Parts, cp)
	}
	return out, nil
}
