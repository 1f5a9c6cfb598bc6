package pricing

import (
	"math"
	"math/bits"

	"github.com/switchboard-gw/switchboard/llm"
)

// Breakdown is the cost of one attempt: its tokens by class, what each
// class costs, and the total. Money is in nano-USD (1 USD = 1e9).
type Breakdown struct {
	// Tokens by class: InputTokens is the input neither read from nor
	// written to a cache, OutputTokens the output other than reasoning.
	InputTokens       int64
	CachedInputTokens int64
	CacheWriteTokens  int64
	OutputTokens      int64
	ReasoningTokens   int64
	// The cost of each class, rounded half up on its own: for display.
	InputNano       int64
	CachedInputNano int64
	CacheWriteNano  int64
	OutputNano      int64
	ReasoningNano   int64
	// TotalNano is the exact sum of every class's tokens times its price,
	// rounded half up once, so it may differ by a few nano-USD from the
	// sum of the rounded parts. It is what is charged.
	TotalNano int64
	// LongContext reports that the long-context tier's rates applied.
	LongContext bool
}

// Cost prices usage, with the meaning llm.Usage gives its fields: input
// tokens include the cached and cache-write ones, output tokens the
// reasoning ones. Each class is charged at its rate (cached input and
// cache writes at the input price, reasoning at the output price, when
// the model has no price of its own for them); the long-context tier
// applies when the input tokens exceed its threshold. A subset larger than
// its total (more cached than input tokens) is capped at the total, and
// negative counts count as zero. A cost beyond the range of int64
// (impossible with real token counts) is capped at math.MaxInt64.
//
// The total is computed once, in integer arithmetic: the sum over classes
// of tokens times micro-USD per million tokens is in pico-USD, and is
// divided by 1000, rounding half up, to give nano-USD.
func Cost(p Price, u llm.Usage) Breakdown {
	r, long := p.RatesFor(u.InputTokens)
	in := max(u.InputTokens, 0)
	cached := clamp(u.CachedInputTokens, in)
	write := clamp(u.CacheWriteTokens, in-cached)
	out := max(u.OutputTokens, 0)
	reasoning := clamp(u.ReasoningTokens, out)
	b := Breakdown{
		InputTokens:       in - cached - write,
		CachedInputTokens: cached,
		CacheWriteTokens:  write,
		OutputTokens:      out - reasoning,
		ReasoningTokens:   reasoning,
		LongContext:       long,
	}
	var total pico
	b.InputNano = total.add(b.InputTokens, r.Input)
	b.CachedInputNano = total.add(b.CachedInputTokens, r.CachedInput)
	b.CacheWriteNano = total.add(b.CacheWriteTokens, r.CacheWrite)
	b.OutputNano = total.add(b.OutputTokens, r.Output)
	b.ReasoningNano = total.add(b.ReasoningTokens, r.Reasoning)
	b.TotalNano = total.nano(false)
	return b
}

// WorstCaseCost is the most a request with inputTokens input tokens that
// generates up to maxOutputTokens could cost, in nano-USD rounded up: for
// reserving budget before the call. Every input token is priced at the
// dearest input rate (a cache write costs more than a plain input token at
// Anthropic) and every output token at the dearest output rate, in the
// tier the input size selects. maxOutputTokens <= 0 means the request set
// no limit: the model's MaxOutputTokens.
func WorstCaseCost(p Price, inputTokens, maxOutputTokens int64) int64 {
	r, _ := p.RatesFor(inputTokens)
	if maxOutputTokens <= 0 {
		maxOutputTokens = p.MaxOutputTokens
	}
	var total pico
	total.add(max(inputTokens, 0), max(r.Input, r.CachedInput, r.CacheWrite))
	total.add(maxOutputTokens, max(r.Output, r.Reasoning))
	return total.nano(true)
}

// clamp bounds n to [0, limit].
func clamp(n, limit int64) int64 { return max(0, min(n, limit)) }

// pico is an unsigned 128-bit sum of pico-USD (tokens times micro-USD per
// million tokens), wide enough for any int64 token count at any Rate.
type pico struct{ hi, lo uint64 }

// add adds tokens*rate and returns that product in nano-USD, rounded half
// up.
func (s *pico) add(tokens int64, rate Rate) int64 {
	if tokens <= 0 || rate <= 0 {
		return 0
	}
	var p pico
	p.hi, p.lo = bits.Mul64(uint64(tokens), uint64(rate))
	var carry uint64
	s.lo, carry = bits.Add64(s.lo, p.lo, 0)
	s.hi += p.hi + carry
	return p.nano(false)
}

// nano converts to nano-USD, rounding half up (or up, with ceil), capped
// at math.MaxInt64.
func (s pico) nano(ceil bool) int64 {
	bias := uint64(500)
	if ceil {
		bias = 999
	}
	lo, carry := bits.Add64(s.lo, bias, 0)
	hi := s.hi + carry
	if hi >= 1000 {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, 1000)
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}
