package wire

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
	anthropicwire "github.com/switchboard-gw/switchboard/providers/anthropic/wire"
	"github.com/switchboard-gw/switchboard/providers/internal/wireutil"
)

// The request members around the messages: tools and tool choice,
// reasoning, the JSON response format, and the provider options.

// defaultInputSchema is the schema of a tool without parameters: the API
// requires inputSchema.json, an object schema.
var defaultInputSchema = json.RawMessage(`{"type":"object","properties":{}}`)

func toolSpecFromCanonical(t *llm.Tool) Tool {
	schema := t.Parameters
	if trimmed := bytes.TrimSpace(schema); len(trimmed) == 0 || string(trimmed) == "null" || string(trimmed) == "{}" {
		schema = defaultInputSchema
	}
	return Tool{ToolSpec: &ToolSpec{Name: t.Name, Description: t.Description, InputSchema: InputSchema{JSON: schema}}}
}

// toolConfigFromCanonical writes the tools, a cache point after each tool
// with a cache hint, and the tool choice. Converse has no "none": without
// tool blocks in the conversation the tools are left out, which is the same;
// with them the API requires the tools to be defined, so they are sent with
// no choice (the model may then call one: the difference is documented).
func toolConfigFromCanonical(r *llm.Request, msgs []Message) *ToolConfig {
	if len(r.Tools) == 0 {
		return nil
	}
	tc := &ToolConfig{Tools: make([]Tool, 0, len(r.Tools))}
	for i := range r.Tools {
		tc.Tools = append(tc.Tools, toolSpecFromCanonical(&r.Tools[i]))
		if r.Tools[i].CacheControl != nil {
			tc.Tools = append(tc.Tools, Tool{CachePoint: defaultCachePoint()})
		}
	}
	if c := r.ToolChoice; c != nil {
		switch c.Mode {
		case llm.ToolChoiceAuto:
			tc.ToolChoice = &ToolChoice{Auto: &Empty{}}
		case llm.ToolChoiceRequired:
			tc.ToolChoice = &ToolChoice{Any: &Empty{}}
		case llm.ToolChoiceFunction:
			tc.ToolChoice = &ToolChoice{Tool: &SpecificToolRef{Name: c.Name}}
		case llm.ToolChoiceNone:
			if !hasToolBlocks(msgs) {
				return nil
			}
		}
	}
	return tc
}

func hasToolBlocks(msgs []Message) bool {
	for i := range msgs {
		for j := range msgs[i].Content {
			if b := &msgs[i].Content[j]; b.ToolUse != nil || b.ToolResult != nil {
				return true
			}
		}
	}
	return false
}

// ModelFamily returns the provider part of a Bedrock model id ("anthropic"
// for "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "amazon" for Nova,
// "openai", "meta", ...), skipping a cross-region inference prefix and an
// ARN's resource path. It returns "" when the id does not say (an
// application inference profile ARN).
func ModelFamily(model string) string {
	if strings.HasPrefix(model, "arn:") {
		i := strings.LastIndexByte(model, '/')
		if i < 0 {
			return ""
		}
		model = model[i+1:]
	}
	family, rest, ok := strings.Cut(model, ".")
	if !ok {
		return ""
	}
	switch family {
	case "us", "eu", "apac", "global", "us-gov", "jp", "au", "ca":
		family, _, ok = strings.Cut(rest, ".")
		if !ok {
			return ""
		}
	}
	return family
}

// reasoningFromCanonical asks for reasoning the way the model's family
// takes it, in additionalModelRequestFields: Claude's thinking with a token
// budget (the effort words map through the Anthropic translator's table, and
// maxTokens is raised or checked to stay above the budget), Nova's
// reasoningConfig with an effort, gpt-oss's reasoning_effort. DeepSeek
// models always reason and take no setting. Other families have no known
// setting: the request is refused rather than sent without reasoning. It
// reports whether Claude thinking is on (forced tool use is then refused by
// the model).
func reasoningFromCanonical(r *llm.Request, opts RequestOptions, out *ConverseRequest) (thinking bool, err error) {
	rc := r.Reasoning
	if rc == nil || (rc.BudgetTokens <= 0 && (rc.Effort == "" || rc.Effort == "none")) {
		return false, nil
	}
	switch family := ModelFamily(r.Model); family {
	case "anthropic":
		return true, claudeThinking(r, opts, out)
	case "amazon":
		effort, err := effortOf(rc)
		if err != nil {
			return false, err
		}
		setModelField(out, "reasoningConfig", map[string]string{"type": "enabled", "maxReasoningEffort": effort})
	case "openai":
		effort, err := effortOf(rc)
		if err != nil {
			return false, err
		}
		setModelField(out, "reasoning_effort", effort)
	case "deepseek":
	default:
		if family == "" {
			family = "this model id"
		}
		return false, wireutil.Invalid(CodeUnsupported, "reasoning_effort",
			"the gateway does not know how %s takes a reasoning setting on Bedrock; set it in provider_options.%s.additionalModelRequestFields",
			family, ProviderOptionsKey)
	}
	return false, nil
}

// claudeThinking sets thinking {type: enabled, budget_tokens} and keeps
// maxTokens above the budget, as the Anthropic translator does.
func claudeThinking(r *llm.Request, opts RequestOptions, out *ConverseRequest) error {
	rc := r.Reasoning
	maxTokens := opts.DefaultMaxTokens
	if maxTokens <= 0 {
		maxTokens = DefaultMaxTokens
	}
	explicit := r.MaxTokens != nil
	if explicit {
		maxTokens = *r.MaxTokens
	}
	budget, fromEffort := rc.BudgetTokens, false
	if budget <= 0 {
		var ok bool
		if budget, ok = anthropicwire.BudgetForEffort(rc.Effort); !ok {
			return wireutil.Invalid(CodeInvalidValue, "reasoning_effort", "unknown effort %q; expected minimal, low, medium or high", rc.Effort)
		}
		fromEffort = true
	}
	budget = max(budget, anthropicwire.MinThinkingBudget)
	if budget >= maxTokens {
		switch {
		case !explicit:
			maxTokens += budget
		case fromEffort && maxTokens > anthropicwire.MinThinkingBudget:
			budget = maxTokens - 1
		default:
			return wireutil.Invalid(CodeInvalidValue, "max_tokens",
				"must be greater than the thinking budget (%d tokens; Claude's minimum budget is %d)", budget, anthropicwire.MinThinkingBudget)
		}
	}
	out.InferenceConfig.MaxTokens = &maxTokens // thinking needs a bound above its budget
	setModelField(out, "thinking", map[string]any{"type": "enabled", "budget_tokens": budget})
	return nil
}

// effortOf returns an effort word Nova and gpt-oss accept (low, medium,
// high), from the effort or from a budget (up to 1024 low, up to 8192
// medium, more high: the inverse of the budget table).
func effortOf(rc *llm.ReasoningConfig) (string, error) {
	switch rc.Effort {
	case "minimal", "low":
		return "low", nil
	case "medium":
		return "medium", nil
	case "high", "xhigh", "max":
		return "high", nil
	case "", "none":
	default:
		return "", wireutil.Invalid(CodeInvalidValue, "reasoning_effort", "unknown effort %q; expected minimal, low, medium or high", rc.Effort)
	}
	switch {
	case rc.BudgetTokens <= anthropicwire.MinThinkingBudget:
		return "low", nil
	case rc.BudgetTokens <= 8192:
		return "medium", nil
	}
	return "high", nil
}

func setModelField(out *ConverseRequest, name string, v any) {
	b, _ := json.Marshal(v)
	if out.AdditionalModelRequestFields == nil {
		out.AdditionalModelRequestFields = make(map[string]json.RawMessage)
	}
	out.AdditionalModelRequestFields[name] = b
}

// responseFormatFromCanonical asks for JSON with the answer tool: Converse
// has no response format. The tool's input schema is the requested schema
// ({"type":"object"} for json_object); it is forced when the caller has no
// tools of their own (or chose none), else offered beside them. With Claude
// thinking the model refuses forced tool use: the tool is offered with
// auto, and its description asks for it.
func responseFormatFromCanonical(r *llm.Request, thinking bool, out *ConverseRequest) error {
	f := r.ResponseFormat
	if f == nil || (f.Type != llm.ResponseFormatJSONSchema && f.Type != llm.ResponseFormatJSONObject) {
		return nil
	}
	schema := json.RawMessage(`{"type":"object"}`)
	if f.Type == llm.ResponseFormatJSONSchema {
		schema = f.Schema
		if !schemaIsObject(schema) {
			return wireutil.Invalid(CodeUnsupported, "response_format.json_schema.schema",
				"Bedrock answers in JSON through a tool, whose input must be an object: the schema's type must be \"object\"")
		}
	}
	for i := range r.Tools {
		if r.Tools[i].Name == AnswerToolName {
			return wireutil.Invalid(CodeInvalidValue, wireutil.IndexPath("tools", i)+".function.name",
				"%q is reserved for the JSON response format on Bedrock", AnswerToolName)
		}
	}
	desc := f.Description
	if desc == "" {
		desc = "Give your final answer by calling this tool: its input is the response, a JSON object matching the schema."
	}
	forced := out.ToolConfig == nil || (r.ToolChoice != nil && r.ToolChoice.Mode == llm.ToolChoiceNone)
	if out.ToolConfig == nil {
		out.ToolConfig = &ToolConfig{}
	}
	out.ToolConfig.Tools = append(out.ToolConfig.Tools, Tool{ToolSpec: &ToolSpec{Name: AnswerToolName, Description: desc, InputSchema: InputSchema{JSON: schema}}})
	out.AnswerTool = AnswerToolName
	switch {
	case thinking:
		out.ToolConfig.ToolChoice = &ToolChoice{Auto: &Empty{}}
	case forced:
		out.ToolConfig.ToolChoice = &ToolChoice{Tool: &SpecificToolRef{Name: AnswerToolName}}
	}
	return nil
}

// schemaIsObject reports whether a schema describes objects: its type is
// "object" or absent.
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

// mergeProviderOptions merges ProviderOptions["bedrock"] and then
// ProviderOptions[provider] into the body: additionalModelRequestFields
// member by member with the converted ones (so that top_k and a converted
// thinking coexist), every other member at the top level, where it wins over
// the converted member of the same name.
func mergeProviderOptions(po map[string]json.RawMessage, provider string, out *ConverseRequest) error {
	if len(po) == 0 {
		return nil
	}
	keys := []string{ProviderOptionsKey}
	if provider != "" && provider != ProviderOptionsKey {
		keys = append(keys, provider)
	}
	for _, key := range keys {
		raw := bytes.TrimSpace(po[key])
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var m map[string]json.RawMessage
		if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
			return wireutil.Invalid(CodeInvalidType, "provider_options."+key, "expected a JSON object")
		}
		for k, v := range m {
			if k != "additionalModelRequestFields" {
				if out.Extra == nil {
					out.Extra = make(map[string]json.RawMessage)
				}
				out.Extra[k] = v
				continue
			}
			var fields map[string]json.RawMessage
			if t := bytes.TrimSpace(v); len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &fields) != nil {
				return wireutil.Invalid(CodeInvalidType, "provider_options."+key+".additionalModelRequestFields", "expected a JSON object")
			}
			for fk, fv := range fields {
				setModelField(out, fk, fv)
			}
		}
	}
	return nil
}
