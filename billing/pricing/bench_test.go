package pricing_test

import (
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/llm"
)

// The hot path of metering: find an attempt's price and cost its usage.
func BenchmarkLookupCost(b *testing.B) {
	table := pricing.Embedded()
	now := time.Now()
	u := llm.Usage{InputTokens: 12_345, CachedInputTokens: 8_000, CacheWriteTokens: 1_000, OutputTokens: 678, ReasoningTokens: 300}
	for _, c := range []struct{ name, provider, model string }{
		{"exact", "openai", "gpt-4o-mini"},
		{"snapshot", "anthropic", "claude-sonnet-4-20250514"},
		{"model-only", "", "gemini-2.5-pro"},
		{"unknown", "openai", "not-a-model"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var total int64
			for b.Loop() {
				if p, ok := table.Lookup(c.provider, c.model, now); ok {
					total += pricing.Cost(p, u).TotalNano
				}
			}
			_ = total
		})
	}
}
