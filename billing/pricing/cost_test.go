package pricing_test

import (
	"math"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/llm"
)

// priceOf builds a price from decimal strings, as a deployment override
// does for a model the table lacks.
func priceOf(t testing.TB, o pricing.Override) pricing.Price {
	t.Helper()
	p, err := o.Apply(pricing.Price{Provider: "test", Model: "m"}, false)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// lookup is a price from the embedded table at a date.
func lookup(t testing.TB, provider, model, date string) pricing.Price {
	t.Helper()
	at, err := time.Parse(time.DateOnly, date)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := pricing.Embedded().Lookup(provider, model, at)
	if !ok {
		t.Fatalf("no price for %s/%s at %s", provider, model, date)
	}
	return p
}

func TestCostIsExact(t *testing.T) {
	p := priceOf(t, pricing.Override{Input: "0.15", Output: "0.60"})
	b := pricing.Cost(p, llm.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000})
	if b.InputNano != 150_000_000 || b.OutputNano != 600_000_000 || b.TotalNano != 750_000_000 {
		t.Fatalf("breakdown %+v", b)
	}
	// A price in sub-cent steps over a count that is not a round number.
	p = priceOf(t, pricing.Override{Input: "2.50", Output: "10"})
	b = pricing.Cost(p, llm.Usage{InputTokens: 1234, OutputTokens: 567})
	// 1234 * 2.5 USD/1e6 = 3085000 nano; 567 * 10 USD/1e6 = 5670000 nano.
	if b.TotalNano != 3_085_000+5_670_000 {
		t.Fatalf("total %d", b.TotalNano)
	}
}

// The total is rounded once, half up, from the exact sum in pico-USD.
func TestCostRoundsOnceHalfUp(t *testing.T) {
	// One micro-dollar per million tokens is one pico-dollar per token.
	p := priceOf(t, pricing.Override{Input: "0.000001", Output: "0.000001"})
	for _, c := range []struct {
		in, out int64
		want    int64
	}{
		{499, 0, 0},
		{500, 0, 1},   // half rounds up
		{1499, 0, 1},  // 1.499
		{1500, 0, 2},  // 1.5
		{250, 250, 1}, // 0.25 + 0.25: the parts round to 0 each, the sum to 1
		{0, 0, 0},
	} {
		b := pricing.Cost(p, llm.Usage{InputTokens: c.in, OutputTokens: c.out})
		if b.TotalNano != c.want {
			t.Errorf("%d in, %d out: total %d nano, want %d", c.in, c.out, b.TotalNano, c.want)
		}
	}
	// $0.15/M * 3 tokens = 0.45 micro = 450 nano exactly; $0.075/M * 7 = 525 nano.
	p = priceOf(t, pricing.Override{Input: "0.075", Output: "0.15"})
	if b := pricing.Cost(p, llm.Usage{InputTokens: 7, OutputTokens: 3}); b.TotalNano != 975 {
		t.Errorf("total %d", b.TotalNano)
	}
	// $0.0333/M is 33,300 pico-USD a token: 15 tokens are 499.5 nano,
	// rounded up to 500; 16 are 532.8, rounded to 533.
	p = priceOf(t, pricing.Override{Input: "0.0333", Output: "0"})
	if b := pricing.Cost(p, llm.Usage{InputTokens: 15}); b.TotalNano != 500 {
		t.Errorf("15 tokens: %d", b.TotalNano)
	}
	if b := pricing.Cost(p, llm.Usage{InputTokens: 16}); b.TotalNano != 533 {
		t.Errorf("16 tokens: %d", b.TotalNano)
	}
}

func TestCostOfAbsurdCountsDoesNotOverflow(t *testing.T) {
	p := priceOf(t, pricing.Override{Input: "75", Output: "150"})
	// 1e12 tokens at $75/M is $75M = 7.5e16 nano; the intermediate
	// 1e12 * 75e6 = 7.5e19 pico is beyond int64.
	b := pricing.Cost(p, llm.Usage{InputTokens: 1_000_000_000_000})
	if b.TotalNano != 75_000_000*1_000_000_000 {
		t.Fatalf("total %d", b.TotalNano)
	}
	b = pricing.Cost(p, llm.Usage{InputTokens: math.MaxInt64, OutputTokens: math.MaxInt64, ReasoningTokens: math.MaxInt64})
	if b.TotalNano != math.MaxInt64 {
		t.Fatalf("saturated total %d", b.TotalNano)
	}
	b = pricing.Cost(p, llm.Usage{InputTokens: -5, OutputTokens: -1, CachedInputTokens: -3})
	if b.TotalNano != 0 {
		t.Fatalf("negative counts cost %d", b.TotalNano)
	}
}

// Usage's subsets: cached and cache-write tokens are part of the input,
// reasoning tokens part of the output; each class pays its own price.
func TestCostSplitsUsageByClass(t *testing.T) {
	p := priceOf(t, pricing.Override{Input: "3", CachedInput: "0.30", CacheWrite: "3.75", Output: "15", Reasoning: "20"})
	b := pricing.Cost(p, llm.Usage{InputTokens: 10_000, CachedInputTokens: 6_000, CacheWriteTokens: 3_000, OutputTokens: 2_000, ReasoningTokens: 500})
	want := pricing.Breakdown{
		InputTokens: 1_000, CachedInputTokens: 6_000, CacheWriteTokens: 3_000, OutputTokens: 1_500, ReasoningTokens: 500,
		InputNano: 3_000_000, CachedInputNano: 1_800_000, CacheWriteNano: 11_250_000, OutputNano: 22_500_000, ReasoningNano: 10_000_000,
		TotalNano: 3_000_000 + 1_800_000 + 11_250_000 + 22_500_000 + 10_000_000,
	}
	if b != want {
		t.Fatalf("breakdown\n got %+v\nwant %+v", b, want)
	}
	// Inconsistent subsets are capped at their totals.
	b = pricing.Cost(p, llm.Usage{InputTokens: 100, CachedInputTokens: 80, CacheWriteTokens: 80, OutputTokens: 10, ReasoningTokens: 50})
	if b.CachedInputTokens != 80 || b.CacheWriteTokens != 20 || b.InputTokens != 0 || b.ReasoningTokens != 10 || b.OutputTokens != 0 {
		t.Fatalf("capped %+v", b)
	}
}

// Without a price of their own, cached input and cache writes pay the
// input price and reasoning the output price.
func TestCostDefaultsMissingPrices(t *testing.T) {
	p := priceOf(t, pricing.Override{Input: "1", Output: "4"})
	u := llm.Usage{InputTokens: 1000, CachedInputTokens: 400, CacheWriteTokens: 100, OutputTokens: 1000, ReasoningTokens: 700}
	if b := pricing.Cost(p, u); b.TotalNano != 1000*1000+1000*4000 {
		t.Fatalf("total %d", b.TotalNano)
	}
}

func TestAnthropicCachePricing(t *testing.T) {
	// Claude Sonnet 4: $3 input, 5-minute cache write 1.25x, read 0.1x.
	p := lookup(t, "anthropic", "claude-sonnet-4-20250514", "2025-11-01")
	u := llm.Usage{InputTokens: 100_000, CachedInputTokens: 80_000, CacheWriteTokens: 15_000, OutputTokens: 1_000}
	b := pricing.Cost(p, u)
	// 5000*3 + 80000*0.30 + 15000*3.75 + 1000*15 micro-USD = 15000+24000+56250+15000 = 110250 micro.
	if b.TotalNano != 110_250_000 || b.LongContext {
		t.Fatalf("breakdown %+v", b)
	}
	// Every Anthropic model: write 1.25x and read 0.1x of input, in each
	// tier; Claude 3 Haiku alone predates the rule ($0.30 and $0.03 for
	// $0.25 input).
	for _, p := range pricing.Embedded().Entries() {
		if p.Provider != "anthropic" || p.Model == "claude-3-haiku" {
			continue
		}
		tiers := []pricing.Rates{p.Rates}
		if p.LongContext != nil {
			tiers = append(tiers, p.LongContext.Rates)
		}
		for _, r := range tiers {
			if r.CacheWrite*4 != r.Input*5 || r.CachedInput*10 != r.Input {
				t.Errorf("%s: input %s, cache write %s, cache read %s", p.Model, r.Input, r.CacheWrite, r.CachedInput)
			}
		}
	}
}

func TestOpenAICachedInputDiscountDependsOnTheModel(t *testing.T) {
	for _, c := range []struct {
		model    string
		num, den pricing.Rate // cached = input * num / den
	}{
		{"gpt-4o", 1, 2},
		{"gpt-4o-mini", 1, 2},
		{"o1", 1, 2},
		{"o3-mini", 1, 2},
		{"gpt-4.1", 1, 4},
		{"gpt-4.1-mini", 1, 4},
		{"gpt-4.1-nano", 1, 4},
		{"o3", 1, 4},
		{"o4-mini", 1, 4},
		{"gpt-5", 1, 10},
		{"gpt-5-mini", 1, 10},
		{"gpt-5-nano", 1, 10},
	} {
		p := lookup(t, "openai", c.model, "2025-11-01")
		if p.CachedInput*c.den != p.Input*c.num {
			t.Errorf("%s: cached %s for input %s, want %d/%d", c.model, p.CachedInput, p.Input, c.num, c.den)
		}
	}
	// gpt-4o: 10k input of which 4k cached, 1k output.
	p := lookup(t, "openai", "gpt-4o-2024-08-06", "2025-11-01")
	b := pricing.Cost(p, llm.Usage{InputTokens: 10_000, CachedInputTokens: 4_000, OutputTokens: 1_000})
	// 6000*2.5 + 4000*1.25 + 1000*10 micro = 15000 + 5000 + 10000 = 30000 micro.
	if b.TotalNano != 30_000_000 {
		t.Fatalf("gpt-4o total %d", b.TotalNano)
	}
}

func TestReasoningIsPricedAsOutput(t *testing.T) {
	p := lookup(t, "openai", "o3", "2025-11-01")
	u := llm.Usage{InputTokens: 1_000, OutputTokens: 5_000, ReasoningTokens: 4_000}
	b := pricing.Cost(p, u)
	if b.ReasoningTokens != 4_000 || b.OutputTokens != 1_000 || b.ReasoningNano != 4_000*8_000 || b.TotalNano != 1_000*2_000+5_000*8_000 {
		t.Fatalf("o3 breakdown %+v", b)
	}
}

func TestGeminiCachedAndLongContextTier(t *testing.T) {
	p := lookup(t, "gemini", "gemini-2.5-pro", "2025-11-01")
	// Within 200k: $1.25 input, $0.125 cached, $10 output.
	b := pricing.Cost(p, llm.Usage{InputTokens: 200_000, CachedInputTokens: 100_000, OutputTokens: 10_000})
	if b.LongContext || b.TotalNano != (100_000*1_250_000+100_000*125_000+10_000*10_000_000)/1000 {
		t.Fatalf("short %+v", b)
	}
	// Above 200k every token pays the long tier: $2.50, $0.25, $15.
	b = pricing.Cost(p, llm.Usage{InputTokens: 200_001, CachedInputTokens: 100_000, OutputTokens: 10_000})
	if !b.LongContext || b.TotalNano != (100_001*2_500_000+100_000*250_000+10_000*15_000_000)/1000 {
		t.Fatalf("long %+v", b)
	}
	// 2.5 Flash: cached input at $0.03 against $0.30.
	f := lookup(t, "google", "models/gemini-2.5-flash", "2025-11-01")
	if f.CachedInput != 30_000 || f.Input != 300_000 {
		t.Fatalf("flash %+v", f.Rates)
	}
}

func TestDeepSeekCacheHit(t *testing.T) {
	p := lookup(t, "deepseek", "deepseek-chat", "2025-11-01")
	b := pricing.Cost(p, llm.Usage{InputTokens: 1_000_000, CachedInputTokens: 750_000, OutputTokens: 100_000})
	// 250k misses at $0.28, 750k hits at $0.028, 100k out at $0.42.
	if b.TotalNano != 70_000_000+21_000_000+42_000_000 {
		t.Fatalf("deepseek %+v", b)
	}
}

func TestWorstCaseCost(t *testing.T) {
	p := lookup(t, "anthropic", "claude-sonnet-4-5", "2025-11-01")
	// Input at the dearest input rate (cache write, $3.75), output at $15.
	if got := pricing.WorstCaseCost(p, 1_000, 2_000); got != 1_000*3_750+2_000*15_000 {
		t.Errorf("worst case %d", got)
	}
	// No limit given: the model's max output (64k); long tier above 200k.
	if got := pricing.WorstCaseCost(p, 300_000, 0); got != 300_000*7_500+64_000*22_500 {
		t.Errorf("worst case long %d", got)
	}
	// Rounded up, never down.
	q := priceOf(t, pricing.Override{Input: "0.000001", Output: "0"})
	if got := pricing.WorstCaseCost(q, 1, 0); got != 1 {
		t.Errorf("1 pico rounds up to %d", got)
	}
}
