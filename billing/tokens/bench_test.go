package tokens_test

import (
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/tokens"
	"github.com/switchboard-gw/switchboard/llm"
)

// sample is English prose with some code and numbers, about 4 KB.
var sample = strings.Repeat("The gateway routes each request to a provider deployment, fails over when one degrades, "+
	"and meters every token into money: func Cost(p Price, u llm.Usage) Breakdown { return b } // 2025-11-25, $0.15/M\n", 20)

func BenchmarkCountText(b *testing.B) {
	c := tokens.New()
	for _, x := range []struct{ name, vendor, model string }{
		{"o200k", "openai", "gpt-4o"},
		{"cl100k", "openai", "gpt-4"},
		{"estimate", "anthropic", "claude-sonnet-4-5"},
	} {
		b.Run(x.name, func(b *testing.B) {
			c.CountText(x.vendor, x.model, "warm up") // the encoder is built once, on first use
			b.SetBytes(int64(len(sample)))
			b.ReportAllocs()
			for b.Loop() {
				c.CountText(x.vendor, x.model, sample)
			}
		})
	}
}

func BenchmarkCountRequest(b *testing.B) {
	c := tokens.New()
	req := &llm.Request{Messages: []llm.Message{
		{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("You are a helpful assistant.")}},
		{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(sample)}},
	}}
	c.CountRequest("openai", "gpt-4o", req)
	b.ReportAllocs()
	for b.Loop() {
		c.CountRequest("openai", "gpt-4o", req)
	}
}
