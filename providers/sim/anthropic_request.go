package sim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
)

// Decoding and validating a Messages request the way the real API does:
// the checks that catch translator bugs (a tool_use not answered in the next
// message, a tool_result answering nothing, a thinking block whose
// signature does not verify, a thinking budget over max_tokens) answered
// with the real API's messages.

// anthropicCall is a decoded Messages request.
type anthropicCall struct {
	req      *llm.Request
	stream   bool
	thinking bool
	// cacheTTL1h is set when a cache breakpoint asks for the 1-hour TTL, so
	// that cache writes are reported in that bucket.
	cacheTTL1h bool
}

func decodeAnthropic(body []byte) (*anthropicCall, *anthropicError) {
	mr, err := wire.DecodeRequest(body)
	if err != nil {
		return nil, anthropicInvalid(llm.AsError(err).Message)
	}
	if e := validateAnthropic(mr); e != nil {
		return nil, e
	}
	req, err := wire.ToCanonicalRequest(mr)
	if err != nil {
		return nil, anthropicInvalid(llm.AsError(err).Message)
	}
	call := &anthropicCall{req: req, stream: mr.Stream, thinking: mr.Thinking != nil && mr.Thinking.Type == "enabled"}
	call.cacheTTL1h = asksOneHourCache(req) || strings.Contains(string(mr.Extra["cache_control"]), `"1h"`)
	return call, nil
}

// asksOneHourCache reports whether a cache breakpoint of the request asks
// for the 1-hour TTL.
func asksOneHourCache(req *llm.Request) bool {
	for i := range req.Messages {
		for j := range req.Messages[i].Parts {
			if cc := req.Messages[i].Parts[j].CacheControl; cc != nil && cc.TTL == "1h" {
				return true
			}
		}
	}
	for i := range req.Tools {
		if cc := req.Tools[i].CacheControl; cc != nil && cc.TTL == "1h" {
			return true
		}
	}
	return false
}

func validateAnthropic(r *wire.MessagesRequest) *anthropicError {
	switch {
	case r.Model == "":
		return anthropicInvalid("model: Field required")
	case r.MaxTokens == nil:
		return anthropicInvalid("max_tokens: Field required")
	case *r.MaxTokens < 1:
		return anthropicInvalid("max_tokens: Input should be greater than or equal to 1")
	case r.Messages == nil:
		return anthropicInvalid("messages: Field required")
	case len(r.Messages) == 0:
		return anthropicInvalid("messages: at least one message is required")
	}
	if r.Temperature != nil && (*r.Temperature < 0 || *r.Temperature > 1) {
		bound := "less than or equal to 1"
		if *r.Temperature < 0 {
			bound = "greater than or equal to 0"
		}
		return anthropicInvalid("temperature: Input should be " + bound)
	}
	for i := range r.Messages {
		if role := r.Messages[i].Role; role != "user" && role != "assistant" {
			return anthropicInvalid(fmt.Sprintf("messages.%d.role: Input should be 'user' or 'assistant'", i))
		}
	}
	for i := range r.Tools {
		if !validToolName(r.Tools[i].Name) {
			return anthropicInvalid(fmt.Sprintf("tools.%d.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'", i))
		}
	}
	if e := validateThinking(r); e != nil {
		return e
	}
	if e := validateToolPairs(r.Messages); e != nil {
		return e
	}
	return validateSignatures(r.Messages)
}

func validToolName(name string) bool {
	if name == "" || len(name) > 128 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c != '-' && !isWordByte(c) {
			return false
		}
	}
	return true
}

func validateThinking(r *wire.MessagesRequest) *anthropicError {
	t := r.Thinking
	if t == nil || t.Type != "enabled" {
		return nil
	}
	if t.BudgetTokens < wire.MinThinkingBudget {
		return anthropicInvalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
	}
	if t.BudgetTokens >= *r.MaxTokens {
		return anthropicInvalid("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size")
	}
	if r.Temperature != nil && *r.Temperature != 1 {
		return anthropicInvalid("`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility")
	}
	if tc := r.ToolChoice; tc != nil && (tc.Type == wire.ChoiceAny || tc.Type == wire.ChoiceTool) {
		return anthropicInvalid("Thinking may not be enabled when tool_choice forces tool use.")
	}
	return nil
}

// validateToolPairs checks that the tool_use blocks of each assistant
// message are answered by tool_result blocks in the next message, and that
// every tool_result answers a tool_use of the message before it.
func validateToolPairs(msgs []wire.Message) *anthropicError {
	var open []string // tool_use ids of the previous (assistant) message
	for i := range msgs {
		m := &msgs[i]
		answered := make(map[string]bool, len(open))
		for j := range m.Content.Blocks {
			b := &m.Content.Blocks[j]
			if b.Type != wire.BlockToolResult {
				continue
			}
			if m.Role != "user" || !containsString(open, b.ToolUseID) {
				return anthropicInvalid(fmt.Sprintf("messages.%d.content.%d: unexpected `tool_use_id` found in `tool_result` blocks: %s. "+
					"Each `tool_result` block must have a corresponding `tool_use` block in the previous message.", i, j, b.ToolUseID))
			}
			answered[b.ToolUseID] = true
		}
		var missing []string
		for _, id := range open {
			if !answered[id] {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			return anthropicInvalid(fmt.Sprintf("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s. "+
				"Each `tool_use` block must have a corresponding `tool_result` block in the next message.", i-1, strings.Join(missing, ", ")))
		}
		open = open[:0]
		if m.Role == "assistant" {
			for j := range m.Content.Blocks {
				if b := &m.Content.Blocks[j]; b.Type == wire.BlockToolUse {
					open = append(open, b.ID)
				}
			}
		}
	}
	// Tool uses in a final assistant message (a prefill) answer nothing yet.
	return nil
}

// validateSignatures checks the thinking blocks sent back: each must carry
// the signature the simulator gave it, unchanged.
func validateSignatures(msgs []wire.Message) *anthropicError {
	for i := range msgs {
		if msgs[i].Role != "assistant" {
			continue
		}
		for j := range msgs[i].Content.Blocks {
			b := &msgs[i].Content.Blocks[j]
			if b.Type == wire.BlockThinking && b.Signature != thinkingSignature(b.Thinking) {
				return anthropicInvalid("messages." + strconv.Itoa(i) + ".content." + strconv.Itoa(j) + ": Invalid `signature` in `thinking` block")
			}
		}
	}
	return nil
}
