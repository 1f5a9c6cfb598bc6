package wire

import (
	"sort"

	"github.com/switchboard-gw/switchboard/llm"
)

// ToCanonicalResponse converts a unary answer. A blocked prompt, or an
// answer whose every candidate a filter stopped before any content, is an
// *llm.Error of KindContentFiltered; a candidate cut by a filter after some
// content keeps it, with finish reason content_filter.
func ToCanonicalResponse(r *GenerateContentResponse) (*llm.Response, error) {
	if err := blockedPrompt(r); err != nil && len(r.Candidates) == 0 {
		return nil, err
	}
	out := &llm.Response{
		ID:      r.ResponseID,
		Model:   r.ModelVersion,
		Usage:   ToCanonicalUsage(r.UsageMetadata),
		Choices: make([]llm.Choice, 0, len(r.Candidates)),
	}
	filtered, withContent := "", false
	for i := range r.Candidates {
		c := &r.Candidates[i]
		idx := candidateIndex(c, i)
		msg := candidateMessage(c, idx)
		empty := len(msg.Parts) == 0 && len(msg.ToolCalls) == 0 && len(msg.Reasoning) == 0
		if !empty {
			withContent = true
		} else if isFilterReason(c.FinishReason) {
			filtered = c.FinishReason
		}
		out.Choices = append(out.Choices, llm.Choice{
			Index:           idx,
			Message:         msg,
			FinishReason:    ToCanonicalFinishReason(c.FinishReason, len(msg.ToolCalls) > 0),
			RawFinishReason: c.FinishReason,
		})
	}
	if !withContent {
		if err := blockedPrompt(r); err != nil {
			return nil, err
		}
		if filtered != "" {
			return nil, filteredOutput(filtered)
		}
	}
	sort.SliceStable(out.Choices, func(a, b int) bool { return out.Choices[a].Index < out.Choices[b].Index })
	return out, nil
}

// candidateIndex is the candidate's index, or its position when Gemini
// left it out (it does for the only candidate of a stream).
func candidateIndex(c *Candidate, pos int) int {
	if c.Index != nil {
		return *c.Index
	}
	return pos
}

// candidateMessage converts a candidate's parts: text (with its
// signature), thoughts, function calls (with stable ids) and inline media.
func candidateMessage(c *Candidate, idx int) llm.Message {
	m := llm.Message{Role: llm.RoleAssistant}
	if c.Content == nil {
		return m
	}
	for j := range c.Content.Parts {
		p := &c.Content.Parts[j]
		switch {
		case p.FunctionCall != nil:
			m.ToolCalls = append(m.ToolCalls, toolCallToCanonical(p, idx, len(m.ToolCalls)))
		case p.Text != nil && p.Thought:
			m.Reasoning = append(m.Reasoning, llm.Reasoning{Text: *p.Text, Signature: p.ThoughtSignature})
		case p.Text != nil:
			m.Parts = append(m.Parts, llm.Part{Type: llm.PartText, Text: *p.Text, Signature: p.ThoughtSignature})
		case p.InlineData != nil || p.FileData != nil:
			if part, err := mediaToCanonical(p, ""); err == nil {
				m.Parts = append(m.Parts, part)
			}
		}
		// Code execution parts have no canonical form and are left out.
	}
	return m
}

func blockedPrompt(r *GenerateContentResponse) *llm.Error {
	pf := r.PromptFeedback
	if pf == nil || pf.BlockReason == "" {
		return nil
	}
	msg := "Gemini blocked the prompt (" + pf.BlockReason + ")"
	if pf.BlockReasonMessage != "" {
		msg += ": " + redactSecrets(truncateUTF8(pf.BlockReasonMessage, maxMessageLen))
	}
	return &llm.Error{Kind: llm.KindContentFiltered, Code: safeCode(pf.BlockReason), Message: msg}
}

func filteredOutput(reason string) *llm.Error {
	return &llm.Error{Kind: llm.KindContentFiltered, Code: reason,
		Message: "Gemini stopped the answer before any content (finish reason " + reason + ")"}
}
