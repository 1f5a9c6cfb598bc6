package admit_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/billing/tokens"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// The bound must hold for every tokenizer the gateway prices by: OpenAI's
// byte-pair encodings (exact), and the simulator's.
func TestInputTokenBoundIsAnUpperBound(t *testing.T) {
	counters := map[string]func(*llm.Request) int64{
		"o200k":  func(r *llm.Request) int64 { return tokens.New().CountRequest("openai", "gpt-4o", r) },
		"cl100k": func(r *llm.Request) int64 { return tokens.New().CountRequest("openai", "gpt-4", r) },
		"simulator": func(r *llm.Request) int64 {
			return tokens.New(tokens.WithTokenizer("sim", sim.CountTokens)).CountRequest("sim", "x", r)
		},
		"claude-estimate": func(r *llm.Request) int64 {
			return tokens.New().CountRequest("anthropic", "claude-sonnet-4", r)
		},
	}
	texts := []string{
		"", "a", "hello world", strings.Repeat("x", 5000), strings.Repeat("the quick brown fox ", 300),
		"日本語のテキストはトークンが多い。", strings.Repeat("🙂", 200), "  \n\n\t  ", strings.Repeat("1234567890", 100),
		"mixed ünïcödé and ascii, with punctuation!?;:", strings.Repeat("a b ", 1000),
	}
	for _, text := range texts {
		req := &llm.Request{Model: "m", Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("You are terse.")}},
			{Role: llm.RoleUser, Name: "ann", Parts: []llm.Part{llm.TextPart(text)}},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "call_1", Name: "lookup", Arguments: `{"q":"` + text[:min(len(text), 20)] + `"}`}}},
			{Role: llm.RoleTool, ToolCallID: "call_1", Parts: []llm.Part{llm.TextPart(text)}},
		}, Tools: []llm.Tool{{Name: "lookup", Description: "Look something up", Parameters: json.RawMessage(`{"type":"object","properties":{"q":{"type":"string"}}}`)}}}
		bound := admit.InputTokenBound(req, admit.DefaultImageTokens)
		for name, count := range counters {
			if n := count(req); n > bound {
				t.Errorf("%s counts %d tokens for %.20q, above the bound %d", name, n, text, bound)
			}
		}
	}
}

func TestImagesCountTheirAllowance(t *testing.T) {
	req := &llm.Request{Model: "m", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{
		{Type: llm.PartImage, Image: &llm.Image{URL: "https://example.com/a.png"}}, llm.TextPart("what is it?"),
	}}}}
	if a, b := admit.InputTokenBound(req, 1000), admit.InputTokenBound(req, 0); a-b != 1000 {
		t.Fatalf("bound with 1000 per image %d, with 0 %d", a, b)
	}
}

func TestUSD(t *testing.T) {
	for in, want := range map[string]int64{"0.05": 50_000_000, "12": 12_000_000_000, "0.000000001": 1, ".5": 500_000_000, "3.": -1,
		"-1": -1, "1e3": -1, "0.0000000001": -1, "": -1, "abc": -1, "99999999999": -1} {
		got, err := admit.ParseUSD(in)
		if want < 0 {
			if err == nil {
				t.Errorf("ParseUSD(%q) = %d, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseUSD(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[int64]string{0: "0", 1: "0.000000001", 50_000_000: "0.05", 12_000_000_000: "12", 1_500_000_000: "1.5"} {
		if got := admit.FormatUSD(in); got != want {
			t.Errorf("FormatUSD(%d) = %q, want %q", in, got, want)
		}
	}
}
