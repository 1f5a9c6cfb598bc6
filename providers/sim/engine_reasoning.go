package sim

// maxVisibleReasoning bounds the reasoning text a dialect shows: a model
// that spends more thinking tokens shows a summary, as Claude 4 models do.
const maxVisibleReasoning = 1024

// reasoningText is the visible reasoning of a choice that spent tokens
// thinking: sentences from the same vocabulary as the answers, exactly
// min(tokens, maxVisibleReasoning) tokens long, a pure function of seed.
// Dialects that return reasoning (Anthropic's thinking blocks) show it.
func reasoningText(seed uint64, tokens int64) string {
	tokens = min(tokens, maxVisibleReasoning)
	if tokens <= 0 {
		return ""
	}
	r := rng{state: mix64(seed ^ 0x5265617330)}
	b := append(make([]byte, 0, tokens*6), "Let me think about this."...)
	for n := int64(CountTokens(string(b))); n < tokens; {
		start := len(b)
		b = append(b, ' ')
		b = appendSentence(b, &r)
		n += int64(CountTokens(string(b[start:])))
	}
	return cutTokens(string(b), int(tokens))
}
