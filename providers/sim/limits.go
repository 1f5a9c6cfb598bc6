package sim

import (
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
)

// Where generation ends: at a stop sequence (which is not emitted), at the
// token budget (max_tokens), or at the natural end. budget < 0 means none.

// cutText applies the stop sequences, then the budget, to ch.text, and
// returns the finish reason and the number of tokens emitted.
func cutText(ch *generatedChoice, stop []string, budget int64) (llm.FinishReason, int64) {
	text := ch.text
	cut := len(text)
	ch.stopSequence = ""
	for _, s := range stop {
		if s == "" {
			continue
		}
		if i := strings.Index(text[:cut], s); i >= 0 {
			cut = i
			ch.stopSequence = s
		}
	}
	text = text[:cut]
	finish := llm.FinishStop
	n := int64(CountTokens(text))
	if budget >= 0 && n > budget {
		text = cutTokens(text, int(budget))
		n = budget
		finish = llm.FinishLength
		ch.stopSequence = "" // the budget ran out before the stop sequence
	}
	ch.text = text
	return finish, n
}

// cutCalls spends the budget on the calls in order: a call's name and
// arguments count as tokens; a call whose arguments do not fit is truncated
// (its arguments are then not valid JSON, as with a real model), and the
// calls after it are dropped.
func cutCalls(ch *generatedChoice, budget int64) (llm.FinishReason, int64) {
	var spent int64
	for k := range ch.calls {
		c := &ch.calls[k]
		cost := int64(CountTokens(c.name) + CountTokens(c.arguments))
		if budget < 0 || spent+cost <= budget {
			spent += cost
			continue
		}
		nameCost := int64(CountTokens(c.name))
		left := budget - spent
		if left <= nameCost {
			ch.calls = ch.calls[:k]
			return llm.FinishLength, budget
		}
		c.arguments = cutTokens(c.arguments, int(left-nameCost))
		ch.calls = ch.calls[:k+1]
		return llm.FinishLength, budget
	}
	return llm.FinishToolCalls, spent
}

// filterText cuts a text answer as an output content filter does: the first
// half of its tokens is sent, then the choice ends with content_filter.
func filterText(ch *generatedChoice) (llm.FinishReason, int64) {
	n := CountTokens(ch.text) / 2
	ch.text = cutTokens(ch.text, n)
	ch.stopSequence = ""
	return llm.FinishContentFilter, int64(n)
}
