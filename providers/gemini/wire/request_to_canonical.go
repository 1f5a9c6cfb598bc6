package wire

import (
	"encoding/json"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
)

// Limits the Gemini API enforces on generationConfig.
const (
	maxCandidateCount = 8
	maxStopSequences  = 5
)

// ToCanonicalRequest validates a decoded generateContent body for model
// and converts it to the canonical model. Fields with no canonical
// counterpart (safetySettings, cachedContent, built-in tools, topK, the
// original thinkingConfig, ...) are kept in ProviderOptions["gemini"], so
// that FromCanonicalRequest and Marshal write them back.
//
// Every failure is an *llm.Error of KindInvalidRequest with Gemini's
// wording and the offending field in Param.
func ToCanonicalRequest(model string, r *GenerateContentRequest) (*llm.Request, error) {
	if len(r.Contents) == 0 {
		return nil, invalid("contents", "* GenerateContentRequest.contents: contents is not specified\n")
	}
	out := &llm.Request{Model: strings.TrimPrefix(model, "models/")}
	var err error
	if out.Messages, err = contentsToCanonical(r.SystemInstruction, r.Contents); err != nil {
		return nil, err
	}
	extra := map[string]json.RawMessage{}
	if out.Tools, err = toolsToCanonical(r.Tools, extra); err != nil {
		return nil, err
	}
	if out.ToolChoice, err = toolConfigToCanonical(r.ToolConfig, out.Tools, extra); err != nil {
		return nil, err
	}
	if err := generationConfigToCanonical(r.GenerationConfig, out, extra); err != nil {
		return nil, err
	}
	if len(r.SafetySettings) > 0 {
		extra["safetySettings"], _ = json.Marshal(r.SafetySettings)
	}
	if r.CachedContent != "" {
		extra["cachedContent"], _ = json.Marshal(r.CachedContent)
	}
	if len(r.Labels) > 0 {
		extra["labels"], _ = json.Marshal(r.Labels)
	}
	if len(extra) > 0 {
		b, _ := json.Marshal(extra)
		out.ProviderOptions = map[string]json.RawMessage{ProviderOptionsKey: b}
	}
	return out, nil
}

func toolsToCanonical(tools []Tool, extra map[string]json.RawMessage) ([]llm.Tool, error) {
	var out []llm.Tool
	var builtin []Tool
	for i := range tools {
		t := &tools[i]
		for j := range t.FunctionDeclarations {
			d := &t.FunctionDeclarations[j]
			path := indexPath(joinPath(indexPath("tools", i), "function_declarations"), j)
			if d.Name == "" {
				return nil, invalid(joinPath(path, "name"), "* GenerateContentRequest.%s.name: Name cannot be empty.\n", path)
			}
			lt := llm.Tool{Name: d.Name, Description: d.Description}
			switch {
			case len(d.Parameters) > 0 && len(d.ParametersJSONSchema) > 0:
				return nil, invalid(path, "* GenerateContentRequest.%s: parameters and parameters_json_schema are mutually exclusive.\n", path)
			case len(d.ParametersJSONSchema) > 0 && string(d.ParametersJSONSchema) != "null":
				lt.Parameters = compactJSON(d.ParametersJSONSchema)
			case len(d.Parameters) > 0 && string(d.Parameters) != "null":
				js, err := ToJSONSchema(d.Parameters)
				if err != nil {
					return nil, invalid(joinPath(path, "parameters"), "Invalid value at '%s.parameters': %v", path, err)
				}
				lt.Parameters = js
			}
			out = append(out, lt)
		}
		bt := *t
		bt.FunctionDeclarations = nil
		if b, _ := json.Marshal(bt); string(b) != "{}" {
			builtin = append(builtin, bt)
		}
	}
	if len(builtin) > 0 {
		extra["tools"], _ = json.Marshal(builtin)
	}
	return out, nil
}

func toolConfigToCanonical(tc *ToolConfig, tools []llm.Tool, extra map[string]json.RawMessage) (*llm.ToolChoice, error) {
	if tc == nil {
		return nil, nil
	}
	if len(tc.RetrievalConfig) > 0 {
		extra["toolConfig"], _ = json.Marshal(ToolConfig{RetrievalConfig: tc.RetrievalConfig})
	}
	fc := tc.FunctionCallingConfig
	if fc == nil {
		return nil, nil
	}
	for _, name := range fc.AllowedFunctionNames {
		if !hasTool(tools, name) {
			return nil, invalid("tool_config.function_calling_config.allowed_function_names",
				"* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: %q is not a declared function.\n", name)
		}
	}
	switch strings.ToUpper(fc.Mode) {
	case "", "MODE_UNSPECIFIED", ModeAuto, ModeValidated:
		if len(fc.AllowedFunctionNames) > 0 {
			return nil, invalid("tool_config.function_calling_config.allowed_function_names",
				"* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: allowed_function_names can only be set when mode is ANY.\n")
		}
		return &llm.ToolChoice{Mode: llm.ToolChoiceAuto}, nil
	case ModeNone:
		return &llm.ToolChoice{Mode: llm.ToolChoiceNone}, nil
	case ModeAny:
		if len(tools) == 0 {
			return nil, invalid("tool_config.function_calling_config.mode",
				"* GenerateContentRequest.tool_config.function_calling_config.mode: function calling mode ANY requires function declarations.\n")
		}
		if len(fc.AllowedFunctionNames) == 1 {
			return &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: fc.AllowedFunctionNames[0]}, nil
		}
		// Several allowed names have no canonical form: any tool may be called.
		return &llm.ToolChoice{Mode: llm.ToolChoiceRequired}, nil
	}
	return nil, invalid("tool_config.function_calling_config.mode",
		"Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), %q", fc.Mode)
}

func hasTool(tools []llm.Tool, name string) bool {
	for i := range tools {
		if tools[i].Name == name {
			return true
		}
	}
	return false
}

func generationConfigToCanonical(gc *GenerationConfig, out *llm.Request, extra map[string]json.RawMessage) error {
	if gc == nil {
		return nil
	}
	const p = "generation_config"
	if t := gc.Temperature; t != nil && (*t < 0 || *t > 2) {
		return invalid(p+".temperature", "* GenerateContentRequest.generation_config.temperature: temperature must be in the range [0.0, 2.0]\n")
	}
	if t := gc.TopP; t != nil && (*t < 0 || *t > 1) {
		return invalid(p+".top_p", "* GenerateContentRequest.generation_config.top_p: top_p must be in the range [0.0, 1.0]\n")
	}
	if n := gc.CandidateCount; n != nil {
		if *n < 1 || *n > maxCandidateCount {
			return invalid(p+".candidate_count", "* GenerateContentRequest.generation_config.candidate_count: candidate_count must be in the range [1, 8]\n")
		}
		out.N = *n
	}
	if m := gc.MaxOutputTokens; m != nil {
		if *m < 1 {
			return invalid(p+".max_output_tokens", "* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be positive.\n")
		}
		out.MaxTokens = m
	}
	if len(gc.StopSequences) > maxStopSequences {
		return invalid(p+".stop_sequences", "* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences are allowed.\n")
	}
	out.Temperature, out.TopP, out.Seed = gc.Temperature, gc.TopP, gc.Seed
	out.PresencePenalty, out.FrequencyPenalty = gc.PresencePenalty, gc.FrequencyPenalty
	out.Stop = gc.StopSequences
	if err := responseFormatToCanonical(gc, out); err != nil {
		return err
	}
	if tc := gc.ThinkingConfig; tc != nil {
		out.Reasoning = reasoningToCanonical(tc)
	}
	// What has no canonical field travels in the provider options.
	rest := GenerationConfig{
		TopK: gc.TopK, ResponseModalities: gc.ResponseModalities, ResponseLogprobs: gc.ResponseLogprobs,
		Logprobs: gc.Logprobs, MediaResolution: gc.MediaResolution, SpeechConfig: gc.SpeechConfig,
		ImageConfig: gc.ImageConfig, EnableEnhancedCivicAnswers: gc.EnableEnhancedCivicAnswers,
		ThinkingConfig: gc.ThinkingConfig,
	}
	if b, _ := json.Marshal(rest); string(b) != "{}" {
		extra["generationConfig"] = b
	}
	return nil
}

func responseFormatToCanonical(gc *GenerationConfig, out *llm.Request) error {
	mimeType := strings.ToLower(strings.TrimSpace(gc.ResponseMimeType))
	hasSchema := len(gc.ResponseSchema) > 0 || len(gc.ResponseJSONSchema) > 0
	switch mimeType {
	case "", "text/plain":
		if hasSchema {
			return invalid("generation_config.response_mime_type",
				"* GenerateContentRequest.generation_config.response_mime_type: response_mime_type must be one of [application/json, text/x.enum] when response_schema is set.\n")
		}
		return nil
	case "application/json":
	case "text/x.enum":
		return nil // an enum answer is plain text
	default:
		return invalid("generation_config.response_mime_type",
			"* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are `text/plain`, `application/json`, `application/xml`, `application/yaml` and `text/x.enum`.\n")
	}
	if len(gc.ResponseSchema) > 0 && len(gc.ResponseJSONSchema) > 0 {
		return invalid("generation_config.response_schema",
			"* GenerateContentRequest.generation_config: response_schema and response_json_schema are mutually exclusive.\n")
	}
	switch {
	case len(gc.ResponseJSONSchema) > 0:
		out.ResponseFormat = &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema, Schema: compactJSON(gc.ResponseJSONSchema)}
	case len(gc.ResponseSchema) > 0:
		js, err := ToJSONSchema(gc.ResponseSchema)
		if err != nil {
			return invalid("generation_config.response_schema", "Invalid value at 'generation_config.response_schema': %v", err)
		}
		out.ResponseFormat = &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema, Schema: js}
	default:
		out.ResponseFormat = &llm.ResponseFormat{Type: llm.ResponseFormatJSONObject}
	}
	return nil
}

// reasoningToCanonical reads a thinking configuration: a positive budget is
// kept, -1 (dynamic) and a bare includeThoughts are a medium effort, a
// level is that effort, 0 turns thinking off.
func reasoningToCanonical(tc *ThinkingConfig) *llm.ReasoningConfig {
	switch {
	case tc.ThinkingBudget != nil && *tc.ThinkingBudget > 0:
		return &llm.ReasoningConfig{BudgetTokens: *tc.ThinkingBudget}
	case tc.ThinkingBudget != nil && *tc.ThinkingBudget == 0:
		return nil
	case tc.ThinkingLevel != "":
		return &llm.ReasoningConfig{Effort: strings.ToLower(tc.ThinkingLevel)}
	case tc.IncludeThoughts || tc.ThinkingBudget != nil:
		return &llm.ReasoningConfig{Effort: "medium"}
	}
	return nil
}
