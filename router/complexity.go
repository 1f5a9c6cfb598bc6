package router

import (
	"math"
	"unicode/utf8"
)

// Complexity scores how demanding a prompt looks, from 0 (a greeting, a
// lookup) to 1 (a long, multi-part reasoning or coding task), so that a
// content rule can send hard prompts to a stronger model and easy ones to a
// cheaper one. It is a heuristic, not a model: one pass over at most 16 KiB
// of text, no allocation, a few microseconds for a long prompt.
//
// The score is a weighted sum of five signals, each from 0 to 1:
//
//	0.35 length     words, on a log scale: 8 words or fewer score 0,
//	                600 or more score 1
//	0.30 reasoning  words that ask for reasoning (prove, derive, analyze,
//	                compare, design, optimize, algorithm, trade-off, debug,
//	                refactor, implement, ... see reasoningWords): 3 or more
//	                score 1
//	0.15 code       a ``` fence scores 1; otherwise code punctuation
//	                ({ } [ ] ( ) ; = < > | &): 20 or more score 1
//	0.10 math       math symbols (^ and ∑ ∫ √ ≤ ≥ ≠ ± × ÷ π ∞ ∂) and LaTeX
//	                backslashes: 5 or more score 1
//	0.10 structure  questions beyond the first and list items (lines that
//	                start with "-", "*", "•" or "1." / "1)"): 6 or more
//	                score 1
//
// Tests pin the scores of example prompts (complexity_test.go); a change to
// the heuristic shows up there and belongs in docs/routing.md.
func Complexity(text string) float64 {
	if len(text) > complexityScanBytes {
		text = text[:complexityScanBytes]
	}
	var (
		words, reasoning, code, mathSyms, questions, items int
		fence                                              bool
		wordBuf                                            [maxKeywordLen]byte
		wordLen                                            int
		inWord, longWord, lineStart                        = false, false, true
	)
	endWord := func() {
		if inWord {
			words++
			if !longWord && wordLen >= minKeywordLen && keywordInitials&(1<<(wordBuf[0]-'a')) != 0 {
				if _, ok := reasoningWords[string(wordBuf[:wordLen])]; ok {
					reasoning++
				}
			}
		}
		inWord, longWord, wordLen = false, false, 0
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(text[i:])
			if isMathRune(r) {
				endWord()
				mathSyms++
			} else if r == '•' && lineStart {
				items++
				lineStart = false
			} else {
				inWord = true
				longWord = true // non-ASCII words are not keywords
				lineStart = false
			}
			i += size
			continue
		}
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '\'' || (c == '-' && inWord):
			if !inWord {
				inWord = true
				if lineStart && c >= '0' && c <= '9' && i+1 < len(text) && (text[i+1] == '.' || text[i+1] == ')') {
					items++
				}
			}
			if wordLen < maxKeywordLen {
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				wordBuf[wordLen] = c
				wordLen++
			} else {
				longWord = true
			}
			lineStart = false
			i++
			continue
		}
		endWord()
		switch c {
		case '\n':
			lineStart = true
			i++
			continue
		case ' ', '\t', '\r':
			i++
			continue // blanks keep lineStart
		case '`':
			if i+2 < len(text) && text[i+1] == '`' && text[i+2] == '`' {
				fence = true
			}
		case '{', '}', '[', ']', '(', ')', ';', '=', '<', '>', '|', '&':
			code++
		case '^', '\\':
			mathSyms++
		case '?':
			questions++
		case '-', '*':
			if lineStart {
				items++
			}
		}
		lineStart = false
		i++
	}
	endWord()

	length := (log2(1+float64(words)) - log2(9)) / (log2(601) - log2(9))
	codeScore := float64(code) / 20
	if fence {
		codeScore = 1
	}
	score := 0.35*clamp01(length) +
		0.30*clamp01(float64(reasoning)/3) +
		0.15*clamp01(codeScore) +
		0.10*clamp01(float64(mathSyms)/5) +
		0.10*clamp01(float64(max(questions-1, 0)+items)/6)
	return clamp01(score)
}

const (
	complexityScanBytes = 16 << 10
	minKeywordLen       = 5
	maxKeywordLen       = 16
)

// keywordInitials has bit c-'a' set for each initial c of a reasoning
// word: most words are rejected without hashing them.
var keywordInitials = func() uint32 {
	var m uint32
	for w := range reasoningWords {
		if len(w) < minKeywordLen || len(w) > maxKeywordLen {
			panic("router: reasoning word of unsupported length: " + w)
		}
		m |= 1 << (w[0] - 'a')
	}
	return m
}()

func log2(x float64) float64 { return math.Log2(x) }

func clamp01(x float64) float64 {
	switch {
	case x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}

func isMathRune(r rune) bool {
	switch r {
	case '∑', '∫', '√', '≤', '≥', '≠', '±', '×', '÷', 'π', '∞', '∂':
		return true
	}
	return false
}

// reasoningWords are words, lower-cased, that ask for reasoning, design or
// careful work.
var reasoningWords = map[string]struct{}{
	"prove": {}, "proof": {}, "derive": {}, "derivation": {}, "theorem": {}, "lemma": {},
	"analyze": {}, "analyse": {}, "analysis": {}, "compare": {}, "comparison": {}, "contrast": {},
	"evaluate": {}, "assess": {}, "critique": {}, "justify": {}, "rigorous": {}, "rigorously": {},
	"design": {}, "architecture": {}, "architect": {}, "optimize": {}, "optimise": {}, "optimization": {},
	"algorithm": {}, "algorithms": {}, "complexity": {}, "trade-off": {}, "trade-offs": {}, "tradeoff": {},
	"tradeoffs": {}, "debug": {}, "refactor": {}, "implement": {}, "implementation": {},
	"step-by-step": {}, "concurrency": {}, "distributed": {}, "scalable": {}, "integral": {},
	"equation": {}, "equations": {}, "probability": {}, "hypothesis": {}, "strategy": {},
}
