package wire

import (
	"bytes"
	"encoding/json"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/internal/wireutil"
)

// ProviderOptionsKey is the key of llm.Request.ProviderOptions that holds
// Anthropic fields with no canonical field (top_k, service_tier, ...).
const ProviderOptionsKey = "anthropic"

// AnswerToolName is the tool that carries a JSON response format.
const AnswerToolName = "json_response"

// DefaultMaxTokens is max_tokens when neither the request nor the options
// give one: the API requires the field.
const DefaultMaxTokens = 4096

// MinThinkingBudget is the smallest thinking budget the API accepts.
const MinThinkingBudget = 1024

// RequestOptions configures FromCanonicalRequest.
type RequestOptions struct {
	// Provider is the provider instance name. Besides
	// ProviderOptions["anthropic"], ProviderOptions[Provider] is merged into
	// the body, and wins over it.
	Provider string
	// Stream asks for a streamed response.
	Stream bool
	// DefaultMaxTokens is max_tokens when the request has none; 0 means
	// DefaultMaxTokens.
	DefaultMaxTokens int64
	// NativeStructuredOutput asks for a JSON-schema response format with
	// output_config.format (supported by recent models) instead of the
	// answer tool. json_object always uses the answer tool: the native format
	// needs a schema.
	NativeStructuredOutput bool
}

// FromCanonicalRequest converts a canonical request into the body sent
// upstream; see the package documentation for the mapping. Provider options
// are merged into the top level of the body through Extra (later wins:
// converted fields, ProviderOptions["anthropic"], ProviderOptions[Provider]);
// an output_config option is merged member by member with the converted one.
//
// Errors are *llm.Error of KindInvalidRequest naming the field.
func FromCanonicalRequest(r *llm.Request, opts RequestOptions) (*MessagesRequest, error) {
	if r.N > 1 {
		return nil, wireutil.Invalid(CodeUnsupported, "n", "Anthropic returns one choice per request; n must be 1")
	}
	out := &MessagesRequest{
		Model:         r.Model,
		Temperature:   r.Temperature,
		TopP:          r.TopP,
		StopSequences: r.Stop,
		Stream:        opts.Stream,
	}
	var err error
	var system []ContentBlock
	if system, out.Messages, err = messagesFromCanonical(r.Messages); err != nil {
		return nil, err
	}
	out.System = systemFromBlocks(system)
	if len(r.Tools) > 0 {
		out.Tools = make([]Tool, len(r.Tools))
		for i := range r.Tools {
			out.Tools[i] = toolFromCanonical(&r.Tools[i])
		}
	}
	out.ToolChoice = toolChoiceFromCanonical(r.ToolChoice, r.ParallelToolCalls, len(r.Tools) > 0)
	if err := thinkingFromCanonical(r, opts, out); err != nil {
		return nil, err
	}
	if err := responseFormatFromCanonical(r, opts, out); err != nil {
		return nil, err
	}
	if r.User != "" {
		out.Metadata = &Metadata{UserID: r.User}
	}
	if out.Extra, err = mergeProviderOptions(r.ProviderOptions, opts.Provider); err != nil {
		return nil, err
	}
	if err := mergeOutputConfigOption(out); err != nil {
		return nil, err
	}
	return out, nil
}

// systemFromBlocks writes one plain text as a string, anything else as
// blocks.
func systemFromBlocks(blocks []ContentBlock) *System {
	switch {
	case len(blocks) == 0:
		return nil
	case len(blocks) == 1 && blocks[0].CacheControl == nil:
		return &System{Text: blocks[0].Text}
	}
	return &System{Blocks: blocks}
}

// messagesFromCanonical splits the system prompt off and writes the turns.
func messagesFromCanonical(msgs []llm.Message) (system []ContentBlock, out []Message, err error) {
	out = make([]Message, 0, len(msgs))
	// toolResults is set while the last message written is a user message
	// holding tool results, which following tool results and a following user
	// message join.
	toolResults := false
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
				system = append(system, ContentBlock{Type: BlockText, Text: p.Text, CacheControl: cacheControlFromCanonical(p.CacheControl)})
			}
		case llm.RoleUser:
			if toolResults {
				blocks, err := partsToBlocks(m.Parts, path, true)
				if err != nil {
					return nil, nil, err
				}
				last := &out[len(out)-1]
				last.Content.Blocks = append(last.Content.Blocks, blocks...)
			} else {
				c, err := partsToContent(m.Parts, path, true)
				if err != nil {
					return nil, nil, err
				}
				out = append(out, Message{Role: "user", Content: c})
			}
			toolResults = false
		case llm.RoleTool:
			b, err := toolResultFromCanonical(m, path)
			if err != nil {
				return nil, nil, err
			}
			if toolResults {
				last := &out[len(out)-1]
				last.Content.Blocks = append(last.Content.Blocks, b)
			} else {
				out = append(out, Message{Role: "user", Content: Content{Blocks: []ContentBlock{b}}})
				toolResults = true
			}
		case llm.RoleAssistant:
			c, err := assistantFromCanonical(m, path)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, Message{Role: "assistant", Content: c})
			toolResults = false
		default:
			return nil, nil, wireutil.Invalid(CodeInvalidValue, wireutil.JoinPath(path, "role"), "unknown role %q", m.Role)
		}
	}
	return system, out, nil
}

// partsToContent writes one plain text part as a string (the form of most
// clients' requests), anything else as blocks.
func partsToContent(parts []llm.Part, path string, imagesAllowed bool) (Content, error) {
	if len(parts) == 1 && parts[0].Type == llm.PartText && parts[0].CacheControl == nil {
		return Content{Text: parts[0].Text}, nil
	}
	blocks, err := partsToBlocks(parts, path, imagesAllowed)
	if err != nil || blocks == nil {
		return Content{}, err
	}
	return Content{Blocks: blocks}, nil
}

func partsToBlocks(parts []llm.Part, path string, imagesAllowed bool) ([]ContentBlock, error) {
	if len(parts) == 0 {
		return nil, nil
	}
	blocks := make([]ContentBlock, 0, len(parts))
	for j := range parts {
		p := &parts[j]
		ppath := wireutil.IndexPath(wireutil.JoinPath(path, "content"), j)
		b := ContentBlock{CacheControl: cacheControlFromCanonical(p.CacheControl)}
		switch p.Type {
		case llm.PartText:
			b.Type, b.Text = BlockText, p.Text
		case llm.PartImage:
			if !imagesAllowed || p.Image == nil {
				return nil, wireutil.Invalid(CodeUnsupported, ppath, "this message can hold only text")
			}
			src, err := imageFromCanonical(p.Image, ppath)
			if err != nil {
				return nil, err
			}
			b.Type, b.Source = BlockImage, src
		default:
			return nil, wireutil.Invalid(CodeUnsupported, ppath, "unsupported part type %q", p.Type)
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}

func toolResultFromCanonical(m *llm.Message, path string) (ContentBlock, error) {
	b := ContentBlock{Type: BlockToolResult, ToolUseID: m.ToolCallID}
	if len(m.Parts) > 0 {
		c, err := partsToContent(m.Parts, path, true)
		if err != nil {
			return ContentBlock{}, err
		}
		b.Content = &c
	}
	return b, nil
}

// assistantFromCanonical writes thinking blocks first, then text, then
// tool_use blocks, the order the API returns them and requires them back.
func assistantFromCanonical(m *llm.Message, path string) (Content, error) {
	plain := len(m.Parts) == 1 && m.Parts[0].Type == llm.PartText && m.Parts[0].CacheControl == nil
	if plain && len(m.ToolCalls) == 0 && !hasSignedReasoning(m.Reasoning) {
		return Content{Text: m.Parts[0].Text}, nil
	}
	blocks := make([]ContentBlock, 0, len(m.Reasoning)+len(m.Parts)+len(m.ToolCalls))
	for _, r := range m.Reasoning {
		switch {
		case r.Redacted != "":
			blocks = append(blocks, ContentBlock{Type: BlockRedactedThinking, Data: r.Redacted})
		case r.Signature != "":
			blocks = append(blocks, ContentBlock{Type: BlockThinking, Thinking: r.Text, Signature: r.Signature})
		}
		// Reasoning without a signature comes from another provider: the API
		// would reject it as unverifiable, so it is not sent.
	}
	text, err := partsToBlocks(m.Parts, path, false)
	if err != nil {
		return Content{}, err
	}
	blocks = append(blocks, text...)
	if len(m.Parts) == 0 && m.Refusal != "" {
		blocks = append(blocks, ContentBlock{Type: BlockText, Text: m.Refusal})
	}
	for j := range m.ToolCalls {
		tc := &m.ToolCalls[j]
		input, err := toolInput(tc.Arguments, wireutil.IndexPath(wireutil.JoinPath(path, "tool_calls"), j))
		if err != nil {
			return Content{}, err
		}
		blocks = append(blocks, ContentBlock{Type: BlockToolUse, ID: tc.ID, Name: tc.Name, Input: input})
	}
	if len(blocks) == 0 {
		return Content{}, nil // an empty turn: the API will say what it thinks of it
	}
	return Content{Blocks: blocks}, nil
}

func hasSignedReasoning(rs []llm.Reasoning) bool {
	for _, r := range rs {
		if r.Signature != "" || r.Redacted != "" {
			return true
		}
	}
	return false
}

// toolInput parses a call's Arguments into the tool_use input object: "" is
// {}, anything but a JSON object is the caller's error.
func toolInput(args, path string) (json.RawMessage, error) {
	raw := bytes.TrimSpace([]byte(args))
	if len(raw) == 0 {
		return emptyObject, nil
	}
	param := wireutil.JoinPath(path, "function.arguments")
	if !json.Valid(raw) {
		return nil, wireutil.Invalid(CodeInvalidValue, param, "the arguments are not valid JSON; Anthropic needs them as a JSON object")
	}
	if raw[0] != '{' {
		return nil, wireutil.Invalid(CodeInvalidType, param, "expected a JSON object, got %s", wireutil.JSONKind(raw))
	}
	return raw, nil
}
