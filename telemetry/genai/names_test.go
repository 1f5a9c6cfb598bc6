package genai_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/telemetry/genai"
)

func TestProviderSystemUsesTheWellKnownNames(t *testing.T) {
	cases := map[[2]string]string{
		{"openai", "openai"}:   "openai",
		{"openai", ""}:         "openai",
		{"openai", "mistral"}:  "mistral_ai",
		{"openai", "groq"}:     "groq",
		{"openai", "deepseek"}: "deepseek",
		{"anthropic", ""}:      "anthropic",
		{"gemini", ""}:         "gcp.gemini",
		{"vertex", ""}:         "gcp.vertex_ai",
		{"bedrock", ""}:        "aws.bedrock",
		{"azure", ""}:          "azure.ai.openai",
		{"sim", ""}:            "switchboard.sim",
		{"newkind", ""}:        "switchboard.newkind",
	}
	for in, want := range cases {
		if got := genai.ProviderSystem(in[0], in[1]); got != want {
			t.Errorf("ProviderSystem(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

// Names callers choose never become label values of their own.
func TestPassthroughNamesAreCollapsed(t *testing.T) {
	if got := genai.Label("openai/gpt-4o-2024-08-06", "openai"); got != "openai/*" {
		t.Errorf("passthrough label %q", got)
	}
	if got := genai.Label("fast", "openai"); got != "fast" {
		t.Errorf("configured alias label %q", got)
	}
	if got := genai.Label("openaiX/m", "openai"); got != "openaiX/m" {
		t.Errorf("a name merely starting with the provider's: %q", got)
	}
	if got := genai.ModelLabel("gpt-x-anything", "openai/gpt-x-anything", "openai"); got != "*" {
		t.Errorf("passthrough model label %q", got)
	}
	if got := genai.ModelLabel("gpt-4o", "main", "openai"); got != "gpt-4o" {
		t.Errorf("configured model label %q", got)
	}
}
