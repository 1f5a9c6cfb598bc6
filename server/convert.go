package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
)

// This file is the one place where the protobuf API and the canonical model
// meet, in both directions. It decodes and encodes; it does not validate what
// the core validates (llm.Request.Validate), only what only the proto form
// can get wrong (an unspecified enum, an empty oneof).

// completionRequest is what CompleteRequest and StreamCompleteRequest have in
// common: the same fields under the same numbers, so one converter serves
// both. Presence of the proto3 optional scalars is read through
// ProtoReflect, because their getters return 0 for "unset".
type completionRequest interface {
	GetModel() string
	GetMessages() []*switchboardv1.Message
	GetTools() []*switchboardv1.Tool
	GetToolChoice() *switchboardv1.ToolChoice
	GetParallelToolCalls() bool
	GetResponseFormat() *switchboardv1.ResponseFormat
	GetTemperature() float64
	GetTopP() float64
	GetMaxTokens() int64
	GetStop() []string
	GetSeed() int64
	GetPresencePenalty() float64
	GetFrequencyPenalty() float64
	GetN() int32
	GetUser() string
	GetMetadata() map[string]string
	GetReasoning() *switchboardv1.ReasoningConfig
	GetProviderOptions() map[string]*structpb.Struct
	ProtoReflect() protoreflect.Message
}

// Field numbers of the optional scalars, shared by both request messages.
const (
	fieldParallelToolCalls protoreflect.FieldNumber = 5
	fieldTemperature       protoreflect.FieldNumber = 7
	fieldTopP              protoreflect.FieldNumber = 8
	fieldMaxTokens         protoreflect.FieldNumber = 9
	fieldSeed              protoreflect.FieldNumber = 11
	fieldPresencePenalty   protoreflect.FieldNumber = 12
	fieldFrequencyPenalty  protoreflect.FieldNumber = 13
)

// requestFromProto converts a CompleteRequest or StreamCompleteRequest.
func requestFromProto(in completionRequest) (*llm.Request, error) {
	out := &llm.Request{
		Model: in.GetModel(),
		Stop:  in.GetStop(),
		N:     int(in.GetN()),
		User:  in.GetUser(),
	}
	if md := in.GetMetadata(); len(md) > 0 {
		out.Metadata = md
	}
	var err error
	if out.Messages, err = messagesFromProto(in.GetMessages()); err != nil {
		return nil, err
	}
	if out.Tools, err = toolsFromProto(in.GetTools()); err != nil {
		return nil, err
	}
	out.ToolChoice = toolChoiceFromProto(in.GetToolChoice())
	if out.ResponseFormat, err = responseFormatFromProto(in.GetResponseFormat()); err != nil {
		return nil, err
	}
	if rc := in.GetReasoning(); rc != nil && (rc.GetEffort() != "" || rc.GetBudgetTokens() != 0) {
		out.Reasoning = &llm.ReasoningConfig{Effort: rc.GetEffort(), BudgetTokens: rc.GetBudgetTokens()}
	}
	if out.ProviderOptions, err = providerOptionsFromProto(in.GetProviderOptions()); err != nil {
		return nil, err
	}

	pr := in.ProtoReflect()
	fields := pr.Descriptor().Fields()
	has := func(n protoreflect.FieldNumber) bool { return pr.Has(fields.ByNumber(n)) }
	if has(fieldParallelToolCalls) {
		v := in.GetParallelToolCalls()
		out.ParallelToolCalls = &v
	}
	if has(fieldTemperature) {
		v := in.GetTemperature()
		out.Temperature = &v
	}
	if has(fieldTopP) {
		v := in.GetTopP()
		out.TopP = &v
	}
	if has(fieldMaxTokens) {
		v := in.GetMaxTokens()
		out.MaxTokens = &v
	}
	if has(fieldSeed) {
		v := in.GetSeed()
		out.Seed = &v
	}
	if has(fieldPresencePenalty) {
		v := in.GetPresencePenalty()
		out.PresencePenalty = &v
	}
	if has(fieldFrequencyPenalty) {
		v := in.GetFrequencyPenalty()
		out.FrequencyPenalty = &v
	}
	return out, nil
}

func invalidField(param, format string, args ...any) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Param: param, Message: param + ": " + fmt.Sprintf(format, args...)}
}

var rolesFromProto = [...]llm.Role{
	switchboardv1.Role_ROLE_SYSTEM:    llm.RoleSystem,
	switchboardv1.Role_ROLE_USER:      llm.RoleUser,
	switchboardv1.Role_ROLE_ASSISTANT: llm.RoleAssistant,
	switchboardv1.Role_ROLE_TOOL:      llm.RoleTool,
}

func messagesFromProto(in []*switchboardv1.Message) ([]llm.Message, error) {
	out := make([]llm.Message, len(in))
	for i, m := range in {
		r := m.GetRole()
		if r <= switchboardv1.Role_ROLE_UNSPECIFIED || int(r) >= len(rolesFromProto) {
			return nil, invalidField(fmt.Sprintf("messages[%d].role", i),
				"role is %v; set ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT or ROLE_TOOL", r)
		}
		msg := llm.Message{
			Role:       rolesFromProto[r],
			Name:       m.GetName(),
			ToolCallID: m.GetToolCallId(),
			Refusal:    m.GetRefusal(),
		}
		if parts := m.GetContent(); len(parts) > 0 {
			msg.Parts = make([]llm.Part, len(parts))
			for j, p := range parts {
				part, err := partFromProto(p, i, j)
				if err != nil {
					return nil, err
				}
				msg.Parts[j] = part
			}
		}
		if calls := m.GetToolCalls(); len(calls) > 0 {
			msg.ToolCalls = make([]llm.ToolCall, len(calls))
			for j, c := range calls {
				args := c.GetArguments()
				if args == "" {
					args = "{}"
				}
				msg.ToolCalls[j] = llm.ToolCall{ID: c.GetId(), Name: c.GetName(), Arguments: args, Signature: c.GetSignature()}
			}
		}
		if rs := m.GetReasoning(); len(rs) > 0 {
			msg.Reasoning = make([]llm.Reasoning, len(rs))
			for j, r := range rs {
				msg.Reasoning[j] = llm.Reasoning{Text: r.GetText(), Signature: r.GetSignature(), Redacted: r.GetRedacted()}
			}
		}
		out[i] = msg
	}
	return out, nil
}

func partFromProto(p *switchboardv1.Part, i, j int) (llm.Part, error) {
	out := llm.Part{Signature: p.GetSignature(), CacheControl: cacheControlFromProto(p.GetCacheControl())}
	switch k := p.GetKind().(type) {
	case *switchboardv1.Part_Text:
		out.Type, out.Text = llm.PartText, k.Text
	case *switchboardv1.Part_Image:
		img, err := imageFromProto(k.Image, fmt.Sprintf("messages[%d].content[%d].image", i, j))
		if err != nil {
			return out, err
		}
		out.Type, out.Image = llm.PartImage, img
	default:
		return out, invalidField(fmt.Sprintf("messages[%d].content[%d]", i, j), "a part needs text or image")
	}
	return out, nil
}

func imageFromProto(in *switchboardv1.Image, param string) (*llm.Image, error) {
	out := &llm.Image{MediaType: in.GetMediaType(), Detail: in.GetDetail()}
	switch s := in.GetSource().(type) {
	case *switchboardv1.Image_Data:
		out.Data = s.Data
	case *switchboardv1.Image_Url:
		if strings.HasPrefix(s.Url, "data:") {
			mediaType, data, err := decodeDataURL(s.Url)
			if err != nil {
				return nil, invalidField(param+".url", "%v", err)
			}
			out.MediaType, out.Data = mediaType, data
		} else {
			out.URL = s.Url
		}
	default:
		return nil, invalidField(param, "an image needs url or data")
	}
	return out, nil
}

// decodeDataURL reads "data:<media type>;base64,<data>", the only form an
// image data URL takes in practice.
func decodeDataURL(u string) (mediaType string, data []byte, err error) {
	meta, payload, ok := strings.Cut(strings.TrimPrefix(u, "data:"), ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return "", nil, fmt.Errorf(`a data URL must look like "data:image/png;base64,..."`)
	}
	data, err = base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return "", nil, fmt.Errorf("data URL is not valid base64")
	}
	return strings.TrimSuffix(meta, ";base64"), data, nil
}

func cacheControlFromProto(c *switchboardv1.CacheControl) *llm.CacheControl {
	if c == nil || (c.GetType() == "" && c.GetTtl() == "") {
		return nil
	}
	t := c.GetType()
	if t == "" {
		t = "ephemeral"
	}
	return &llm.CacheControl{Type: t, TTL: c.GetTtl()}
}

func toolsFromProto(in []*switchboardv1.Tool) ([]llm.Tool, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]llm.Tool, len(in))
	for i, t := range in {
		params, err := structToJSON(t.GetParameters(), fmt.Sprintf("tools[%d].parameters", i))
		if err != nil {
			return nil, err
		}
		out[i] = llm.Tool{
			Name:         t.GetName(),
			Description:  t.GetDescription(),
			Parameters:   params,
			Strict:       t.GetStrict(),
			CacheControl: cacheControlFromProto(t.GetCacheControl()),
		}
	}
	return out, nil
}

func toolChoiceFromProto(tc *switchboardv1.ToolChoice) *llm.ToolChoice {
	switch tc.GetMode() {
	case switchboardv1.ToolChoice_MODE_AUTO:
		return &llm.ToolChoice{Mode: llm.ToolChoiceAuto}
	case switchboardv1.ToolChoice_MODE_NONE:
		return &llm.ToolChoice{Mode: llm.ToolChoiceNone}
	case switchboardv1.ToolChoice_MODE_REQUIRED:
		return &llm.ToolChoice{Mode: llm.ToolChoiceRequired}
	case switchboardv1.ToolChoice_MODE_FUNCTION:
		return &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: tc.GetFunctionName()}
	}
	// Unspecified with a function name still means "call this function".
	if name := tc.GetFunctionName(); name != "" {
		return &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: name}
	}
	return nil
}

func responseFormatFromProto(rf *switchboardv1.ResponseFormat) (*llm.ResponseFormat, error) {
	out := &llm.ResponseFormat{Name: rf.GetName(), Description: rf.GetDescription(), Strict: rf.GetStrict()}
	switch rf.GetType() {
	case switchboardv1.ResponseFormat_TYPE_UNSPECIFIED:
		if rf.GetSchema() == nil {
			return nil, nil
		}
		out.Type = llm.ResponseFormatJSONSchema
	case switchboardv1.ResponseFormat_TYPE_TEXT:
		out.Type = llm.ResponseFormatText
	case switchboardv1.ResponseFormat_TYPE_JSON_OBJECT:
		out.Type = llm.ResponseFormatJSONObject
	case switchboardv1.ResponseFormat_TYPE_JSON_SCHEMA:
		out.Type = llm.ResponseFormatJSONSchema
	default:
		return nil, invalidField("response_format.type", "unknown type %v", rf.GetType())
	}
	var err error
	out.Schema, err = structToJSON(rf.GetSchema(), "response_format.schema")
	return out, err
}

func providerOptionsFromProto(in map[string]*structpb.Struct) (map[string]json.RawMessage, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]json.RawMessage, len(in))
	for k, v := range in {
		raw, err := structToJSON(v, "provider_options["+k+"]")
		if err != nil {
			return nil, err
		}
		if raw == nil {
			raw = json.RawMessage("{}")
		}
		out[k] = raw
	}
	return out, nil
}

// structToJSON renders a google.protobuf.Struct as JSON text; nil stays nil.
func structToJSON(s *structpb.Struct, param string) (json.RawMessage, error) {
	if s == nil {
		return nil, nil
	}
	b, err := protojson.Marshal(s)
	if err != nil {
		return nil, invalidField(param, "not representable as JSON: %v", err)
	}
	return b, nil
}

func embedRequestFromProto(in *switchboardv1.EmbedRequest) *llm.EmbedRequest {
	out := &llm.EmbedRequest{Model: in.GetModel(), Inputs: in.GetInputs(), User: in.GetUser()}
	if in.Dimensions != nil {
		v := in.GetDimensions()
		out.Dimensions = &v
	}
	return out
}

var rolesToProto = map[llm.Role]switchboardv1.Role{
	llm.RoleSystem:    switchboardv1.Role_ROLE_SYSTEM,
	llm.RoleUser:      switchboardv1.Role_ROLE_USER,
	llm.RoleAssistant: switchboardv1.Role_ROLE_ASSISTANT,
	llm.RoleTool:      switchboardv1.Role_ROLE_TOOL,
}

func roleToProto(r llm.Role) switchboardv1.Role {
	switch r {
	case "":
		return switchboardv1.Role_ROLE_UNSPECIFIED
	case llm.RoleAssistant: // the common case, without a map lookup
		return switchboardv1.Role_ROLE_ASSISTANT
	}
	return rolesToProto[r]
}

func finishReasonToProto(f llm.FinishReason) switchboardv1.FinishReason {
	switch f {
	case "":
		return switchboardv1.FinishReason_FINISH_REASON_UNSPECIFIED
	case llm.FinishStop:
		return switchboardv1.FinishReason_FINISH_REASON_STOP
	case llm.FinishLength:
		return switchboardv1.FinishReason_FINISH_REASON_LENGTH
	case llm.FinishToolCalls:
		return switchboardv1.FinishReason_FINISH_REASON_TOOL_CALLS
	case llm.FinishContentFilter:
		return switchboardv1.FinishReason_FINISH_REASON_CONTENT_FILTER
	case llm.FinishError:
		return switchboardv1.FinishReason_FINISH_REASON_ERROR
	}
	return switchboardv1.FinishReason_FINISH_REASON_OTHER
}

func usageToProto(u *llm.Usage) *switchboardv1.Usage {
	return &switchboardv1.Usage{
		InputTokens:       u.InputTokens,
		CachedInputTokens: u.CachedInputTokens,
		CacheWriteTokens:  u.CacheWriteTokens,
		OutputTokens:      u.OutputTokens,
		ReasoningTokens:   u.ReasoningTokens,
		TotalTokens:       u.TotalTokens(),
	}
}

func responseToProto(r *llm.Response) *switchboardv1.CompleteResponse {
	out := &switchboardv1.CompleteResponse{
		Id:                r.ID,
		Model:             r.Model,
		Created:           r.Created,
		Choices:           make([]*switchboardv1.Choice, len(r.Choices)),
		Usage:             usageToProto(&r.Usage),
		Provider:          r.Provider,
		Deployment:        r.Deployment,
		SystemFingerprint: r.SystemFingerprint,
	}
	for i := range r.Choices {
		c := &r.Choices[i]
		out.Choices[i] = &switchboardv1.Choice{
			Index:           int32(c.Index),
			Message:         messageToProto(&c.Message),
			FinishReason:    finishReasonToProto(c.FinishReason),
			RawFinishReason: c.RawFinishReason,
		}
	}
	return out
}

func messageToProto(m *llm.Message) *switchboardv1.Message {
	out := &switchboardv1.Message{
		Role:       roleToProto(m.Role),
		Name:       m.Name,
		ToolCallId: m.ToolCallID,
		Refusal:    m.Refusal,
	}
	if len(m.Parts) > 0 {
		out.Content = make([]*switchboardv1.Part, len(m.Parts))
		for i := range m.Parts {
			out.Content[i] = partToProto(&m.Parts[i])
		}
	}
	if len(m.ToolCalls) > 0 {
		out.ToolCalls = make([]*switchboardv1.ToolCall, len(m.ToolCalls))
		for i, c := range m.ToolCalls {
			out.ToolCalls[i] = &switchboardv1.ToolCall{Id: c.ID, Name: c.Name, Arguments: c.Arguments, Signature: c.Signature}
		}
	}
	if len(m.Reasoning) > 0 {
		out.Reasoning = make([]*switchboardv1.Reasoning, len(m.Reasoning))
		for i := range m.Reasoning {
			out.Reasoning[i] = reasoningToProto(&m.Reasoning[i])
		}
	}
	return out
}

func partToProto(p *llm.Part) *switchboardv1.Part {
	out := &switchboardv1.Part{Signature: p.Signature}
	if p.CacheControl != nil {
		out.CacheControl = &switchboardv1.CacheControl{Type: p.CacheControl.Type, Ttl: p.CacheControl.TTL}
	}
	if p.Type == llm.PartImage && p.Image != nil {
		img := &switchboardv1.Image{MediaType: p.Image.MediaType, Detail: p.Image.Detail}
		if len(p.Image.Data) > 0 {
			img.Source = &switchboardv1.Image_Data{Data: p.Image.Data}
		} else {
			img.Source = &switchboardv1.Image_Url{Url: p.Image.URL}
		}
		out.Kind = &switchboardv1.Part_Image{Image: img}
		return out
	}
	out.Kind = &switchboardv1.Part_Text{Text: p.Text}
	return out
}

func reasoningToProto(r *llm.Reasoning) *switchboardv1.Reasoning {
	return &switchboardv1.Reasoning{Text: r.Text, Signature: r.Signature, Redacted: r.Redacted}
}

// chunkToProto fills out (reset by the caller) from c, so a stream can reuse
// one message for every chunk: connect-go marshals on Send and keeps no
// reference to it.
func chunkToProto(c *llm.Chunk, out *switchboardv1.StreamCompleteResponse) {
	out.Id = c.ID
	out.Model = c.Model
	out.Created = c.Created
	out.ChoiceIndex = int32(c.ChoiceIndex)
	out.Role = roleToProto(c.Role)
	out.Text = c.Text
	out.TextSignature = c.TextSignature
	out.Refusal = c.Refusal
	out.FinishReason = finishReasonToProto(c.FinishReason)
	out.RawFinishReason = c.RawFinishReason
	out.Provider = c.Provider
	out.Deployment = c.Deployment
	if c.Reasoning != nil {
		out.Reasoning = reasoningToProto(c.Reasoning)
	}
	if len(c.ToolCalls) > 0 {
		out.ToolCalls = make([]*switchboardv1.ToolCallDelta, len(c.ToolCalls))
		for i, d := range c.ToolCalls {
			out.ToolCalls[i] = &switchboardv1.ToolCallDelta{
				Index: int32(d.Index), Id: d.ID, Name: d.Name, ArgumentsDelta: d.ArgumentsDelta, Signature: d.Signature,
			}
		}
	}
	if c.Usage != nil {
		out.Usage = usageToProto(c.Usage)
	}
	if c.Cost != nil {
		out.Cost = costToProto(*c.Cost)
	}
}

func embedResponseToProto(r *llm.EmbedResponse) *switchboardv1.EmbedResponse {
	out := &switchboardv1.EmbedResponse{
		Model:      r.Model,
		Embeddings: make([]*switchboardv1.Embedding, len(r.Embeddings)),
		Usage:      usageToProto(&r.Usage),
		Provider:   r.Provider,
		Deployment: r.Deployment,
	}
	for i, v := range r.Embeddings {
		out.Embeddings[i] = &switchboardv1.Embedding{Index: int32(i), Values: v}
	}
	return out
}

func modelsToProto(models []llm.ModelInfo) *switchboardv1.ListModelsResponse {
	out := &switchboardv1.ListModelsResponse{Models: make([]*switchboardv1.Model, len(models))}
	for i, m := range models {
		out.Models[i] = &switchboardv1.Model{Id: m.ID, OwnedBy: m.OwnedBy, Created: m.Created}
	}
	return out
}
