package conformance

import (
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
)

// The proto API's conversions, written here independently of the server's
// (server/convert.go): a client of the generated Connect code builds its
// request and reads the answer from the .proto definitions alone, and the
// suite checks that this meets the server's reading of the same messages.

// protoRequest converts a canonical request to a CompleteRequest.
func protoRequest(r *llm.Request) (*switchboardv1.CompleteRequest, error) {
	out := &switchboardv1.CompleteRequest{
		Model: r.Model, ParallelToolCalls: r.ParallelToolCalls,
		Temperature: r.Temperature, TopP: r.TopP, MaxTokens: r.MaxTokens, Stop: r.Stop, Seed: r.Seed,
		PresencePenalty: r.PresencePenalty, FrequencyPenalty: r.FrequencyPenalty, N: int32(r.N),
		User: r.User, Metadata: r.Metadata,
	}
	for i := range r.Messages {
		out.Messages = append(out.Messages, protoMessage(&r.Messages[i]))
	}
	for _, t := range r.Tools {
		pt := &switchboardv1.Tool{Name: t.Name, Description: t.Description, Strict: t.Strict, CacheControl: protoCache(t.CacheControl)}
		if len(t.Parameters) > 0 {
			s, err := protoStruct(t.Parameters)
			if err != nil {
				return nil, fmt.Errorf("tool %s parameters: %w", t.Name, err)
			}
			pt.Parameters = s
		}
		out.Tools = append(out.Tools, pt)
	}
	if tc := r.ToolChoice; tc != nil {
		out.ToolChoice = &switchboardv1.ToolChoice{Mode: toolChoiceModes[tc.Mode], FunctionName: tc.Name}
	}
	if f := r.ResponseFormat; f != nil {
		pf := &switchboardv1.ResponseFormat{Type: responseFormatTypes[f.Type], Name: f.Name, Description: f.Description, Strict: f.Strict}
		if len(f.Schema) > 0 {
			s, err := protoStruct(f.Schema)
			if err != nil {
				return nil, fmt.Errorf("response schema: %w", err)
			}
			pf.Schema = s
		}
		out.ResponseFormat = pf
	}
	if rc := r.Reasoning; rc != nil {
		out.Reasoning = &switchboardv1.ReasoningConfig{Effort: rc.Effort, BudgetTokens: rc.BudgetTokens}
	}
	for k, v := range r.ProviderOptions {
		s, err := protoStruct(v)
		if err != nil {
			return nil, fmt.Errorf("provider options %s: %w", k, err)
		}
		if out.ProviderOptions == nil {
			out.ProviderOptions = map[string]*structpb.Struct{}
		}
		out.ProviderOptions[k] = s
	}
	return out, nil
}

// protoStreamRequest is protoRequest for StreamComplete, whose request has
// the same fields under the same numbers.
func protoStreamRequest(r *llm.Request) (*switchboardv1.StreamCompleteRequest, error) {
	c, err := protoRequest(r)
	if err != nil {
		return nil, err
	}
	return &switchboardv1.StreamCompleteRequest{
		Model: c.Model, Messages: c.Messages, Tools: c.Tools, ToolChoice: c.ToolChoice,
		ParallelToolCalls: c.ParallelToolCalls, ResponseFormat: c.ResponseFormat, Temperature: c.Temperature,
		TopP: c.TopP, MaxTokens: c.MaxTokens, Stop: c.Stop, Seed: c.Seed, PresencePenalty: c.PresencePenalty,
		FrequencyPenalty: c.FrequencyPenalty, N: c.N, User: c.User, Metadata: c.Metadata, Reasoning: c.Reasoning,
		ProviderOptions: c.ProviderOptions,
	}, nil
}

func protoMessage(m *llm.Message) *switchboardv1.Message {
	out := &switchboardv1.Message{Role: roles[m.Role], Name: m.Name, ToolCallId: m.ToolCallID, Refusal: m.Refusal}
	for _, p := range m.Parts {
		pp := &switchboardv1.Part{CacheControl: protoCache(p.CacheControl), Signature: p.Signature}
		switch p.Type {
		case llm.PartText:
			pp.Kind = &switchboardv1.Part_Text{Text: p.Text}
		case llm.PartImage:
			img := &switchboardv1.Image{MediaType: p.Image.MediaType, Detail: p.Image.Detail}
			if p.Image.URL != "" {
				img.Source = &switchboardv1.Image_Url{Url: p.Image.URL}
			} else {
				img.Source = &switchboardv1.Image_Data{Data: p.Image.Data}
			}
			pp.Kind = &switchboardv1.Part_Image{Image: img}
		}
		out.Content = append(out.Content, pp)
	}
	for _, tc := range m.ToolCalls {
		out.ToolCalls = append(out.ToolCalls, &switchboardv1.ToolCall{Id: tc.ID, Name: tc.Name, Arguments: tc.Arguments, Signature: tc.Signature})
	}
	for _, r := range m.Reasoning {
		out.Reasoning = append(out.Reasoning, &switchboardv1.Reasoning{Text: r.Text, Signature: r.Signature, Redacted: r.Redacted})
	}
	return out
}

func protoCache(c *llm.CacheControl) *switchboardv1.CacheControl {
	if c == nil {
		return nil
	}
	return &switchboardv1.CacheControl{Type: c.Type, Ttl: c.TTL}
}

func protoStruct(raw json.RawMessage) (*structpb.Struct, error) {
	s := &structpb.Struct{}
	if err := protojson.Unmarshal(raw, s); err != nil {
		return nil, err
	}
	return s, nil
}

var roles = map[llm.Role]switchboardv1.Role{
	llm.RoleSystem: switchboardv1.Role_ROLE_SYSTEM, llm.RoleUser: switchboardv1.Role_ROLE_USER,
	llm.RoleAssistant: switchboardv1.Role_ROLE_ASSISTANT, llm.RoleTool: switchboardv1.Role_ROLE_TOOL,
}

var toolChoiceModes = map[llm.ToolChoiceMode]switchboardv1.ToolChoice_Mode{
	llm.ToolChoiceAuto: switchboardv1.ToolChoice_MODE_AUTO, llm.ToolChoiceNone: switchboardv1.ToolChoice_MODE_NONE,
	llm.ToolChoiceRequired: switchboardv1.ToolChoice_MODE_REQUIRED, llm.ToolChoiceFunction: switchboardv1.ToolChoice_MODE_FUNCTION,
}

var responseFormatTypes = map[llm.ResponseFormatType]switchboardv1.ResponseFormat_Type{
	llm.ResponseFormatText:       switchboardv1.ResponseFormat_TYPE_TEXT,
	llm.ResponseFormatJSONObject: switchboardv1.ResponseFormat_TYPE_JSON_OBJECT,
	llm.ResponseFormatJSONSchema: switchboardv1.ResponseFormat_TYPE_JSON_SCHEMA,
}

var finishReasons = map[switchboardv1.FinishReason]llm.FinishReason{
	switchboardv1.FinishReason_FINISH_REASON_STOP:           llm.FinishStop,
	switchboardv1.FinishReason_FINISH_REASON_LENGTH:         llm.FinishLength,
	switchboardv1.FinishReason_FINISH_REASON_TOOL_CALLS:     llm.FinishToolCalls,
	switchboardv1.FinishReason_FINISH_REASON_CONTENT_FILTER: llm.FinishContentFilter,
	switchboardv1.FinishReason_FINISH_REASON_ERROR:          llm.FinishError,
	switchboardv1.FinishReason_FINISH_REASON_OTHER:          llm.FinishOther,
}

// canonicalResponse converts a CompleteResponse to canonical form.
func canonicalResponse(r *switchboardv1.CompleteResponse) *llm.Response {
	out := &llm.Response{ID: r.GetId(), Model: r.GetModel(), Created: r.GetCreated(), Usage: canonicalUsage(r.GetUsage()),
		Provider: r.GetProvider(), Deployment: r.GetDeployment(), SystemFingerprint: r.GetSystemFingerprint()}
	for _, c := range r.GetChoices() {
		out.Choices = append(out.Choices, llm.Choice{Index: int(c.GetIndex()), Message: canonicalMessage(c.GetMessage()),
			FinishReason: finishReasons[c.GetFinishReason()], RawFinishReason: c.GetRawFinishReason()})
	}
	return out
}

func canonicalMessage(m *switchboardv1.Message) llm.Message {
	out := llm.Message{Role: llm.RoleAssistant, Name: m.GetName(), ToolCallID: m.GetToolCallId(), Refusal: m.GetRefusal()}
	for _, p := range m.GetContent() {
		switch k := p.GetKind().(type) {
		case *switchboardv1.Part_Text:
			out.Parts = append(out.Parts, llm.Part{Type: llm.PartText, Text: k.Text, Signature: p.GetSignature()})
		case *switchboardv1.Part_Image:
			img := &llm.Image{URL: k.Image.GetUrl(), Data: k.Image.GetData(), MediaType: k.Image.GetMediaType(), Detail: k.Image.GetDetail()}
			out.Parts = append(out.Parts, llm.Part{Type: llm.PartImage, Image: img, Signature: p.GetSignature()})
		}
	}
	for _, tc := range m.GetToolCalls() {
		out.ToolCalls = append(out.ToolCalls, llm.ToolCall{ID: tc.GetId(), Name: tc.GetName(), Arguments: tc.GetArguments(), Signature: tc.GetSignature()})
	}
	for _, r := range m.GetReasoning() {
		out.Reasoning = append(out.Reasoning, llm.Reasoning{Text: r.GetText(), Signature: r.GetSignature(), Redacted: r.GetRedacted()})
	}
	return out
}

func canonicalUsage(u *switchboardv1.Usage) llm.Usage {
	return llm.Usage{InputTokens: u.GetInputTokens(), CachedInputTokens: u.GetCachedInputTokens(), CacheWriteTokens: u.GetCacheWriteTokens(),
		OutputTokens: u.GetOutputTokens(), ReasoningTokens: u.GetReasoningTokens()}
}

// canonicalChunk converts one streamed message to a canonical chunk.
func canonicalChunk(m *switchboardv1.StreamCompleteResponse) llm.Chunk {
	c := llm.Chunk{ID: m.GetId(), Model: m.GetModel(), Created: m.GetCreated(), ChoiceIndex: int(m.GetChoiceIndex()),
		Text: m.GetText(), TextSignature: m.GetTextSignature(), Refusal: m.GetRefusal(),
		FinishReason: finishReasons[m.GetFinishReason()], RawFinishReason: m.GetRawFinishReason(),
		Provider: m.GetProvider(), Deployment: m.GetDeployment()}
	if m.GetRole() == switchboardv1.Role_ROLE_ASSISTANT {
		c.Role = llm.RoleAssistant
	}
	if r := m.GetReasoning(); r != nil {
		c.Reasoning = &llm.Reasoning{Text: r.GetText(), Signature: r.GetSignature(), Redacted: r.GetRedacted()}
	}
	for _, d := range m.GetToolCalls() {
		c.ToolCalls = append(c.ToolCalls, llm.ToolCallDelta{Index: int(d.GetIndex()), ID: d.GetId(), Name: d.GetName(),
			ArgumentsDelta: d.GetArgumentsDelta(), Signature: d.GetSignature()})
	}
	if m.Usage != nil {
		u := canonicalUsage(m.Usage)
		c.Usage = &u
	}
	return c
}

// errorKinds maps the proto API's error reasons back to kinds.
var errorKinds = map[switchboardv1.ErrorReason]llm.Kind{
	switchboardv1.ErrorReason_ERROR_REASON_INTERNAL:          llm.KindInternal,
	switchboardv1.ErrorReason_ERROR_REASON_INVALID_REQUEST:   llm.KindInvalidRequest,
	switchboardv1.ErrorReason_ERROR_REASON_UNAUTHENTICATED:   llm.KindUnauthenticated,
	switchboardv1.ErrorReason_ERROR_REASON_PERMISSION_DENIED: llm.KindPermissionDenied,
	switchboardv1.ErrorReason_ERROR_REASON_NOT_FOUND:         llm.KindNotFound,
	switchboardv1.ErrorReason_ERROR_REASON_RATE_LIMITED:      llm.KindRateLimited,
	switchboardv1.ErrorReason_ERROR_REASON_OVERLOADED:        llm.KindOverloaded,
	switchboardv1.ErrorReason_ERROR_REASON_CONTEXT_TOO_LONG:  llm.KindContextTooLong,
	switchboardv1.ErrorReason_ERROR_REASON_CONTENT_FILTERED:  llm.KindContentFiltered,
	switchboardv1.ErrorReason_ERROR_REASON_TIMEOUT:           llm.KindTimeout,
	switchboardv1.ErrorReason_ERROR_REASON_UPSTREAM:          llm.KindUpstream,
	switchboardv1.ErrorReason_ERROR_REASON_UNAVAILABLE:       llm.KindUnavailable,
	switchboardv1.ErrorReason_ERROR_REASON_CANCELED:          llm.KindCanceled,
	switchboardv1.ErrorReason_ERROR_REASON_PAYLOAD_TOO_LARGE: llm.KindPayloadTooLarge,
}
