package sim

// thoughtSummary is the thought summary a Gemini model returns with
// includeThoughts: a bold heading and a few sentences, a pure function of
// seed. It is shorter than the thinking it summarises, and, as with the
// real API, its length does not change thoughtsTokenCount.
func thoughtSummary(seed uint64) string {
	r := rng{state: mix64(seed ^ 0x74686f75676874)}
	b := make([]byte, 0, 256)
	b = append(b, "**"...)
	b = appendTitleWord(b, verbs[r.intn(len(verbs))])
	b = append(b, " the "...)
	b = appendTitleWord(b, nouns[r.intn(len(nouns))])
	b = append(b, "**\n\n"...)
	for n := r.between(2, 3); n > 0; n-- {
		b = appendSentence(b, &r)
		if n > 1 {
			b = append(b, ' ')
		}
	}
	return string(b)
}

// appendTitleWord appends w with its first letter in upper case.
func appendTitleWord(b []byte, w string) []byte {
	start := len(b)
	b = append(b, w...)
	if c := b[start]; c >= 'a' && c <= 'z' {
		b[start] = c - 'a' + 'A'
	}
	return b
}
