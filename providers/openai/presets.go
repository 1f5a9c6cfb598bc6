package openai

import "github.com/switchboard-gw/switchboard/providers/openai/wire"

// Preset returns the configuration of a known OpenAI-compatible vendor:
// its base URL, auth style and request-format differences. The caller adds
// the key (APIKey or Credential) and may override anything. Vendors:
// openai, groq, deepseek, mistral, together, openrouter, ollama, vllm.
func Preset(vendor string) (Config, bool) {
	c, ok := presets[vendor]
	if !ok {
		return Config{}, false
	}
	c.Name = vendor
	return c, true
}

// Presets lists the vendor names Preset knows.
func Presets() []string {
	return []string{"openai", "groq", "deepseek", "mistral", "together", "openrouter", "ollama", "vllm"}
}

var presets = map[string]Config{
	"openai": {
		BaseURL:           "https://api.openai.com/v1",
		Request:           wire.RequestOptions{MaxTokensField: "max_completion_tokens"},
		EmbeddingEncoding: wire.EncodingBase64,
	},
	"groq": {
		BaseURL: "https://api.groq.com/openai/v1",
		Request: wire.RequestOptions{MaxTokensField: "max_completion_tokens"},
	},
	"deepseek": {
		// DeepSeek has no reasoning_effort: its reasoner always reasons.
		BaseURL: "https://api.deepseek.com/v1",
		Request: wire.RequestOptions{MaxTokensField: "max_tokens", OmitReasoningEffort: true},
	},
	"mistral": {
		// Mistral rejects unknown fields with 422, stream_options and
		// max_completion_tokens among them, and reports stream usage anyway.
		BaseURL: "https://api.mistral.ai/v1",
		Request: wire.RequestOptions{MaxTokensField: "max_tokens", OmitStreamUsage: true, OmitReasoningEffort: true},
	},
	"together": {
		BaseURL: "https://api.together.xyz/v1",
		Request: wire.RequestOptions{MaxTokensField: "max_tokens"},
	},
	"openrouter": {
		// OpenRouter forwards cache_control to the Anthropic and Gemini models it serves.
		BaseURL: "https://openrouter.ai/api/v1",
		Request: wire.RequestOptions{MaxTokensField: "max_tokens", SendCacheControl: true},
	},
	"ollama": {
		BaseURL:   "http://localhost:11434/v1",
		AuthStyle: AuthNone,
		Request:   wire.RequestOptions{MaxTokensField: "max_tokens"},
	},
	"vllm": {
		BaseURL:   "http://localhost:8000/v1",
		AuthStyle: AuthNone,
		Request:   wire.RequestOptions{MaxTokensField: "max_tokens"},
	},
}
