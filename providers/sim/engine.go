package sim

import (
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
)

// The generation engine. It reads a canonical request and decides what a
// model would answer: which tools it calls and with which arguments, the
// text, where stop sequences and max_tokens cut it, and the token counts.
// It knows nothing of any wire format; each dialect decodes into llm types,
// calls the engine and encodes its result.

// conversation is the engine's reading of a request.
type conversation struct {
	req *llm.Request
	// lastUserText is the text of the last user message without directives:
	// what tool mentions are looked for in.
	lastUserText string
	// directive holds the settings of the [[sim ...]] directives found in the
	// last user message.
	directive    Fault
	hasDirective bool
	// seed is the hash of the messages that all content derives from.
	seed uint64
}

// readConversation parses the directives of the last user message and
// hashes the conversation. A malformed directive is the caller's error.
func readConversation(req *llm.Request) (*conversation, error) {
	c := &conversation{req: req}
	last := -1
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if req.Messages[i].Role == llm.RoleUser {
			last = i
			break
		}
	}
	h := newHasher()
	for i := range req.Messages {
		m := &req.Messages[i]
		text := m.Text()
		if hasDirective(text) {
			var f Fault
			found, rest, err := extractDirectives(text, &f)
			if i == last {
				if err != nil {
					return nil, err
				}
				c.directive, c.hasDirective = f, found
			}
			if err == nil {
				text = rest
			}
		}
		if i == last {
			c.lastUserText = text
		}
		h = h.str(string(m.Role)).str(text).str(m.Name).str(m.ToolCallID)
		for j := range m.ToolCalls {
			h = h.str(m.ToolCalls[j].Name).str(m.ToolCalls[j].Arguments)
		}
	}
	if req.Seed != nil {
		h = h.u64(uint64(*req.Seed))
	}
	c.seed = h.sum()
	return c, nil
}

// generation is the engine's answer.
type generation struct {
	choices []generatedChoice
	usage   llm.Usage
}

type generatedChoice struct {
	// text is the content; empty when the choice calls tools.
	text  string
	calls []generatedCall
	// finish is stop, length or tool_calls.
	finish llm.FinishReason
	// stopSequence is the stop sequence that ended the text, if one did.
	stopSequence string
	// reasoning and completion count this choice's tokens; completion
	// includes reasoning.
	reasoning  int64
	completion int64
}

type generatedCall struct {
	// idSeed derives the call's id; each dialect formats it its own way
	// ("call_..." for OpenAI).
	idSeed    uint64
	name      string
	arguments string
}

// generate answers the conversation under the fault's content settings.
func generate(c *conversation, f *Fault) *generation {
	req := c.req
	n := max(req.N, 1)
	g := &generation{choices: make([]generatedChoice, n)}
	tools := pickTools(c)
	budget := int64(-1)
	if req.MaxTokens != nil {
		budget = *req.MaxTokens
	}
	for i := range g.choices {
		ch := &g.choices[i]
		seed := mix64(c.seed + uint64(i+1)*0x9e3779b97f4a7c15)
		ch.reasoning = reasoningTokens(req, f)
		left := budget
		if left >= 0 {
			ch.reasoning = min(ch.reasoning, left)
			left -= ch.reasoning
		}
		if len(tools) > 0 {
			ch.calls = makeCalls(req, tools, seed)
			ch.finish, ch.completion = cutCalls(ch, left)
		} else {
			ch.text = answerText(c, f, seed)
			ch.finish, ch.completion = cutText(ch, req.Stop, left)
			if f.ContentFilter == FilterOutput {
				ch.finish, ch.completion = filterText(ch)
			}
		}
		ch.completion += ch.reasoning
		if left == 0 && ch.reasoning > 0 {
			ch.finish = llm.FinishLength // reasoning used the whole budget
		}
		g.usage.OutputTokens += ch.completion
		g.usage.ReasoningTokens += ch.reasoning
	}
	g.usage.InputTokens = promptTokens(req)
	g.usage.CachedInputTokens = min(f.CachedTokens, g.usage.InputTokens)
	g.usage.CacheWriteTokens = min(f.CacheWriteTokens, g.usage.InputTokens-g.usage.CachedInputTokens)
	return g
}

// Reasoning tokens a choice spends when the request asks for reasoning and
// no directive says how many.
var effortTokens = map[string]int64{"minimal": 0, "low": 16, "medium": 64, "high": 256}

const maxBudgetTokens = 256

// reasoningTokens is what each choice spends thinking: the directive's
// count, else what the requested effort or thinking budget implies.
func reasoningTokens(req *llm.Request, f *Fault) int64 {
	if f.ReasoningTokens > 0 {
		return f.ReasoningTokens
	}
	if r := req.Reasoning; r != nil {
		if r.BudgetTokens > 0 {
			return min(r.BudgetTokens, maxBudgetTokens)
		}
		return effortTokens[r.Effort]
	}
	return 0
}

// answerText is the text of one choice before any cut.
func answerText(c *conversation, f *Fault, seed uint64) string {
	if f.Reply != nil {
		return *f.Reply
	}
	r := rng{state: seed}
	req := c.req
	if outs := trailingToolOutputs(req.Messages); outs != nil {
		return string(appendToolAnswer(nil, &r, outs))
	}
	if rf := req.ResponseFormat; rf != nil {
		switch rf.Type {
		case llm.ResponseFormatJSONSchema:
			return string(generateJSON(rf.Schema, seed, nil))
		case llm.ResponseFormatJSONObject:
			return string(appendJSONObject(nil, &r))
		}
	}
	return string(appendProse(make([]byte, 0, 256), &r))
}

// pickTools returns the indexes (into req.Tools) of the tools the model
// calls, in call order, or nil for a text answer.
func pickTools(c *conversation) []int {
	req := c.req
	if len(req.Tools) == 0 {
		return nil
	}
	mode := llm.ToolChoiceAuto
	if req.ToolChoice != nil {
		mode = req.ToolChoice.Mode
	}
	switch mode {
	case llm.ToolChoiceNone:
		return nil
	case llm.ToolChoiceFunction:
		for i := range req.Tools {
			if req.Tools[i].Name == req.ToolChoice.Name {
				return []int{i}
			}
		}
		return nil
	}
	var picked []int
	last := len(req.Messages) - 1
	if last >= 0 && req.Messages[last].Role == llm.RoleUser {
		picked = mentionedTools(c.lastUserText, req.Tools)
		if len(picked) > 1 && req.ParallelToolCalls != nil && !*req.ParallelToolCalls {
			picked = picked[:1]
		}
	}
	if len(picked) == 0 && mode == llm.ToolChoiceRequired {
		picked = []int{0}
	}
	return picked
}

// mentionedTools returns the tools whose names appear in text as whole
// words, in the order of their first mention.
func mentionedTools(text string, tools []llm.Tool) []int {
	type hit struct{ tool, at int }
	var hits []hit
	for i := range tools {
		if at := mentionAt(text, tools[i].Name); at >= 0 {
			hits = append(hits, hit{i, at})
		}
	}
	// Insertion sort: tool lists are short.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].at < hits[j-1].at; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	out := make([]int, len(hits))
	for i, h := range hits {
		out[i] = h.tool
	}
	return out
}

func mentionAt(text, name string) int {
	if name == "" {
		return -1
	}
	for from := 0; ; {
		i := strings.Index(text[from:], name)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(name)
		if (i == 0 || !isWordByte(text[i-1])) && (end == len(text) || !isWordByte(text[end])) {
			return i
		}
		from = i + 1
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// makeCalls builds one call per picked tool, its arguments generated from
// the tool's parameter schema.
func makeCalls(req *llm.Request, tools []int, seed uint64) []generatedCall {
	calls := make([]generatedCall, len(tools))
	for k, ti := range tools {
		t := &req.Tools[ti]
		callSeed := mix64(seed ^ uint64(k+1)*0xd6e8feb86659fd93)
		calls[k] = generatedCall{
			idSeed:    mix64(callSeed + 1),
			name:      t.Name,
			arguments: string(generateJSON(t.Parameters, callSeed, nil)),
		}
	}
	return calls
}

// trailingToolOutputs returns the tool results that end the conversation
// (nil when it does not end with one), each named after the call it answers.
func trailingToolOutputs(msgs []llm.Message) []toolOutput {
	end := len(msgs)
	start := end
	for start > 0 && msgs[start-1].Role == llm.RoleTool {
		start--
	}
	if start == end {
		return nil
	}
	outs := make([]toolOutput, 0, end-start)
	for i := start; i < end; i++ {
		m := &msgs[i]
		outs = append(outs, toolOutput{name: callName(msgs[:start], m.ToolCallID), content: m.Text()})
	}
	return outs
}

// callName finds the name of the call with the given id in the assistant
// messages before the tool results.
func callName(msgs []llm.Message, id string) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, tc := range msgs[i].ToolCalls {
			if tc.ID == id {
				return tc.Name
			}
		}
	}
	return ""
}
