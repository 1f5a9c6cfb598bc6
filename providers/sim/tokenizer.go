package sim

import (
	"unicode"
	"unicode/utf8"
)

// The simulator's tokenizer. It is not any real model's BPE, but it behaves
// like one where it matters to the gateway: about one token per word, leading
// spaces belong to the next word (" there"), punctuation runs are short
// tokens, and JSON fragments into pieces like `{"`, `country`, `":"`, `UK`,
// `"}` the way real streams fragment tool-call arguments. It is exact and
// documented (see doc.go), so tests can predict usage to the token.

const (
	maxLetterRun = 12 // a longer word is several tokens, as in real tokenizers
	maxDigitRun  = 3  // numbers split into groups of three digits
	maxSymbolRun = 3  // "?!", `":"`, "..." are one token; longer runs split
)

// CountTokens returns the number of tokens in s under the simulator's
// tokenizer. Usage reported by the simulator is computed with it.
func CountTokens(s string) int {
	n := 0
	for i := 0; i < len(s); i = nextToken(s, i) {
		n++
	}
	return n
}

// cutTokens returns the prefix of s made of its first n tokens.
func cutTokens(s string, n int) string {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		i = nextToken(s, i)
	}
	return s[:i]
}

// nextToken returns the end of the token that starts at byte offset i < len(s).
func nextToken(s string, i int) int {
	j := i
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j == len(s) {
		return j // trailing blanks are one token
	}
	if s[j] == '\n' || s[j] == '\r' {
		for j < len(s) && (s[j] == '\n' || s[j] == '\r') {
			j++
		}
		return j
	}
	class, size := classAt(s, j)
	if class == classIdeograph {
		return j + size
	}
	limit := maxSymbolRun
	switch class {
	case classLetter:
		limit = maxLetterRun
	case classDigit:
		limit = maxDigitRun
	}
	j += size
	for n := 1; n < limit && j < len(s); n++ {
		c, sz := classAt(s, j)
		if c != class {
			break
		}
		j += sz
	}
	return j
}

type charClass uint8

const (
	classSpace charClass = iota
	classLetter
	classDigit
	classSymbol
	classIdeograph // CJK and similar scripts: one token per character
)

var asciiClass = func() (t [utf8.RuneSelf]charClass) {
	for c := 0; c < utf8.RuneSelf; c++ {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			t[c] = classSpace
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
			t[c] = classLetter
		case c >= '0' && c <= '9':
			t[c] = classDigit
		default:
			t[c] = classSymbol
		}
	}
	return t
}()

func classAt(s string, i int) (charClass, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	switch {
	case r >= 0x2E80 && unicode.IsLetter(r):
		return classIdeograph, size
	case unicode.IsLetter(r) || unicode.IsMark(r):
		return classLetter, size
	case unicode.IsDigit(r):
		return classDigit, size
	case unicode.IsSpace(r):
		// Non-ASCII spaces are rare; counting them as symbols keeps the
		// "blanks attach to the next token" rule about ' ' and '\t' only.
		return classSymbol, size
	}
	return classSymbol, size
}
