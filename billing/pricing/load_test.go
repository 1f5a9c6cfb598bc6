package pricing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/llm"
)

const userList = `
version: acme-2025-12
models:
  # A negotiated gpt-4o price from the same date as the embedded one.
  - provider: openai
    model: gpt-4o
    effective_from: 2024-10-01
    source: https://example.com/contract
    input: "2.00"
    cached_input: 1.00
    output: 8
    context_window: 128000
    max_output_tokens: 16384
  # A model the embedded table lacks, with a prefix for its snapshots.
  - provider: openai
    model: acme-tuned
    prefixes: ["acme-tuned-"]
    effective_from: 2025-01-01
    source: https://example.com/contract
    input: 0.50
    output: 1.50
    context_window: 32000
  # A vendor the embedded table lacks.
  - provider: ollama
    model: llama3.3
    effective_from: 2025-01-01
    source: https://example.com/internal-chargeback
    input: 0.01
    output: 0.01
    context_window: 131072
`

func TestLoadMergesAUserList(t *testing.T) {
	table, err := pricing.Load(strings.NewReader(userList))
	if err != nil {
		t.Fatal(err)
	}
	if table.Version() != pricing.Embedded().Version()+"+acme-2025-12" {
		t.Errorf("version %q", table.Version())
	}
	now := at("2025-12-01")
	p, ok := table.Lookup("openai", "gpt-4o-2024-11-20", now)
	if !ok || p.Input.String() != "2" || p.CachedInput.String() != "1" || p.Output.String() != "8" {
		t.Errorf("replaced gpt-4o: %v %+v", ok, p.Rates)
	}
	if p, ok := table.Lookup("openai", "acme-tuned-v3", now); !ok || p.Model != "acme-tuned" || p.MaxOutputTokens != 32000 {
		t.Errorf("prefix match: %v %+v", ok, p)
	}
	if _, ok := table.Lookup("ollama", "llama3.3", now); !ok {
		t.Error("the user's vendor is missing")
	}
	// The embedded entries the list does not replace are kept.
	if p, ok := table.Lookup("openai", "gpt-4o-mini", now); !ok || p.Input.String() != "0.15" {
		t.Error("gpt-4o-mini lost in the merge")
	}
	if n, m := len(table.Entries()), len(pricing.Embedded().Entries()); n != m+2 {
		t.Errorf("%d entries after merging 2 new ones into %d", n, m)
	}
	// The embedded table itself is unchanged.
	if p, _ := pricing.Embedded().Lookup("openai", "gpt-4o", now); p.Input.String() != "2.5" {
		t.Errorf("embedded gpt-4o became %s", p.Input)
	}
	// Without a list, Load is the embedded table.
	if table, err := pricing.Load(nil); err != nil || table != pricing.Embedded() {
		t.Error("Load(nil) is not the embedded table")
	}
}

// A user's name wins over an embedded alias.
func TestUserNamesWin(t *testing.T) {
	table, err := pricing.Load(strings.NewReader(`
models:
  - provider: openai
    model: gpt-5-codex
    effective_from: 2025-09-15
    input: 1.5
    output: 12
    context_window: 400000
`))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := table.Lookup("openai", "gpt-5-codex", at("2025-12-01")); !ok || p.Model != "gpt-5-codex" || p.Input.String() != "1.5" {
		t.Errorf("%v %+v", ok, p)
	}
	if !strings.HasSuffix(table.Version(), "+custom") {
		t.Errorf("version %q", table.Version())
	}
}

func TestParseRejectsBadListsNamingTheField(t *testing.T) {
	entry := func(body string) string {
		return "models:\n  - provider: openai\n    model: m\n    effective_from: 2025-01-01\n" + body
	}
	for _, c := range []struct{ list, field string }{
		{entry("    input: -1\n    output: 1\n"), "models[0] (openai/m).input"},
		{entry("    input: abc\n    output: 1\n"), "models[0] (openai/m).input"},
		{entry("    input: 1\n"), "models[0] (openai/m).output"},
		{entry("    output: 1\n"), "models[0] (openai/m).input"},
		{entry("    input: 1\n    output: 1\n    cached_input: 0.1.2\n"), "models[0] (openai/m).cached_input"},
		{entry("    input: 1\n    output: 1\n    long_context: {above_input_tokens: 0, input: 1, output: 1}\n"), "models[0] (openai/m).long_context.above_input_tokens"},
		{entry("    input: 1\n    output: 1\n    long_context: {above_input_tokens: 10, input: 1}\n"), "models[0] (openai/m).long_context.output"},
		{entry("    input: 1\n    output: 1\n    context_window: 10\n    max_output_tokens: 20\n"), "models[0] (openai/m).max_output_tokens"},
		{"models:\n  - provider: openai\n    model: m\n    effective_from: next week\n    input: 1\n    output: 1\n", "models[0] (openai/m).effective_from"},
		{"models:\n  - provider: openai\n    model: m\n    input: 1\n    output: 1\n", "models[0] (openai/m).effective_from"},
		{"models:\n  - model: m\n    effective_from: 2025-01-01\n    input: 1\n    output: 1\n", "models[0].provider"},
		{entry("    input: 1\n    output: 1\n") + entry("    input: 2\n    output: 2\n")[len("models:\n"):], "models[1]"},
	} {
		_, err := pricing.Parse(strings.NewReader(c.list))
		var fe *pricing.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("error %v; want one naming %s\n%s", err, c.field, c.list)
		}
	}
	// Two models claiming one name.
	_, err := pricing.Parse(strings.NewReader(entry("    input: 1\n    output: 1\n    aliases: [x]\n") +
		"  - provider: openai\n    model: n\n    aliases: [X]\n    effective_from: 2025-01-01\n    input: 1\n    output: 1\n"))
	if err == nil || !strings.Contains(err.Error(), `"X"`) {
		t.Errorf("shared alias: %v", err)
	}
	// Unknown fields are errors, not silently ignored prices.
	if _, err := pricing.Parse(strings.NewReader(entry("    input: 1\n    output: 1\n    outptu: 2\n"))); err == nil {
		t.Error("a misspelt field was accepted")
	}
	if _, err := pricing.Load(strings.NewReader("models: [")); err == nil {
		t.Error("broken YAML was accepted")
	}
}

func TestOverrideOverTheTable(t *testing.T) {
	base, ok := pricing.Embedded().Lookup("anthropic", "claude-sonnet-4-5", at("2025-12-01"))
	if !ok {
		t.Fatal("no base price")
	}
	// A negotiated output price; the reasoning price follows the output
	// price it defaults to, and the tier is dropped.
	p, err := pricing.Override{Output: "12"}.Apply(base, true)
	if err != nil {
		t.Fatal(err)
	}
	if p.Output.String() != "12" || p.Reasoning.String() != "12" || p.Input != base.Input || p.CacheWrite != base.CacheWrite ||
		p.LongContext != nil || p.Source != pricing.OverrideSource || p.ContextWindow != base.ContextWindow {
		t.Fatalf("overridden %+v", p)
	}
	if b := pricing.Cost(p, llm.Usage{InputTokens: 300_000, OutputTokens: 1_000}); b.LongContext || b.TotalNano != 300_000*3_000+1_000*12_000 {
		t.Errorf("cost %+v", b)
	}
	// A zero override keeps the table's price.
	if p, err := (pricing.Override{}).Apply(base, true); err != nil || p.LongContext == nil || p.Source != base.Source {
		t.Errorf("zero override %+v %v", p, err)
	}
	// A model the table lacks needs input and output.
	_, err = pricing.Override{Input: "1"}.Apply(pricing.Price{Model: "x"}, false)
	var fe *pricing.FieldError
	if !errors.As(err, &fe) || fe.Field != "output" {
		t.Errorf("missing output: %v", err)
	}
	p, err = pricing.Override{Input: "1", Output: "2", CachedInput: "0.1"}.Apply(pricing.Price{Model: "x"}, false)
	if err != nil || p.CacheWrite.String() != "1" || p.CachedInput.String() != "0.1" || p.Reasoning.String() != "2" {
		t.Errorf("new price %+v %v", p.Rates, err)
	}
}
