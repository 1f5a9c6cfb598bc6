package pricing_test

import (
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/billing/pricing"
)

func at(s string) time.Time {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A lookup at a time picks the newest entry in effect then.
func TestLookupPicksThePriceInEffect(t *testing.T) {
	table := pricing.Embedded()
	for _, c := range []struct {
		provider, model, when string
		input, output         string
		ok                    bool
	}{
		// o3 was cut by 80% on 2025-06-10.
		{"openai", "o3", "2025-05-01", "10", "40", true},
		{"openai", "o3", "2025-06-09T23:59:59Z", "10", "40", true},
		{"openai", "o3", "2025-06-10", "2", "8", true},
		{"openai", "o3-2025-04-16", "2025-07-01", "2", "8", true},
		{"openai", "o3", "2025-04-15", "", "", false}, // before its first price
		// DeepSeek: three price lists, the V3.1 one from 16:00 UTC.
		{"deepseek", "deepseek-chat", "2025-03-01", "0.27", "1.1", true},
		{"deepseek", "deepseek-chat", "2025-09-05T15:59:59Z", "0.27", "1.1", true},
		{"deepseek", "deepseek-chat", "2025-09-05T16:00:00Z", "0.56", "1.68", true},
		{"deepseek", "deepseek-reasoner", "2025-09-20", "0.56", "1.68", true},
		{"deepseek", "deepseek-reasoner", "2025-10-01", "0.28", "0.42", true},
	} {
		p, ok := table.Lookup(c.provider, c.model, at(c.when))
		if ok != c.ok {
			t.Errorf("%s/%s at %s: found %v", c.provider, c.model, c.when, ok)
			continue
		}
		if ok && (p.Input.String() != c.input || p.Output.String() != c.output) {
			t.Errorf("%s/%s at %s: %s/%s, want %s/%s", c.provider, c.model, c.when, p.Input, p.Output, c.input, c.output)
		}
	}
}

func TestLookupMatchesSnapshotsAndAliases(t *testing.T) {
	table := pricing.Embedded()
	now := at("2025-12-01")
	for _, c := range []struct{ provider, name, model string }{
		{"openai", "gpt-4o", "gpt-4o"},
		{"openai", "gpt-4o-2024-08-06", "gpt-4o"},
		{"openai", "gpt-4o-2024-11-20", "gpt-4o"},
		{"openai", "gpt-4o-2024-05-13", "gpt-4o-2024-05-13"}, // its own, older price
		{"openai", "GPT-4o-Mini-2024-07-18", "gpt-4o-mini"},
		{"openai", "gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"},
		{"openai", "gpt-5-mini-2025-08-07", "gpt-5-mini"},
		{"openai", "gpt-5-2025-08-07", "gpt-5"},
		{"openai", "gpt-5-codex", "gpt-5"},
		{"openai", "o4-mini-2025-04-16", "o4-mini"},
		{"anthropic", "claude-sonnet-4-20250514", "claude-sonnet-4"},
		{"anthropic", "claude-sonnet-4-0", "claude-sonnet-4"},
		{"anthropic", "claude-3-5-sonnet-20241022", "claude-3-5-sonnet"},
		{"anthropic", "claude-3-5-sonnet-latest", "claude-3-5-sonnet"},
		{"anthropic", "claude-3-7-sonnet-20250219", "claude-3-7-sonnet"},
		{"anthropic", "claude-opus-4-1-20250805", "claude-opus-4-1"},
		{"anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
		{"anthropic", "claude-haiku-4-5-20251001", "claude-haiku-4-5"},
		{"anthropic", "claude-sonnet-4@20250514", "claude-sonnet-4"},                       // Vertex
		{"anthropic", "us.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet"}, // Bedrock
		{"gemini", "gemini-2.0-flash-001", "gemini-2.0-flash"},
		{"google", "models/gemini-2.5-pro", "gemini-2.5-pro"},
		{"gemini", "gemini-2.5-pro-preview-06-05", "gemini-2.5-pro"},
		{"mistral", "mistral-large-latest", "mistral-large"},
		{"mistral", "mistral-large-2411", "mistral-large"},
		{"mistral", "codestral-2501", "codestral"},
		{"together", "meta-llama/llama-3.3-70b-instruct-turbo", "meta-llama/Llama-3.3-70B-Instruct-Turbo"},
		{"groq", "llama-3.3-70b-versatile", "llama-3.3-70b-versatile"},
	} {
		p, ok := table.Lookup(c.provider, c.name, now)
		if !ok || p.Model != c.model {
			t.Errorf("%s/%s: found %v, model %q; want %q", c.provider, c.name, ok, p.Model, c.model)
		}
	}
}

// Lookalike names of other models, at other prices, are not matched.
func TestLookupDoesNotConfuseModels(t *testing.T) {
	table := pricing.Embedded()
	now := at("2025-12-01")
	for _, c := range []struct{ provider, name, model string }{
		{"openai", "gpt-5-pro", "gpt-5-pro"},
		{"openai", "gpt-5-mini", "gpt-5-mini"},
		{"openai", "o3-mini", "o3-mini"},
		{"openai", "o3-pro-2025-06-10", "o3-pro"},
		{"openai", "gpt-4.1-nano", "gpt-4.1-nano"},
		{"gemini", "gemini-2.5-flash-lite", "gemini-2.5-flash-lite"},
	} {
		if p, ok := table.Lookup(c.provider, c.name, now); !ok || p.Model != c.model {
			t.Errorf("%s/%s: model %q", c.provider, c.name, p.Model)
		}
	}
	for _, c := range []struct{ provider, name string }{
		{"openai", "o1-pro"},            // a different price, not in the table
		{"openai", "chatgpt-4o-latest"}, // not gpt-4o's price
		{"openai", "gpt-4"},
		{"openai", "ft:gpt-4o-mini:acme::abc"},
		{"gemini", "gemini-2.5-flash-preview-05-20"}, // priced apart from the GA model
		{"anthropic", "claude-2.1"},
		{"openai", ""},
	} {
		if p, ok := table.Lookup(c.provider, c.name, now); ok {
			t.Errorf("%s/%s matched %s", c.provider, c.name, p.Model)
		}
	}
}

func TestLookupByVendor(t *testing.T) {
	table := pricing.Embedded()
	now := at("2025-12-01")
	// The vendor's price list decides: DeepSeek-V3 at Together is not
	// deepseek-chat, and Groq does not sell gpt-4o.
	if _, ok := table.Lookup("groq", "gpt-4o", now); ok {
		t.Error("groq/gpt-4o found")
	}
	// A vendor the table does not know (a self-hosted vLLM) finds nothing,
	// even for a model name it knows.
	if _, ok := table.Lookup("vllm", "deepseek-ai/DeepSeek-R1", now); ok {
		t.Error("vllm priced as Together")
	}
	// No vendor (a simulator): the model is looked up on every list.
	for _, c := range []struct{ name, provider string }{
		{"gpt-4o-mini", "openai"},
		{"claude-sonnet-4-5-20250929", "anthropic"},
		{"gemini-2.5-flash", "gemini"},
		{"deepseek-ai/DeepSeek-R1", "together"},
	} {
		p, ok := table.Lookup("", c.name, now)
		if !ok || p.Provider != c.provider {
			t.Errorf("model-only %s: %v %q", c.name, ok, p.Provider)
		}
	}
	if _, ok := table.Lookup("", "sim-chat", now); ok {
		t.Error("sim-chat has a price")
	}
	// The zero time means now.
	if _, ok := table.Lookup("openai", "gpt-4o", time.Time{}); !ok {
		t.Error("no price now")
	}
}

func TestLimits(t *testing.T) {
	table := pricing.Embedded()
	cw, out, ok := table.Limits("openai", "gpt-4.1")
	if !ok || cw != 1_047_576 || out != 32_768 {
		t.Errorf("gpt-4.1 limits %d %d %v", cw, out, ok)
	}
	// Mistral publishes no output limit: the context window bounds it.
	cw, out, ok = table.Limits("mistral", "mistral-large-latest")
	if !ok || cw != 131_072 || out != cw {
		t.Errorf("mistral-large limits %d %d %v", cw, out, ok)
	}
	if _, _, ok := table.Limits("openai", "no-such-model"); ok {
		t.Error("limits of an unknown model")
	}
}
