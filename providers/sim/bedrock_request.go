package sim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

// Decoding and validating a Converse request the way Bedrock does: the
// checks that catch translator bugs (roles that do not alternate, blank
// text, a toolUse not answered in the next message, tool blocks without a
// toolConfig, a thinking budget over maxTokens, a reasoning signature that
// does not verify), answered with Bedrock's messages.

// bedrockCall is a decoded Converse request.
type bedrockCall struct {
	req      *llm.Request
	thinking bool
	// claude is set for Anthropic models, whose usage carries the cache
	// counts (twice) even when they are 0.
	claude bool
}

func decodeBedrock(body []byte, model string) (*bedrockCall, *bedrockError) {
	cr, err := wire.DecodeRequest(body)
	if err != nil {
		return nil, bedrockValidation(llm.AsError(err).Message)
	}
	family := wire.ModelFamily(model)
	if e := validateBedrock(cr, family); e != nil {
		return nil, e
	}
	req, err := wire.ToCanonicalRequest(cr, model)
	if err != nil {
		return nil, bedrockValidation(llm.AsError(err).Message)
	}
	_, thinking := cr.AdditionalModelRequestFields["thinking"]
	return &bedrockCall{req: req, thinking: thinking && req.Reasoning != nil, claude: family == "anthropic"}, nil
}

func validateBedrock(r *wire.ConverseRequest, family string) *bedrockError {
	if len(r.Messages) == 0 || r.Messages[0].Role != "user" {
		return bedrockValidation("A conversation must start with a user message. Try again with a conversation that starts with a user message.")
	}
	hasToolBlocks := false
	for i := range r.Messages {
		m := &r.Messages[i]
		if m.Role != "user" && m.Role != "assistant" {
			return bedrockValidation(fmt.Sprintf("1 validation error detected: Value '%s' at 'messages.%d.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]", m.Role, i+1))
		}
		if i > 0 && m.Role == r.Messages[i-1].Role {
			return bedrockValidation("A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.")
		}
		if len(m.Content) == 0 {
			return bedrockValidation(fmt.Sprintf("The content field in the Message object at messages.%d is empty. Add a ContentBlock object to the content field and try again.", i))
		}
		for j := range m.Content {
			b := &m.Content[j]
			if b.Kind() == wire.BlockText && strings.TrimSpace(b.Text) == "" {
				return bedrockValidation(fmt.Sprintf("The text field in the ContentBlock object at messages.%d.content.%d is blank. Add text to the text field, and try again.", i, j))
			}
			hasToolBlocks = hasToolBlocks || b.ToolUse != nil || b.ToolResult != nil
		}
	}
	for i := range r.System {
		if r.System[i].CachePoint == nil && r.System[i].GuardContent == nil && strings.TrimSpace(r.System[i].Text) == "" {
			return bedrockValidation(fmt.Sprintf("The text field in the SystemContentBlock object at system.%d is blank. Add text to the text field, and try again.", i))
		}
	}
	if hasToolBlocks && (r.ToolConfig == nil || len(r.ToolConfig.Tools) == 0) {
		return bedrockValidation("The toolConfig field must be defined when using toolUse and toolResult content blocks.")
	}
	if e := validateBedrockInference(r.InferenceConfig); e != nil {
		return e
	}
	if tc := r.ToolConfig; tc != nil {
		for i := range tc.Tools {
			if s := tc.Tools[i].ToolSpec; s != nil && !validBedrockToolName(s.Name) {
				return bedrockValidation(fmt.Sprintf("1 validation error detected: Value '%s' at 'toolConfig.tools.%d.member.toolSpec.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+", s.Name, i+1))
			}
		}
	}
	if e := validateBedrockThinking(r, family); e != nil {
		return e
	}
	if e := validateBedrockToolPairs(r.Messages); e != nil {
		return e
	}
	return validateBedrockSignatures(r.Messages)
}

func validateBedrockInference(ic *wire.InferenceConfig) *bedrockError {
	if ic == nil {
		return nil
	}
	if ic.MaxTokens != nil && *ic.MaxTokens < 1 {
		return bedrockValidation("1 validation error detected: Value '" + strconv.FormatInt(*ic.MaxTokens, 10) +
			"' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1")
	}
	if t := ic.Temperature; t != nil && (*t < 0 || *t > 1) {
		return bedrockValidation("1 validation error detected: Value '" + strconv.FormatFloat(*t, 'f', -1, 64) +
			"' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1")
	}
	if p := ic.TopP; p != nil && (*p < 0 || *p > 1) {
		return bedrockValidation("1 validation error detected: Value '" + strconv.FormatFloat(*p, 'f', -1, 64) +
			"' at 'inferenceConfig.topP' failed to satisfy constraint: Member must have value less than or equal to 1")
	}
	return nil
}

func validBedrockToolName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c != '-' && !isWordByte(c) {
			return false
		}
	}
	return true
}

// claudeDefaultMaxTokens is what Claude on Bedrock generates at most when
// maxTokens is not given.
const claudeDefaultMaxTokens = 4096

// validateBedrockThinking checks Claude's thinking the way the model does,
// and that no other family is sent Claude's field.
func validateBedrockThinking(r *wire.ConverseRequest, family string) *bedrockError {
	raw, ok := r.AdditionalModelRequestFields["thinking"]
	if !ok {
		return nil
	}
	if family != "anthropic" {
		return bedrockValidation("Malformed input request: extraneous key [thinking] is not permitted, please reformat your input and try again.")
	}
	var t struct {
		Type         string `json:"type"`
		BudgetTokens int64  `json:"budget_tokens"`
	}
	if json.Unmarshal(raw, &t) != nil || t.Type != "enabled" {
		return nil
	}
	if t.BudgetTokens < 1024 {
		return bedrockValidation("The model returned the following errors: thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
	}
	maxTokens := int64(claudeDefaultMaxTokens)
	if ic := r.InferenceConfig; ic != nil && ic.MaxTokens != nil {
		maxTokens = *ic.MaxTokens
	}
	if t.BudgetTokens >= maxTokens {
		return bedrockValidation("The model returned the following errors: `max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size")
	}
	if ic := r.InferenceConfig; ic != nil && ic.Temperature != nil && *ic.Temperature != 1 {
		return bedrockValidation("The model returned the following errors: `temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility")
	}
	if tc := r.ToolConfig; tc != nil && tc.ToolChoice != nil && (tc.ToolChoice.Any != nil || tc.ToolChoice.Tool != nil) {
		return bedrockValidation("The model returned the following errors: Thinking may not be enabled when tool_choice forces tool use.")
	}
	return nil
}

// validateBedrockToolPairs checks that the toolUse blocks of each assistant
// message are answered by toolResult blocks in the next message, and that
// every toolResult answers a toolUse of the message before it.
func validateBedrockToolPairs(msgs []wire.Message) *bedrockError {
	var open []string // toolUse ids of the previous (assistant) message
	for i := range msgs {
		m := &msgs[i]
		answered := make(map[string]bool, len(open))
		results := 0
		for j := range m.Content {
			b := &m.Content[j]
			if b.ToolResult == nil {
				continue
			}
			results++
			if m.Role != "user" || !containsString(open, b.ToolResult.ToolUseID) {
				if results > len(open) {
					return bedrockValidation(fmt.Sprintf("The number of toolResult blocks at messages.%d.content exceeds the number of toolUse blocks of previous turn.", i))
				}
				return bedrockValidation(fmt.Sprintf("The toolResult block at messages.%d.content.%d has a toolUseId that does not match a toolUse block of the previous turn.", i, j))
			}
			answered[b.ToolResult.ToolUseID] = true
		}
		var missing []string
		for _, id := range open {
			if !answered[id] {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			return bedrockValidation(fmt.Sprintf("Expected toolResult blocks at messages.%d.content for the following Ids: %s", i, strings.Join(missing, ", ")))
		}
		open = open[:0]
		if m.Role == "assistant" {
			for j := range m.Content {
				if b := &m.Content[j]; b.ToolUse != nil {
					open = append(open, b.ToolUse.ToolUseID)
				}
			}
		}
	}
	return nil
}

// validateBedrockSignatures checks the reasoning blocks sent back: each must
// carry the signature the simulator gave it, unchanged.
func validateBedrockSignatures(msgs []wire.Message) *bedrockError {
	for i := range msgs {
		if msgs[i].Role != "assistant" {
			continue
		}
		for j := range msgs[i].Content {
			rc := msgs[i].Content[j].ReasoningContent
			if rc == nil || rc.ReasoningText == nil {
				continue
			}
			if rc.ReasoningText.Signature != thinkingSignature(rc.ReasoningText.Text) {
				return bedrockValidation("The model returned the following errors: messages." + strconv.Itoa(i) + ".content." + strconv.Itoa(j) + ": Invalid `signature` in `thinking` block")
			}
		}
	}
	return nil
}
