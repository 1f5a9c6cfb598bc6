package tokens

import (
	"strings"
	"unicode/utf8"
)

// Counter counts tokens of text and of chat requests. The zero value is
// ready to use; it is safe for concurrent use.
type Counter struct {
	custom map[string]func(string) int
}

// Option configures a Counter.
type Option func(*Counter)

// WithTokenizer counts the text of every model of vendor with count, as
// exact: for a provider whose tokenizer the caller has, such as the
// simulator's (sim.CountTokens).
func WithTokenizer(vendor string, count func(text string) int) Option {
	return func(c *Counter) {
		if c.custom == nil {
			c.custom = map[string]func(string) int{}
		}
		c.custom[strings.ToLower(vendor)] = count
	}
}

// New returns a Counter with opts applied.
func New(opts ...Option) *Counter {
	c := &Counter{}
	for _, o := range opts {
		o(c)
	}
	return c
}

// CountText returns the tokens of text for model on vendor ("openai",
// "anthropic", "gemini", ...; "" when unknown), and whether the count is
// exact: true for OpenAI's models (by the model's name, whoever serves it)
// and for a vendor given its own tokenizer, false for an estimate.
func (c *Counter) CountText(vendor, model, text string) (n int64, exact bool) {
	if text == "" {
		return 0, true
	}
	if count := c.tokenizerOf(vendor); count != nil {
		return int64(count(text)), true
	}
	if e := encoderFor(model); e != nil {
		if n, ok := e.count(text); ok {
			return n, true
		}
	}
	return estimate(familyOf(vendor, model), text), false
}

func (c *Counter) tokenizerOf(vendor string) func(string) int {
	if c == nil || len(c.custom) == 0 {
		return nil
	}
	return c.custom[strings.ToLower(vendor)]
}

// family is a group of models that share an estimate ratio.
type family uint8

const (
	familyOther family = iota
	familyAnthropic
	familyGemini
	familyDeepSeek
)

// familyOf names the family of a model: by its vendor, or by its name
// when the vendor is unknown or a host of others' models.
func familyOf(vendor, model string) family {
	switch strings.ToLower(vendor) {
	case "anthropic":
		return familyAnthropic
	case "gemini", "google":
		return familyGemini
	case "deepseek":
		return familyDeepSeek
	}
	m := baseModel(model)
	switch {
	case strings.HasPrefix(m, "claude"), strings.Contains(m, "anthropic.claude"):
		return familyAnthropic
	case strings.HasPrefix(m, "gemini"):
		return familyGemini
	case strings.HasPrefix(m, "deepseek"):
		return familyDeepSeek
	}
	return familyOther
}

// Estimate ratios: hundredths of a token per ASCII character. Gemini's 4
// characters a token and DeepSeek's 0.3 tokens a character are the
// vendors' own figures; Claude's 3.5 characters a token is the usual
// approximation for its tokenizer; 4 is the common rule for the rest.
var hundredthsPerChar = [...]int64{
	familyOther:     25, // 1/4
	familyAnthropic: 29, // 1/3.5 = 0.2857, rounded up
	familyGemini:    25, // 1/4
	familyDeepSeek:  30, // 0.3
}

// estimate counts ASCII characters at the family's ratio and every other
// character as one token, rounding up.
func estimate(f family, text string) int64 {
	var ascii, other int64
	for i := 0; i < len(text); {
		if text[i] < utf8.RuneSelf {
			ascii++
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		other++
		i += size
	}
	return (ascii*hundredthsPerChar[f]+99)/100 + other
}
