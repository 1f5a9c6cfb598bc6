package wire

import (
	"bytes"
	"encoding/json"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/internal/wireutil"
)

// The request fields around the messages: tools and tool choice, thinking
// and max_tokens, the JSON response format, and the provider options.

// defaultInputSchema is the schema of a tool without parameters: the API
// requires input_schema, with type object.
var defaultInputSchema = json.RawMessage(`{"type":"object","properties":{}}`)

func toolFromCanonical(t *llm.Tool) Tool {
	schema := t.Parameters
	if trimmed := bytes.TrimSpace(schema); len(trimmed) == 0 || string(trimmed) == "null" || string(trimmed) == "{}" {
		schema = defaultInputSchema
	}
	return Tool{Name: t.Name, Description: t.Description, InputSchema: schema, CacheControl: cacheControlFromCanonical(t.CacheControl)}
}

// Tool choice types.
const (
	ChoiceAuto = "auto"
	ChoiceAny  = "any"
	ChoiceTool = "tool"
	ChoiceNone = "none"
)

func toolChoiceFromCanonical(tc *llm.ToolChoice, parallel *bool, hasTools bool) *ToolChoice {
	if !hasTools {
		return nil // the API has nothing to choose from; "none" is the same as no tools
	}
	var out *ToolChoice
	if tc != nil {
		switch tc.Mode {
		case llm.ToolChoiceAuto:
			out = &ToolChoice{Type: ChoiceAuto}
		case llm.ToolChoiceRequired:
			out = &ToolChoice{Type: ChoiceAny}
		case llm.ToolChoiceFunction:
			out = &ToolChoice{Type: ChoiceTool, Name: tc.Name}
		case llm.ToolChoiceNone:
			return &ToolChoice{Type: ChoiceNone}
		}
	}
	if parallel != nil && !*parallel {
		if out == nil {
			out = &ToolChoice{Type: ChoiceAuto}
		}
		disable := true
		out.DisableParallelToolUse = &disable
	}
	return out
}

func cacheControlFromCanonical(c *llm.CacheControl) *CacheControl {
	if c == nil {
		return nil
	}
	typ := c.Type
	if typ == "" {
		typ = "ephemeral"
	}
	return &CacheControl{Type: typ, TTL: c.TTL}
}

// BudgetForEffort maps a reasoning effort (OpenAI's reasoning_effort words,
// and Anthropic's own effort levels) to a thinking budget in tokens. It is
// the inverse of the OpenAI translator's mapping from budgets to efforts
// (up to 1024 low, up to 8192 medium, more high). "none" and unknown words
// report false.
func BudgetForEffort(effort string) (int64, bool) {
	switch effort {
	case "minimal", "low":
		return MinThinkingBudget, true
	case "medium":
		return 8192, true
	case "high":
		return 24576, true
	case "xhigh", "max":
		return 32768, true
	}
	return 0, false
}

// thinkingFromCanonical sets max_tokens and thinking together: the API needs
// max_tokens greater than the thinking budget.
func thinkingFromCanonical(r *llm.Request, opts RequestOptions, out *MessagesRequest) error {
	maxTokens := opts.DefaultMaxTokens
	if maxTokens <= 0 {
		maxTokens = DefaultMaxTokens
	}
	explicit := r.MaxTokens != nil
	if explicit {
		maxTokens = *r.MaxTokens
	}
	defer func() { out.MaxTokens = &maxTokens }()
	rc := r.Reasoning
	if rc == nil || (rc.BudgetTokens <= 0 && (rc.Effort == "" || rc.Effort == "none")) {
		return nil
	}
	budget, fromEffort := rc.BudgetTokens, false
	if budget <= 0 {
		var ok bool
		if budget, ok = BudgetForEffort(rc.Effort); !ok {
			return wireutil.Invalid(CodeInvalidValue, "reasoning_effort", "unknown effort %q; expected minimal, low, medium or high", rc.Effort)
		}
		fromEffort = true
	}
	budget = max(budget, MinThinkingBudget)
	if budget >= maxTokens {
		switch {
		case !explicit:
			maxTokens = budget + maxTokens
		case fromEffort && maxTokens > MinThinkingBudget:
			budget = maxTokens - 1
		default:
			return wireutil.Invalid(CodeInvalidValue, "max_tokens",
				"must be greater than the thinking budget (%d tokens; Anthropic's minimum budget is %d)", budget, MinThinkingBudget)
		}
	}
	out.Thinking = &Thinking{Type: "enabled", BudgetTokens: budget}
	return nil
}

// responseFormatFromCanonical asks for JSON with the answer tool or, when
// configured, the native output format.
func responseFormatFromCanonical(r *llm.Request, opts RequestOptions, out *MessagesRequest) error {
	f := r.ResponseFormat
	if f == nil || (f.Type != llm.ResponseFormatJSONSchema && f.Type != llm.ResponseFormatJSONObject) {
		return nil
	}
	schema := json.RawMessage(`{"type":"object"}`)
	if f.Type == llm.ResponseFormatJSONSchema {
		schema = f.Schema
		if opts.NativeStructuredOutput {
			out.OutputConfig = &OutputConfig{Format: &OutputFormat{Type: "json_schema", Schema: schema}}
			return nil
		}
		if !schemaIsObject(schema) {
			return wireutil.Invalid(CodeUnsupported, "response_format.json_schema.schema",
				"Anthropic answers in JSON through a tool, whose input must be an object: the schema's type must be \"object\"")
		}
	}
	for i := range r.Tools {
		if r.Tools[i].Name == AnswerToolName {
			return wireutil.Invalid(CodeInvalidValue, wireutil.IndexPath("tools", i)+".function.name",
				"%q is reserved for the JSON response format on Anthropic", AnswerToolName)
		}
	}
	desc := f.Description
	if desc == "" {
		desc = "Give your final answer by calling this tool: its input is the response, a JSON object matching the schema."
	}
	out.Tools = append(out.Tools, Tool{Name: AnswerToolName, Description: desc, InputSchema: schema})
	out.AnswerTool = AnswerToolName
	userChoice := out.ToolChoice
	forced := len(r.Tools) == 0 || (userChoice != nil && userChoice.Type == ChoiceNone)
	switch {
	case out.Thinking != nil:
		// The API refuses forced tool use with thinking: offer the tool.
		out.ToolChoice = &ToolChoice{Type: ChoiceAuto}
	case forced:
		out.ToolChoice = &ToolChoice{Type: ChoiceTool, Name: AnswerToolName}
	}
	return nil
}

// schemaIsObject reports whether a schema describes objects: its type is
// "object" or absent (then properties make it an object schema).
func schemaIsObject(schema json.RawMessage) bool {
	var s struct {
		Type json.RawMessage `json:"type"`
	}
	if json.Unmarshal(schema, &s) != nil {
		return false
	}
	t := bytes.TrimSpace(s.Type)
	return len(t) == 0 || string(t) == `"object"`
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
		raw := bytes.TrimSpace(po[key])
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var m map[string]json.RawMessage
		if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
			return nil, wireutil.Invalid(CodeInvalidType, "provider_options."+key, "expected a JSON object")
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

// mergeOutputConfigOption merges an output_config provider option into the
// converted output_config member by member, so that an option such as
// {"output_config": {"effort": "high"}} and a native JSON format coexist.
func mergeOutputConfigOption(out *MessagesRequest) error {
	raw, ok := out.Extra["output_config"]
	if !ok || out.OutputConfig == nil {
		return nil
	}
	var oc OutputConfig
	if err := json.Unmarshal(raw, &oc); err != nil {
		return wireutil.Invalid(CodeInvalidType, "provider_options."+ProviderOptionsKey+".output_config", "expected a JSON object")
	}
	if oc.Format != nil {
		out.OutputConfig.Format = oc.Format
	}
	for k, v := range oc.Extra {
		if out.OutputConfig.Extra == nil {
			out.OutputConfig.Extra = make(map[string]json.RawMessage)
		}
		out.OutputConfig.Extra[k] = v
	}
	delete(out.Extra, "output_config")
	return nil
}
