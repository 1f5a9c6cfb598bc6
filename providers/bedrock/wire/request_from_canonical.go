package wire

import (
	"bytes"
	"encoding/json"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/internal/wireutil"
)

// ProviderOptionsKey is the key of llm.Request.ProviderOptions that holds
// Converse members with no canonical field (additionalModelRequestFields,
// guardrailConfig, performanceConfig, requestMetadata, ...).
const ProviderOptionsKey = "bedrock"

// AnswerToolName is the tool that carries a JSON response format.
const AnswerToolName = "json_response"

// RequestOptions configures FromCanonicalRequest.
type RequestOptions struct {
	// Provider is the provider instance name. Besides
	// ProviderOptions["bedrock"], ProviderOptions[Provider] is merged into
	// the body, and wins over it.
	Provider string
	// DefaultMaxTokens is maxTokens when the request has none and Claude's
	// thinking needs one (thinking's budget must fit under it); 0 means
	// DefaultMaxTokens. Without thinking a request with no max_tokens sends
	// none, and the model's default applies.
	DefaultMaxTokens int64
}

// DefaultMaxTokens is the maxTokens sent with Claude thinking when the
// request has none: the budget is added to it.
const DefaultMaxTokens = 4096

// FromCanonicalRequest converts a canonical request into the Converse body;
// see the package documentation for the mapping. The model is not part of
// the body: it goes in the path.
//
// Errors are *llm.Error of KindInvalidRequest naming the field.
func FromCanonicalRequest(r *llm.Request, opts RequestOptions) (*ConverseRequest, error) {
	if r.N > 1 {
		return nil, wireutil.Invalid(CodeUnsupported, "n", "Bedrock returns one choice per request; n must be 1")
	}
	out := &ConverseRequest{
		InferenceConfig: &InferenceConfig{
			MaxTokens:     r.MaxTokens,
			Temperature:   r.Temperature,
			TopP:          r.TopP,
			StopSequences: r.Stop,
		},
	}
	var err error
	if out.System, out.Messages, err = messagesFromCanonical(r.Messages); err != nil {
		return nil, err
	}
	out.ToolConfig = toolConfigFromCanonical(r, out.Messages)
	thinking, err := reasoningFromCanonical(r, opts, out)
	if err != nil {
		return nil, err
	}
	if err := responseFormatFromCanonical(r, thinking, out); err != nil {
		return nil, err
	}
	if err := mergeProviderOptions(r.ProviderOptions, opts.Provider, out); err != nil {
		return nil, err
	}
	return out, nil
}

// messagesFromCanonical splits the system prompt off and writes the turns.
// Converse needs the roles to alternate: consecutive messages of one role
// (tool results are the user's) become ONE message, so that tool results
// and a following user message share a turn, as the API requires.
func messagesFromCanonical(msgs []llm.Message) (system []SystemContentBlock, out []Message, err error) {
	out = make([]Message, 0, len(msgs))
	turn := func(role string, blocks []ContentBlock) {
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Content = append(out[n-1].Content, blocks...)
			return
		}
		out = append(out, Message{Role: role, Content: blocks})
	}
	for i := range msgs {
		m := &msgs[i]
		path := wireutil.IndexPath("messages", i)
		switch m.Role {
		case llm.RoleSystem:
			for j := range m.Parts {
				p := &m.Parts[j]
				if p.Type != llm.PartText {
					return nil, nil, wireutil.Invalid(CodeUnsupported, wireutil.IndexPath(wireutil.JoinPath(path, "content"), j), "a system message can hold only text")
				}
				if p.Text != "" {
					system = append(system, SystemContentBlock{Text: p.Text})
				}
				if p.CacheControl != nil {
					system = append(system, SystemContentBlock{CachePoint: defaultCachePoint()})
				}
			}
		case llm.RoleUser:
			blocks, err := partsToBlocks(m.Parts, path, true)
			if err != nil {
				return nil, nil, err
			}
			turn("user", blocks)
		case llm.RoleTool:
			b, err := toolResultFromCanonical(m, path)
			if err != nil {
				return nil, nil, err
			}
			blocks := []ContentBlock{b}
			if hasCacheHint(m.Parts) {
				blocks = append(blocks, ContentBlock{CachePoint: defaultCachePoint()})
			}
			turn("user", blocks)
		case llm.RoleAssistant:
			blocks, err := assistantFromCanonical(m, path)
			if err != nil {
				return nil, nil, err
			}
			turn("assistant", blocks)
		default:
			return nil, nil, wireutil.Invalid(CodeInvalidValue, wireutil.JoinPath(path, "role"), "unknown role %q", m.Role)
		}
	}
	return system, out, nil
}

func defaultCachePoint() *CachePointBlock { return &CachePointBlock{Type: "default"} }

// partsToBlocks writes text and image parts, each part with a cache hint
// followed by a cachePoint block. Empty text parts are left out: the API
// refuses blank text blocks.
func partsToBlocks(parts []llm.Part, path string, imagesAllowed bool) ([]ContentBlock, error) {
	blocks := make([]ContentBlock, 0, len(parts))
	for j := range parts {
		p := &parts[j]
		ppath := wireutil.IndexPath(wireutil.JoinPath(path, "content"), j)
		switch p.Type {
		case llm.PartText:
			if p.Text != "" {
				blocks = append(blocks, ContentBlock{Text: p.Text})
			}
		case llm.PartImage:
			if !imagesAllowed || p.Image == nil {
				return nil, wireutil.Invalid(CodeUnsupported, ppath, "this message can hold only text")
			}
			img, err := imageFromCanonical(p.Image, ppath)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, ContentBlock{Image: img})
		default:
			return nil, wireutil.Invalid(CodeUnsupported, ppath, "unsupported part type %q", p.Type)
		}
		if p.CacheControl != nil {
			blocks = append(blocks, ContentBlock{CachePoint: defaultCachePoint()})
		}
	}
	return blocks, nil
}

func toolResultFromCanonical(m *llm.Message, path string) (ContentBlock, error) {
	content := make([]ToolResultContentBlock, 0, len(m.Parts))
	for j := range m.Parts {
		p := &m.Parts[j]
		ppath := wireutil.IndexPath(wireutil.JoinPath(path, "content"), j)
		switch p.Type {
		case llm.PartText:
			if p.Text != "" {
				content = append(content, ToolResultContentBlock{Text: p.Text})
			}
		case llm.PartImage:
			img, err := imageFromCanonical(p.Image, ppath)
			if err != nil {
				return ContentBlock{}, err
			}
			content = append(content, ToolResultContentBlock{Image: img})
		default:
			return ContentBlock{}, wireutil.Invalid(CodeUnsupported, ppath, "unsupported part type %q", p.Type)
		}
	}
	return ContentBlock{ToolResult: &ToolResultBlock{ToolUseID: m.ToolCallID, Content: content}}, nil
}

// assistantFromCanonical writes reasoning blocks first, then text, then
// toolUse blocks, the order the API returns them and expects them back.
func assistantFromCanonical(m *llm.Message, path string) ([]ContentBlock, error) {
	blocks := make([]ContentBlock, 0, len(m.Reasoning)+len(m.Parts)+len(m.ToolCalls))
	for _, r := range m.Reasoning {
		switch {
		case r.Redacted != "":
			data, err := wireutil.DecodeBase64Lenient(r.Redacted)
			if err != nil {
				continue // another provider's opaque data: Bedrock could not verify it
			}
			blocks = append(blocks, ContentBlock{ReasoningContent: &ReasoningContentBlock{RedactedContent: data}})
		case r.Signature != "":
			blocks = append(blocks, ContentBlock{ReasoningContent: &ReasoningContentBlock{ReasoningText: &ReasoningText{Text: r.Text, Signature: r.Signature}}})
		}
		// Reasoning without a signature comes from another provider (or a
		// model that signs nothing): the model would reject it as
		// unverifiable, so it is not sent.
	}
	text, err := partsToBlocks(m.Parts, path, false)
	if err != nil {
		return nil, err
	}
	blocks = append(blocks, text...)
	if len(text) == 0 && m.Refusal != "" {
		blocks = append(blocks, ContentBlock{Text: m.Refusal})
	}
	for j := range m.ToolCalls {
		tc := &m.ToolCalls[j]
		input, err := toolInput(tc.Arguments, wireutil.IndexPath(wireutil.JoinPath(path, "tool_calls"), j))
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, ContentBlock{ToolUse: &ToolUseBlock{ToolUseID: tc.ID, Name: tc.Name, Input: input}})
	}
	return blocks, nil
}

var emptyObject = json.RawMessage(`{}`)

// toolInput parses a call's Arguments into the toolUse input object: "" is
// {}, anything but a JSON object is the caller's error.
func toolInput(args, path string) (json.RawMessage, error) {
	raw := bytes.TrimSpace([]byte(args))
	if len(raw) == 0 {
		return emptyObject, nil
	}
	param := wireutil.JoinPath(path, "function.arguments")
	if !json.Valid(raw) {
		return nil, wireutil.Invalid(CodeInvalidValue, param, "the arguments are not valid JSON; Bedrock needs them as a JSON object")
	}
	if raw[0] != '{' {
		return nil, wireutil.Invalid(CodeInvalidType, param, "expected a JSON object, got %s", wireutil.JSONKind(raw))
	}
	return raw, nil
}

func hasCacheHint(parts []llm.Part) bool {
	for i := range parts {
		if parts[i].CacheControl != nil {
			return true
		}
	}
	return false
}
