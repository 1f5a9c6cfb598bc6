package pricing_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/pricing"
)

// Every entry of the embedded table is complete and sane.
func TestEmbeddedTableIsCompleteAndSane(t *testing.T) {
	table := pricing.Embedded()
	if table.Version() == "" {
		t.Error("the embedded table has no version")
	}
	entries := table.Entries()
	if len(entries) < 50 {
		t.Errorf("only %d entries", len(entries))
	}
	vendors := map[string]int{}
	seen := map[string]bool{}
	earliest, _ := time.Parse(time.DateOnly, "2022-01-01")
	for _, p := range entries {
		id := p.Provider + "/" + p.Model
		vendors[p.Provider]++
		key := strings.ToLower(id) + "@" + p.EffectiveFrom.Format(time.RFC3339)
		if seen[key] {
			t.Errorf("%s: two entries from %s", id, p.EffectiveFrom)
		}
		seen[key] = true
		if p.EffectiveFrom.Before(earliest) || p.EffectiveFrom.After(time.Now()) {
			t.Errorf("%s: effective from %s", id, p.EffectiveFrom)
		}
		if u, err := url.Parse(p.Source); err != nil || u.Scheme != "https" || u.Host == "" {
			t.Errorf("%s: source %q is not an https URL", id, p.Source)
		}
		if p.Input <= 0 {
			t.Errorf("%s: input price %s", id, p.Input)
		}
		if p.ContextWindow <= 0 {
			t.Errorf("%s: context window %d", id, p.ContextWindow)
		}
		// Sanity bounds: no model costs more than $1000 per million tokens.
		ceiling, _ := pricing.ParseRate("1000")
		tiers := []pricing.Rates{p.Rates}
		if p.LongContext != nil {
			tiers = append(tiers, p.LongContext.Rates)
			if p.LongContext.AboveInputTokens >= p.ContextWindow {
				t.Errorf("%s: long-context tier above %d tokens, beyond the window %d", id, p.LongContext.AboveInputTokens, p.ContextWindow)
			}
			if p.LongContext.Input < p.Input || p.LongContext.Output < p.Output {
				t.Errorf("%s: the long-context tier is cheaper", id)
			}
		}
		for _, r := range tiers {
			if r.Input > ceiling || r.Output > ceiling || r.CacheWrite > ceiling {
				t.Errorf("%s: implausible price %+v", id, r)
			}
			if r.CachedInput > r.Input {
				t.Errorf("%s: cached input %s above input %s", id, r.CachedInput, r.Input)
			}
			if r.CacheWrite < r.Input {
				t.Errorf("%s: cache write %s below input %s", id, r.CacheWrite, r.Input)
			}
		}
		if p.Embedding {
			if p.Output != 0 || p.MaxOutputTokens != 0 {
				t.Errorf("%s: an embedding model with an output price or limit", id)
			}
			continue
		}
		if p.Output <= 0 {
			t.Errorf("%s: output price %s", id, p.Output)
		}
		if p.Reasoning < p.Output {
			t.Errorf("%s: reasoning %s below output %s", id, p.Reasoning, p.Output)
		}
		if p.MaxOutputTokens <= 0 || p.MaxOutputTokens > p.ContextWindow {
			t.Errorf("%s: max output %d for a window of %d", id, p.MaxOutputTokens, p.ContextWindow)
		}
		// Each entry is found by its own name, at its own date.
		got, ok := table.Lookup(p.Provider, p.Model, p.EffectiveFrom)
		if !ok || got.Model != p.Model || !got.EffectiveFrom.Equal(p.EffectiveFrom) {
			t.Errorf("%s: lookup at its date found %s from %s", id, got.Model, got.EffectiveFrom)
		}
	}
	for _, v := range []string{"openai", "anthropic", "gemini", "mistral", "deepseek", "groq", "together"} {
		if vendors[v] == 0 {
			t.Errorf("no entry for %s", v)
		}
	}
}
