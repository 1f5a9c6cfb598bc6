package wire

import (
	"encoding/json"
	"strconv"

	"github.com/switchboard-gw/switchboard/llm"
)

// ProviderOptionsKey is the key of llm.Request.ProviderOptions that holds
// OpenAI-format fields with no canonical field.
const ProviderOptionsKey = "openai"

// ToCanonicalRequest validates a decoded client request and converts it to
// the canonical model. extra (the unknown top-level fields DecodeChatRequest
// returned) becomes ProviderOptions["openai"], one JSON object, so it reaches
// an OpenAI-format upstream unchanged.
//
// Every failure is an *llm.Error of KindInvalidRequest whose Param names the
// offending field.
func ToCanonicalRequest(r *ChatRequest, extra map[string]json.RawMessage) (*llm.Request, error) {
	if r.Model == "" {
		return nil, missing("model")
	}
	if len(r.Messages) == 0 {
		return nil, invalid(CodeInvalidValue, "messages", "must contain at least one message")
	}
	out := &llm.Request{
		Model:             r.Model,
		ParallelToolCalls: r.ParallelToolCalls,
		Seed:              r.Seed,
		User:              r.User,
		Metadata:          r.Metadata,
	}
	var err error
	if out.Messages, err = messagesToCanonical(r.Messages); err != nil {
		return nil, err
	}
	if out.Tools, err = toolsToCanonical(r.Tools, r.Functions); err != nil {
		return nil, err
	}
	if out.ToolChoice, err = toolChoiceToCanonical(r, out.Tools); err != nil {
		return nil, err
	}
	if out.ResponseFormat, err = responseFormatToCanonical(r.ResponseFormat); err != nil {
		return nil, err
	}
	if err := samplingToCanonical(r, out); err != nil {
		return nil, err
	}
	if r.ReasoningEffort != "" {
		out.Reasoning = &llm.ReasoningConfig{Effort: r.ReasoningEffort}
	}
	if len(extra) > 0 {
		b, err := json.Marshal(extra)
		if err != nil {
			return nil, invalid(CodeInvalidValue, "", "unsupported extra fields: %v", err)
		}
		out.ProviderOptions = map[string]json.RawMessage{ProviderOptionsKey: b}
	}
	return out, nil
}

func samplingToCanonical(r *ChatRequest, out *llm.Request) error {
	if err := checkRange("temperature", r.Temperature, 0, 2); err != nil {
		return err
	}
	if err := checkRange("top_p", r.TopP, 0, 1); err != nil {
		return err
	}
	if err := checkRange("presence_penalty", r.PresencePenalty, -2, 2); err != nil {
		return err
	}
	if err := checkRange("frequency_penalty", r.FrequencyPenalty, -2, 2); err != nil {
		return err
	}
	out.Temperature, out.TopP = r.Temperature, r.TopP
	out.PresencePenalty, out.FrequencyPenalty = r.PresencePenalty, r.FrequencyPenalty

	// max_completion_tokens replaced max_tokens; when both are sent the newer wins.
	switch {
	case r.MaxCompletionTokens != nil:
		if *r.MaxCompletionTokens < 1 {
			return invalid(CodeInvalidValue, "max_completion_tokens", "must be at least 1, got %d", *r.MaxCompletionTokens)
		}
		out.MaxTokens = r.MaxCompletionTokens
	case r.MaxTokens != nil:
		if *r.MaxTokens < 1 {
			return invalid(CodeInvalidValue, "max_tokens", "must be at least 1, got %d", *r.MaxTokens)
		}
		out.MaxTokens = r.MaxTokens
	}
	if r.N != nil {
		if *r.N < 1 || *r.N > 128 {
			return invalid(CodeInvalidValue, "n", "must be between 1 and 128, got %d", *r.N)
		}
		out.N = *r.N
	}
	if r.Stop != nil {
		for i, s := range r.Stop.Values {
			if s == "" {
				return invalid(CodeInvalidValue, indexPath("stop", i), "must not be empty")
			}
		}
		out.Stop = r.Stop.Values
	}
	return nil
}

func checkRange(param string, v *float64, lo, hi float64) error {
	if v != nil && (*v < lo || *v > hi) {
		return invalid(CodeInvalidValue, param, "must be between %s and %s, got %s",
			fmtFloat(lo), fmtFloat(hi), fmtFloat(*v))
	}
	return nil
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func toolsToCanonical(tools []Tool, functions []Function) ([]llm.Tool, error) {
	if len(tools) == 0 && len(functions) == 0 {
		return nil, nil
	}
	out := make([]llm.Tool, 0, len(tools)+len(functions))
	for i := range tools {
		path := indexPath("tools", i)
		if tools[i].Type != "function" {
			if tools[i].Type == "" {
				return nil, missing(joinPath(path, "type"))
			}
			return nil, invalid(CodeUnsupported, joinPath(path, "type"), "only function tools are supported, got %q", tools[i].Type)
		}
		t, err := functionToCanonical(&tools[i].Function, joinPath(path, "function"))
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	for i := range functions {
		t, err := functionToCanonical(&functions[i], indexPath("functions", i))
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func functionToCanonical(f *Function, path string) (llm.Tool, error) {
	if f.Name == "" {
		return llm.Tool{}, missing(joinPath(path, "name"))
	}
	if len(f.Parameters) > 0 && string(f.Parameters) != "null" && f.Parameters[0] != '{' {
		return llm.Tool{}, invalid(CodeInvalidType, joinPath(path, "parameters"), "expected a JSON Schema object, got %s", jsonKind(f.Parameters))
	}
	t := llm.Tool{Name: f.Name, Description: f.Description, Strict: f.Strict != nil && *f.Strict}
	if len(f.Parameters) > 0 && string(f.Parameters) != "null" {
		t.Parameters = f.Parameters
	}
	return t, nil
}

func toolChoiceToCanonical(r *ChatRequest, tools []llm.Tool) (*llm.ToolChoice, error) {
	param, mode, name := "tool_choice", "", ""
	switch {
	case r.ToolChoice != nil:
		mode, name = r.ToolChoice.Mode, r.ToolChoice.Function
		if r.ToolChoice.Function != "" || r.ToolChoice.Mode == "function" {
			if mode != "function" {
				return nil, invalid(CodeInvalidValue, "tool_choice.type", `must be "function", got %q`, mode)
			}
			if name == "" {
				return nil, missing("tool_choice.function.name")
			}
			param = "tool_choice.function.name"
		}
	case r.FunctionCall != nil:
		param, mode, name = "function_call", r.FunctionCall.Mode, r.FunctionCall.Function
		if name != "" {
			mode = "function"
		}
	default:
		return nil, nil
	}
	switch llm.ToolChoiceMode(mode) {
	case llm.ToolChoiceAuto, llm.ToolChoiceNone:
		return &llm.ToolChoice{Mode: llm.ToolChoiceMode(mode)}, nil
	case llm.ToolChoiceRequired:
		if len(tools) == 0 {
			return nil, invalid(CodeInvalidValue, param, `"required" needs at least one tool in tools`)
		}
		return &llm.ToolChoice{Mode: llm.ToolChoiceRequired}, nil
	case llm.ToolChoiceFunction:
		for i := range tools {
			if tools[i].Name == name {
				return &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: name}, nil
			}
		}
		return nil, invalid(CodeInvalidValue, param, "no tool named %q in tools", name)
	}
	return nil, invalid(CodeInvalidValue, param, `must be "none", "auto", "required" or a function, got %q`, mode)
}

func responseFormatToCanonical(f *ResponseFormat) (*llm.ResponseFormat, error) {
	if f == nil {
		return nil, nil
	}
	switch llm.ResponseFormatType(f.Type) {
	case llm.ResponseFormatText, llm.ResponseFormatJSONObject:
		return &llm.ResponseFormat{Type: llm.ResponseFormatType(f.Type)}, nil
	case llm.ResponseFormatJSONSchema:
		s := f.JSONSchema
		if s == nil {
			return nil, missing("response_format.json_schema")
		}
		if s.Name == "" {
			return nil, missing("response_format.json_schema.name")
		}
		out := &llm.ResponseFormat{
			Type: llm.ResponseFormatJSONSchema, Name: s.Name, Description: s.Description,
			Strict: s.Strict != nil && *s.Strict,
		}
		if len(s.Schema) > 0 && string(s.Schema) != "null" {
			if s.Schema[0] != '{' {
				return nil, invalid(CodeInvalidType, "response_format.json_schema.schema", "expected a JSON Schema object, got %s", jsonKind(s.Schema))
			}
			out.Schema = s.Schema
		}
		return out, nil
	case "":
		return nil, missing("response_format.type")
	}
	return nil, invalid(CodeInvalidValue, "response_format.type", `must be "text", "json_object" or "json_schema", got %q`, f.Type)
}
