package sim

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The three kinds of text a simulated model writes. Each is a pure function
// of a seed derived from the conversation, so a request always gets the same
// answer, unary or streamed.

// appendProse writes the default answer: the opening phrase, then two to
// five sentences (about 15 to 60 tokens in all).
func appendProse(dst []byte, r *rng) []byte {
	dst = append(dst, openingPhrase...)
	for n := r.between(2, 5); n > 0; n-- {
		dst = append(dst, ' ')
		dst = appendSentence(dst, r)
	}
	return dst
}

// appendSentence fills a sentence template with words, capitalizing the
// first letter.
func appendSentence(dst []byte, r *rng) []byte {
	tpl := sentenceTemplates[r.intn(len(sentenceTemplates))]
	start := len(dst)
	for i := 0; i < len(tpl); i++ {
		switch c := tpl[i]; c {
		case 'N':
			dst = append(dst, nouns[r.intn(len(nouns))]...)
		case 'V':
			dst = append(dst, verbs[r.intn(len(verbs))]...)
		case 'A':
			dst = append(dst, adjectives[r.intn(len(adjectives))]...)
		case 'D':
			dst = append(dst, adverbs[r.intn(len(adverbs))]...)
		case 'P':
			dst = append(dst, prepositions[r.intn(len(prepositions))]...)
		default:
			dst = append(dst, c)
		}
	}
	if c := dst[start]; c >= 'a' && c <= 'z' {
		dst[start] = c - 'a' + 'A'
	}
	return dst
}

func sentence(r *rng) string { return string(appendSentence(nil, r)) }

// toolOutput is one tool result the model answers about.
type toolOutput struct {
	name, content string
}

// maxQuotedResult bounds how much of a tool result the answer quotes.
const maxQuotedResult = 200

// appendToolAnswer writes the answer that follows tool results: it names
// each tool and quotes what it returned, as a model summarising would.
func appendToolAnswer(dst []byte, r *rng, outputs []toolOutput) []byte {
	dst = append(dst, "Based on the tool results: "...)
	for i, o := range outputs {
		if i > 0 {
			dst = append(dst, "; "...)
		}
		name := o.name
		if name == "" {
			name = "the tool"
		}
		dst = append(dst, name...)
		dst = append(dst, " returned "...)
		content := strings.TrimSpace(o.content)
		if utf8.RuneCountInString(content) > maxQuotedResult {
			content = truncateRunes(content, maxQuotedResult) + "…"
		}
		dst = append(dst, content...)
	}
	dst = append(dst, ". "...)
	return appendSentence(dst, r)
}

// appendJSONObject writes the answer to response_format json_object: a
// small object whose values come from the same vocabulary.
func appendJSONObject(dst []byte, r *rng) []byte {
	dst = append(dst, `{"answer":`...)
	dst = appendString(dst, openingPhrase+" "+sentence(r))
	dst = append(dst, `,"confidence":0.`...)
	dst = strconv.AppendInt(dst, int64(r.between(50, 99)), 10)
	dst = append(dst, `,"topics":[`...)
	for i, n := 0, r.between(1, 3); i < n; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, vocabulary[r.intn(len(vocabulary))])
	}
	return append(dst, "]}"...)
}
