package wire

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/switchboard-gw/switchboard/llm"
)

// ProviderOptionsKey is the key of llm.Request.ProviderOptions that holds
// Gemini request fields with no canonical field (safetySettings,
// cachedContent, built-in tools, generationConfig extras, ...).
const ProviderOptionsKey = "gemini"

// RequestOptions describes how a request is written.
type RequestOptions struct {
	// Provider is the instance name: ProviderOptions[Provider] is merged
	// after ProviderOptions["gemini"].
	Provider string
	// OpenAPISchema sends tool parameters and response schemas in Gemini's
	// OpenAPI subset (parameters, responseSchema) instead of JSON Schema
	// (parametersJsonSchema, responseJsonSchema), for models before Gemini
	// 2.5. A schema that cannot be converted (a recursive $ref) is still
	// sent as JSON Schema.
	OpenAPISchema bool
}

// Thinking budgets for the canonical reasoning efforts (the mapping of
// Google's OpenAI-compatible endpoint; "minimal" is the smallest budget
// every 2.5 model accepts).
var effortBudgets = map[string]int64{"none": 0, "minimal": 128, "low": 1024, "medium": 8192, "high": 24576}

// ThinkingBudgetForEffort returns the thinking budget for a reasoning
// effort, and false for an unknown effort.
func ThinkingBudgetForEffort(effort string) (int64, bool) {
	b, ok := effortBudgets[effort]
	return b, ok
}

// FromCanonicalRequest converts a canonical request to a generateContent
// body. The model is not part of the body (it is in the URL path).
//
// Errors are *llm.Error of KindInvalidRequest: a tool result whose call
// cannot be found, tool-call arguments that are not a JSON object, a
// provider option that is not a JSON object, an unknown reasoning effort.
func FromCanonicalRequest(r *llm.Request, opts RequestOptions) (*GenerateContentRequest, error) {
	out := &GenerateContentRequest{}
	var err error
	if out.SystemInstruction, out.Contents, err = contentsFromCanonical(r.Messages); err != nil {
		return nil, err
	}
	if len(r.Tools) > 0 {
		decls := make([]FunctionDeclaration, len(r.Tools))
		for i := range r.Tools {
			if decls[i], err = declarationFromCanonical(&r.Tools[i], opts, indexPath("tools", i)); err != nil {
				return nil, err
			}
		}
		out.Tools = []Tool{{FunctionDeclarations: decls}}
	}
	out.ToolConfig = toolConfigFromCanonical(r.ToolChoice)
	gc, err := generationConfigFromCanonical(r, opts)
	if err != nil {
		return nil, err
	}
	out.GenerationConfig = gc
	return out, nil
}

func declarationFromCanonical(t *llm.Tool, opts RequestOptions, path string) (FunctionDeclaration, error) {
	d := FunctionDeclaration{Name: t.Name, Description: t.Description}
	params := bytes.TrimSpace(t.Parameters)
	if len(params) == 0 || string(params) == "null" {
		return d, nil
	}
	if params[0] != '{' {
		return d, invalid(joinPath(path, "function.parameters"), "%s: the parameters must be a JSON Schema object", path)
	}
	if opts.OpenAPISchema {
		conv, err := ToOpenAPISchema(params)
		switch {
		case err == nil:
			d.Parameters = conv
			return d, nil
		case !errors.Is(err, errRecursiveSchema):
			return d, invalid(joinPath(path, "function.parameters"), "%s: the parameters are not a valid JSON Schema: %v", path, err)
		}
	}
	d.ParametersJSONSchema = params
	return d, nil
}

func toolConfigFromCanonical(tc *llm.ToolChoice) *ToolConfig {
	if tc == nil {
		return nil
	}
	fc := &FunctionCallingConfig{}
	switch tc.Mode {
	case llm.ToolChoiceAuto:
		fc.Mode = ModeAuto
	case llm.ToolChoiceNone:
		fc.Mode = ModeNone
	case llm.ToolChoiceRequired:
		fc.Mode = ModeAny
	case llm.ToolChoiceFunction:
		fc.Mode = ModeAny
		fc.AllowedFunctionNames = []string{tc.Name}
	default:
		return nil
	}
	return &ToolConfig{FunctionCallingConfig: fc}
}

// generationConfigFromCanonical returns nil when the request sets nothing
// generationConfig holds.
func generationConfigFromCanonical(r *llm.Request, opts RequestOptions) (*GenerationConfig, error) {
	gc := GenerationConfig{
		Temperature:      r.Temperature,
		TopP:             r.TopP,
		MaxOutputTokens:  r.MaxTokens,
		Seed:             r.Seed,
		PresencePenalty:  r.PresencePenalty,
		FrequencyPenalty: r.FrequencyPenalty,
		StopSequences:    r.Stop,
	}
	if r.N > 1 {
		n := r.N
		gc.CandidateCount = &n
	}
	if f := r.ResponseFormat; f != nil {
		switch f.Type {
		case llm.ResponseFormatJSONObject:
			gc.ResponseMimeType = "application/json"
		case llm.ResponseFormatJSONSchema:
			gc.ResponseMimeType = "application/json"
			schema := bytes.TrimSpace(f.Schema)
			if len(schema) == 0 || schema[0] != '{' {
				return nil, invalid("response_format.json_schema.schema", "a json_schema response format needs a JSON Schema object")
			}
			gc.ResponseJSONSchema = schema
			if opts.OpenAPISchema {
				conv, err := ToOpenAPISchema(schema)
				switch {
				case err == nil:
					gc.ResponseSchema, gc.ResponseJSONSchema = conv, nil
				case !errors.Is(err, errRecursiveSchema):
					return nil, invalid("response_format.json_schema.schema", "the response schema is not a valid JSON Schema: %v", err)
				}
			}
		}
	}
	if rc := r.Reasoning; rc != nil {
		budget := rc.BudgetTokens
		if budget <= 0 && rc.Effort != "" {
			b, ok := ThinkingBudgetForEffort(rc.Effort)
			if !ok {
				return nil, invalid("reasoning_effort", "unknown reasoning effort %q (want none, minimal, low, medium or high)", rc.Effort)
			}
			budget = b
		}
		if budget > 0 || rc.Effort != "" {
			gc.ThinkingConfig = &ThinkingConfig{ThinkingBudget: &budget, IncludeThoughts: budget != 0}
		}
	}
	if isEmptyGenerationConfig(&gc) {
		return nil, nil
	}
	return &gc, nil
}

func isEmptyGenerationConfig(gc *GenerationConfig) bool {
	return gc.Temperature == nil && gc.TopP == nil && gc.MaxOutputTokens == nil && gc.Seed == nil &&
		gc.PresencePenalty == nil && gc.FrequencyPenalty == nil && len(gc.StopSequences) == 0 &&
		gc.CandidateCount == nil && gc.ResponseMimeType == "" && gc.ThinkingConfig == nil
}

// Marshal writes req as a generateContent body with the request's provider
// options merged in (see the package documentation for the rules).
func Marshal(req *GenerateContentRequest, po map[string]json.RawMessage, opts RequestOptions) ([]byte, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	keys := []string{ProviderOptionsKey}
	if opts.Provider != "" && opts.Provider != ProviderOptionsKey {
		keys = append(keys, opts.Provider)
	}
	var body map[string]json.RawMessage
	for _, key := range keys {
		raw := bytes.TrimSpace(po[key])
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var m map[string]json.RawMessage
		if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
			return nil, invalid("provider_options."+key, "provider_options.%s must be a JSON object", key)
		}
		if body == nil {
			if err := json.Unmarshal(b, &body); err != nil {
				return nil, err
			}
		}
		if err := mergeOptions(body, m, key); err != nil {
			return nil, err
		}
	}
	if body == nil {
		return b, nil
	}
	return json.Marshal(body)
}

// mergeOptions applies one provider-options object to the body.
func mergeOptions(body, opts map[string]json.RawMessage, key string) error {
	for k, v := range opts {
		switch k {
		case "generationConfig", "toolConfig":
			merged, err := mergeObjects(body[k], v)
			if err != nil {
				return invalid("provider_options."+key+"."+k, "provider_options.%s.%s must be a JSON object", key, k)
			}
			body[k] = merged
		case "tools":
			var have, add []json.RawMessage
			if len(body[k]) > 0 {
				_ = json.Unmarshal(body[k], &have)
			}
			if json.Unmarshal(v, &add) != nil {
				return invalid("provider_options."+key+".tools", "provider_options.%s.tools must be an array", key)
			}
			all, _ := json.Marshal(append(have, add...))
			body[k] = all
		default:
			body[k] = v
		}
	}
	return nil
}

// mergeObjects sets the members of add on base (both JSON objects; base may
// be empty).
func mergeObjects(base, add json.RawMessage) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if len(bytes.TrimSpace(base)) > 0 {
		if err := json.Unmarshal(base, &m); err != nil {
			return nil, err
		}
	}
	var a map[string]json.RawMessage
	if err := json.Unmarshal(add, &a); err != nil || a == nil {
		return nil, errors.New("not an object")
	}
	if m == nil {
		m = a
	} else {
		for k, v := range a {
			m[k] = v
		}
	}
	return json.Marshal(m)
}
