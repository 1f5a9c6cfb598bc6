package pricing

import "time"

// Rates are the prices of one tier of a model, each a Rate (micro-USD per
// million tokens). In a Price from a Table or an Override every field is
// set: a price the provider does not publish takes its default (cached
// input and cache writes: the input price; reasoning: the output price).
type Rates struct {
	// Input is the price of input tokens neither read from nor written to
	// a prompt cache.
	Input Rate
	// CachedInput is the price of input tokens read from a prompt cache
	// (OpenAI's cached input, Anthropic's cache read, Gemini's context
	// cache, DeepSeek's cache hit).
	CachedInput Rate
	// CacheWrite is the price of input tokens written to a prompt cache
	// (Anthropic's 5-minute cache write; the 1-hour write, at twice the
	// input price, is not told apart by the usage providers report).
	CacheWrite Rate
	// Output is the price of generated tokens other than reasoning.
	Output Rate
	// Reasoning is the price of reasoning (thinking) tokens.
	Reasoning Rate

	// explicit records which prices were written rather than defaulted,
	// so that an Override of the input or output price carries over to
	// the prices that default to it.
	explicit rateFields
}

// rateFields is a set of Rates fields.
type rateFields uint8

const (
	fieldInput rateFields = 1 << iota
	fieldCachedInput
	fieldCacheWrite
	fieldOutput
	fieldReasoning
)

// resolve fills the prices that were not written with their defaults.
func (r *Rates) resolve() {
	if r.explicit&fieldCachedInput == 0 {
		r.CachedInput = r.Input
	}
	if r.explicit&fieldCacheWrite == 0 {
		r.CacheWrite = r.Input
	}
	if r.explicit&fieldReasoning == 0 {
		r.Reasoning = r.Output
	}
}

// HasCachedInput reports whether the provider publishes a price for
// cached input (otherwise CachedInput is the input price).
func (r Rates) HasCachedInput() bool { return r.explicit&fieldCachedInput != 0 }

// HasCacheWrite reports whether the provider publishes a price for cache
// writes (otherwise CacheWrite is the input price).
func (r Rates) HasCacheWrite() bool { return r.explicit&fieldCacheWrite != 0 }

// Tier is a long-context tier: a request whose input tokens (cached and
// cache writes included) exceed AboveInputTokens pays these Rates for all
// of its tokens, as Gemini 2.5 Pro and Claude Sonnet 4 beyond 200k do.
type Tier struct {
	AboveInputTokens int64
	Rates
}

// Price is what one model costs on one provider from a date on.
type Price struct {
	// Provider is the vendor whose price list this is ("openai",
	// "anthropic", "gemini", "mistral", "deepseek", "groq", "together").
	Provider string
	// Model is the model's canonical name in the table.
	Model string
	// EffectiveFrom is when the price took effect.
	EffectiveFrom time.Time
	// Source is the public page the price comes from.
	Source string
	// Rates are the prices for requests within the base tier.
	Rates
	// LongContext is the tier of long requests, or nil.
	LongContext *Tier
	// ContextWindow is the most tokens (input and output) a request may
	// use; MaxOutputTokens the most it may generate (the context window
	// when the provider publishes no separate limit).
	ContextWindow   int64
	MaxOutputTokens int64
	// Embedding marks an embedding model, which has no output price.
	Embedding bool
}

// RatesFor returns the rates of a request with inputTokens input tokens
// (the long-context tier's above its threshold) and whether they are the
// long-context tier's.
func (p *Price) RatesFor(inputTokens int64) (Rates, bool) {
	if t := p.LongContext; t != nil && inputTokens > t.AboveInputTokens {
		return t.Rates, true
	}
	return p.Rates, false
}
