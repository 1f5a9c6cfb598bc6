package tokens_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/tokens"
)

func TestEncodingByModel(t *testing.T) {
	for model, want := range map[string]string{
		"gpt-4o":                     tokens.O200kBase,
		"gpt-4o-mini-2024-07-18":     tokens.O200kBase,
		"chatgpt-4o-latest":          tokens.O200kBase,
		"gpt-4.1-nano":               tokens.O200kBase,
		"gpt-5":                      tokens.O200kBase,
		"gpt-5-mini-2025-08-07":      tokens.O200kBase,
		"o1":                         tokens.O200kBase,
		"o3-mini":                    tokens.O200kBase,
		"o4-mini-2025-04-16":         tokens.O200kBase,
		"openai/gpt-oss-120b":        tokens.O200kBase,
		"ft:gpt-4o-mini:acme::abc12": tokens.O200kBase,
		"GPT-4O":                     tokens.O200kBase,
		"gpt-4":                      tokens.Cl100kBase,
		"gpt-4-turbo":                tokens.Cl100kBase,
		"gpt-3.5-turbo-0125":         tokens.Cl100kBase,
		"gpt-35-turbo":               tokens.Cl100kBase,
		"text-embedding-3-small":     tokens.Cl100kBase,
		"text-embedding-ada-002":     tokens.Cl100kBase,
		"claude-sonnet-4-5":          "",
		"gemini-2.5-pro":             "",
		"omni-moderation-latest":     "",
		"o":                          "",
		"ollama":                     "",
	} {
		if got := tokens.EncodingFor(model); got != want {
			t.Errorf("EncodingFor(%q) = %q, want %q", model, got, want)
		}
	}
}

// Counts that tiktoken itself gives for these strings.
func TestOpenAICountsAreExact(t *testing.T) {
	var c tokens.Counter // the zero value works
	for _, x := range []struct {
		model, text string
		want        int64
	}{
		{"gpt-4o", "hello world", 2},
		{"gpt-4", "hello world", 2},
		{"gpt-4o", "tiktoken is great!", 6},
		{"gpt-3.5-turbo", "tiktoken is great!", 6},
		{"gpt-4o", "antidisestablishmentarianism", 6},
		// The encodings differ where their vocabularies do.
		{"gpt-4o", "日本語のテキスト", 6},
		{"gpt-4", "日本語のテキスト", 8},
		{"gpt-4o", "", 0},
	} {
		n, exact := c.CountText("openai", x.model, x.text)
		if n != x.want || !exact {
			t.Errorf("%s %q: %d tokens (exact %v), want %d", x.model, x.text, n, exact, x.want)
		}
	}
	// The model decides, whoever serves it.
	if n, exact := c.CountText("groq", "openai/gpt-oss-20b", "hello world"); n != 2 || !exact {
		t.Errorf("gpt-oss on groq: %d %v", n, exact)
	}
}

func TestOtherVendorsAreEstimated(t *testing.T) {
	c := tokens.New()
	text := strings.Repeat("abcd", 100) // 400 ASCII characters
	for _, x := range []struct {
		vendor, model string
		want          int64
	}{
		{"gemini", "gemini-2.5-pro", 100},        // 4 characters a token
		{"google", "gemini-2.5-flash", 100},      //
		{"anthropic", "claude-sonnet-4-5", 116},  // 3.5 characters a token: 114.3, at 0.29 -> 116
		{"deepseek", "deepseek-chat", 120},       // 0.3 tokens a character
		{"mistral", "mistral-large-latest", 100}, // the common rule
		{"", "claude-3-5-haiku-20241022", 116},   // vendor unknown: by the name
		{"", "gemini-2.0-flash", 100},            //
		{"together", "deepseek-ai/DeepSeek-R1", 120},
	} {
		n, exact := c.CountText(x.vendor, x.model, text)
		if n != x.want || exact {
			t.Errorf("%s/%s: %d tokens (exact %v), want an estimate of %d", x.vendor, x.model, n, exact, x.want)
		}
	}
	// Non-ASCII characters count one token each, not a quarter of their
	// bytes: eight CJK characters are 24 bytes.
	if n, _ := c.CountText("gemini", "gemini-2.5-pro", "日本語のテキスト"); n != 8 {
		t.Errorf("CJK estimate %d", n)
	}
	// Rounded up: one character is a token.
	if n, _ := c.CountText("mistral", "mistral-small", "a"); n != 1 {
		t.Errorf("one character: %d", n)
	}
}

func TestWithTokenizer(t *testing.T) {
	words := func(s string) int { return len(strings.Fields(s)) }
	c := tokens.New(tokens.WithTokenizer("sim", words))
	if n, exact := c.CountText("SIM", "anything", "one two three"); n != 3 || !exact {
		t.Errorf("custom tokenizer: %d %v", n, exact)
	}
	// Other vendors are unaffected.
	if n, _ := c.CountText("openai", "gpt-4o", "one two three"); n != 3 {
		t.Errorf("gpt-4o: %d", n)
	}
}

// The encoders are built once and shared by concurrent callers.
func TestCountTextIsSafeForConcurrentUse(t *testing.T) {
	c := tokens.New()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			model := []string{"gpt-4o", "gpt-4"}[i%2]
			if n, _ := c.CountText("openai", model, "tiktoken is great!"); n != 6 {
				t.Errorf("%s: %d", model, n)
			}
		}()
	}
	wg.Wait()
}
