package tokens_test

import (
	"encoding/json"
	"testing"

	"github.com/switchboard-gw/switchboard/billing/tokens"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// The router counts with a ProviderCounter without importing billing.
var _ router.TokenCounter = tokens.ProviderCounter{}

func msg(role llm.Role, name, text string) llm.Message {
	return llm.Message{Role: role, Name: name, Parts: []llm.Part{llm.TextPart(text)}}
}

// The example of OpenAI's cookbook ("How to count tokens with tiktoken"),
// for which the API reports 129 prompt tokens on gpt-3.5-turbo and gpt-4,
// and 124 on gpt-4o and gpt-4o-mini.
func TestCountRequestMatchesTheCookbook(t *testing.T) {
	req := &llm.Request{Messages: []llm.Message{
		msg(llm.RoleSystem, "", "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
		msg(llm.RoleSystem, "example_user", "New synergies will help drive top-line growth."),
		msg(llm.RoleSystem, "example_assistant", "Things working well together will increase revenue."),
		msg(llm.RoleSystem, "example_user", "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."),
		msg(llm.RoleSystem, "example_assistant", "Let's talk later when we're less busy about how to do better."),
		msg(llm.RoleUser, "", "This late pivot means we don't have time to boil the ocean for the client deliverable."),
	}}
	c := tokens.New()
	for model, want := range map[string]int64{"gpt-3.5-turbo": 129, "gpt-4": 129, "gpt-4o": 124, "gpt-4o-mini": 124} {
		if got := c.CountRequest("openai", model, req); got != want {
			t.Errorf("%s: %d prompt tokens, want %d", model, got, want)
		}
	}
}

func TestCountRequestCountsToolsAndCalls(t *testing.T) {
	c := tokens.New()
	base := &llm.Request{Messages: []llm.Message{msg(llm.RoleUser, "", "What is the weather in Paris?")}}
	plain := c.CountRequest("openai", "gpt-4o", base)

	schema := json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)
	withTools := *base
	withTools.Tools = []llm.Tool{{Name: "get_weather", Description: "Current weather for a city", Parameters: schema}}
	tool := func(s string) int64 { n, _ := c.CountText("openai", "gpt-4o", s); return n }
	want := plain + 8 + tool("get_weather") + tool("Current weather for a city") + tool(string(schema))
	if got := c.CountRequest("openai", "gpt-4o", &withTools); got != want {
		t.Errorf("with a tool: %d, want %d", got, want)
	}

	turn := *base
	turn.Messages = append(turn.Messages,
		llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}}},
		llm.Message{Role: llm.RoleTool, ToolCallID: "call_1", Parts: []llm.Part{llm.TextPart("18C, clear")}})
	got := c.CountRequest("openai", "gpt-4o", &turn)
	want = plain + (3 + tool("assistant") + tool("get_weather") + tool(`{"city":"Paris"}`)) +
		(3 + tool("tool") + tool("call_1") + tool("18C, clear"))
	if got != want {
		t.Errorf("with a tool call: %d, want %d", got, want)
	}

	img := *base
	img.Messages = []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{
		{Type: llm.PartImage, Image: &llm.Image{URL: "https://example.com/a.png", Detail: "low"}},
		{Type: llm.PartImage, Image: &llm.Image{URL: "https://example.com/b.png"}},
	}}}
	if got := c.CountRequest("openai", "gpt-4o", &img); got != 3+3+tool("user")+85+765 {
		t.Errorf("images: %d", got)
	}
	if c.CountRequest("openai", "gpt-4o", nil) != 0 {
		t.Error("a nil request has tokens")
	}
}

// ProviderCounter maps configured provider names to vendors.
func TestProviderCounter(t *testing.T) {
	pc := tokens.ProviderCounter{Counter: tokens.New(), VendorOf: func(p string) string {
		return map[string]string{"my-openai": "openai", "claude": "anthropic"}[p]
	}}
	if n := pc.CountText("my-openai", "gpt-4o", "tiktoken is great!"); n != 6 {
		t.Errorf("my-openai: %d", n)
	}
	if n := pc.CountText("claude", "claude-sonnet-4-5", "abcdabcd"); n != 3 { // 8 * 0.29 = 2.32 -> 3
		t.Errorf("claude: %d", n)
	}
	req := &llm.Request{Messages: []llm.Message{msg(llm.RoleUser, "", "hello world")}}
	if n := pc.CountRequest("my-openai", "gpt-4o", req); n != 3+3+1+2 {
		t.Errorf("request: %d", n)
	}
	// Without VendorOf, models are told apart by name.
	if n := (tokens.ProviderCounter{Counter: tokens.New()}).CountText("x", "gpt-4o", "hello world"); n != 2 {
		t.Errorf("no VendorOf: %d", n)
	}
}
