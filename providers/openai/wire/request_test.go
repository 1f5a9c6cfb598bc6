package wire_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// toCanonical decodes and converts a client body, failing the test on error.
func toCanonical(t *testing.T, body string) *llm.Request {
	t.Helper()
	r, extra, err := wire.DecodeChatRequest([]byte(body))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	out, err := wire.ToCanonicalRequest(r, extra)
	if err != nil {
		t.Fatalf("to canonical: %v", err)
	}
	return out
}

func TestToCanonicalRequestValidation(t *testing.T) {
	const user = `{"role":"user","content":"hi"}`
	cases := []struct {
		name, body string
		param      string
		message    string
	}{
		{"no model", `{"messages":[` + user + `]}`, "model", "model is required"},
		{"no messages", `{"model":"m","messages":[]}`, "messages", "messages: must contain at least one message"},
		{"unknown role", `{"model":"m","messages":[{"role":"robot","content":"x"}]}`, "messages[0].role",
			`messages[0].role: unknown role "robot"; expected system, developer, user, assistant or tool`},
		{"missing role", `{"model":"m","messages":[{"content":"x"}]}`, "messages[0].role", "messages[0].role is required"},
		{"tool without id", `{"model":"m","messages":[` + user + `,{"role":"tool","content":"42"}]}`, "messages[1].tool_call_id", "messages[1].tool_call_id is required"},
		{"user null content", `{"model":"m","messages":[{"role":"user","content":null}]}`, "messages[0].content", "messages[0].content is required"},
		{"user audio part", `{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]}`,
			"messages[0].content[0].type", "messages[0].content[0].type: input_audio content parts are not supported by the gateway"},
		{"system image", `{"model":"m","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}`,
			"messages[0].content[0].type", `messages[0].content[0].type: expected "text" here, got "image_url"`},
		{"image ftp", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]}`,
			"messages[0].content[0].image_url.url", "messages[0].content[0].image_url.url: must be an http(s) URL or a data: URL"},
		{"image bad base64", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,@@@"}}]}]}`,
			"messages[0].content[0].image_url.url", "messages[0].content[0].image_url.url: invalid base64 data in data URL"},
		{"data URL not an image", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:text/plain;base64,aGk="}}]}]}`,
			"messages[0].content[0].image_url.url", "messages[0].content[0].image_url.url: data URL must hold an image (image/png, image/jpeg, image/gif or image/webp), got text/plain"},
		{"image detail", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png","detail":"ultra"}}]}]}`,
			"messages[0].content[0].image_url.detail", `messages[0].content[0].image_url.detail: must be "auto", "low" or "high", got "ultra"`},
		{"assistant call without id", `{"model":"m","messages":[` + user + `,{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]}`,
			"messages[1].tool_calls[0].id", "messages[1].tool_calls[0].id is required"},
		{"assistant empty", `{"model":"m","messages":[{"role":"assistant"}]}`, "messages[0].content", "messages[0].content: an assistant message needs content or tool_calls"},
		{"user tool calls", `{"model":"m","messages":[{"role":"user","content":"x","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}]}`,
			"messages[0].tool_calls", "messages[0].tool_calls: only assistant messages can have tool calls"},
		{"tool without name", `{"model":"m","messages":[` + user + `],"tools":[{"type":"function","function":{"description":"d"}}]}`,
			"tools[0].function.name", "tools[0].function.name is required"},
		{"custom tool", `{"model":"m","messages":[` + user + `],"tools":[{"type":"custom","function":{"name":"f"}}]}`,
			"tools[0].type", `tools[0].type: only function tools are supported, got "custom"`},
		{"parameters not object", `{"model":"m","messages":[` + user + `],"tools":[{"type":"function","function":{"name":"f","parameters":[1]}}]}`,
			"tools[0].function.parameters", "tools[0].function.parameters: expected a JSON Schema object, got an array"},
		{"tool_choice unknown function", `{"model":"m","messages":[` + user + `],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}}}`,
			"tool_choice.function.name", `tool_choice.function.name: no tool named "g" in tools`},
		{"tool_choice required without tools", `{"model":"m","messages":[` + user + `],"tool_choice":"required"}`,
			"tool_choice", `tool_choice: "required" needs at least one tool in tools`},
		{"tool_choice bad mode", `{"model":"m","messages":[` + user + `],"tool_choice":"always"}`,
			"tool_choice", `tool_choice: must be "none", "auto", "required" or a function, got "always"`},
		{"response_format bad", `{"model":"m","messages":[` + user + `],"response_format":{"type":"yaml"}}`,
			"response_format.type", `response_format.type: must be "text", "json_object" or "json_schema", got "yaml"`},
		{"json_schema without name", `{"model":"m","messages":[` + user + `],"response_format":{"type":"json_schema","json_schema":{"schema":{"type":"object"}}}}`,
			"response_format.json_schema.name", "response_format.json_schema.name is required"},
		{"temperature range", `{"model":"m","messages":[` + user + `],"temperature":2.5}`, "temperature", "temperature: must be between 0 and 2, got 2.5"},
		{"top_p range", `{"model":"m","messages":[` + user + `],"top_p":-0.1}`, "top_p", "top_p: must be between 0 and 1, got -0.1"},
		{"max_tokens zero", `{"model":"m","messages":[` + user + `],"max_tokens":0}`, "max_tokens", "max_tokens: must be at least 1, got 0"},
		{"n zero", `{"model":"m","messages":[` + user + `],"n":0}`, "n", "n: must be between 1 and 128, got 0"},
		{"empty stop", `{"model":"m","messages":[` + user + `],"stop":["a",""]}`, "stop[1]", "stop[1]: must not be empty"},
		{"orphan function message", `{"model":"m","messages":[` + user + `,{"role":"function","name":"f","content":"1"}]}`,
			"messages[1]", `messages[1]: function message "f" does not follow an assistant function_call of that name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, extra, err := wire.DecodeChatRequest([]byte(c.body))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			_, err = wire.ToCanonicalRequest(r, extra)
			e := asLLMError(t, err)
			if e.Kind != llm.KindInvalidRequest || e.Param != c.param || e.Message != c.message {
				t.Errorf("got kind %v param %q message %q\nwant param %q message %q", e.Kind, e.Param, e.Message, c.param, c.message)
			}
		})
	}
}

// TestToCanonicalVisionRequest follows the API reference's image input
// example: a text part and an image by URL, plus an inline data: URL.
func TestToCanonicalVisionRequest(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\nrest-of-image")
	r := toCanonical(t, `{
		"model": "gpt-4o",
		"messages": [{"role": "user", "content": [
			{"type": "text", "text": "What's in this image?"},
			{"type": "image_url", "image_url": {"url": "https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg", "detail": "high"}},
			{"type": "image_url", "image_url": {"url": "data:image/png;base64,`+b64(png)+`"}, "cache_control": {"type": "ephemeral", "ttl": "1h"}}
		]}],
		"max_tokens": 300
	}`)
	parts := r.Messages[0].Parts
	if len(parts) != 3 || parts[0].Text != "What's in this image?" {
		t.Fatalf("parts = %+v", parts)
	}
	if img := parts[1].Image; parts[1].Type != llm.PartImage || !strings.HasPrefix(img.URL, "https://upload.wikimedia.org/") || img.Detail != "high" || img.Data != nil {
		t.Errorf("URL image = %+v", img)
	}
	if img := parts[2].Image; img.URL != "" || img.MediaType != "image/png" || string(img.Data) != string(png) {
		t.Errorf("data image = %+v", img)
	}
	if cc := parts[2].CacheControl; cc == nil || cc.Type != "ephemeral" || cc.TTL != "1h" {
		t.Errorf("cache_control = %+v", cc)
	}
	if *r.MaxTokens != 300 {
		t.Errorf("max tokens = %v", r.MaxTokens)
	}

	// Upstream, inline data becomes a data: URL again; cache_control is
	// dropped for OpenAI and kept for vendors that forward it.
	for _, keep := range []bool{false, true} {
		cr, err := wire.FromCanonicalRequest(r, wire.RequestOptions{SendCacheControl: keep})
		if err != nil {
			t.Fatal(err)
		}
		p := cr.Messages[0].Content.Parts[2]
		if p.ImageURL.URL != "data:image/png;base64,"+b64(png) {
			t.Errorf("data URL = %q", p.ImageURL.URL)
		}
		if (p.CacheControl != nil) != keep {
			t.Errorf("SendCacheControl=%v: cache_control = %+v", keep, p.CacheControl)
		}
		if cr.MaxCompletionTokens == nil || *cr.MaxCompletionTokens != 300 || cr.MaxTokens != nil {
			t.Errorf("max tokens field: %v %v", cr.MaxCompletionTokens, cr.MaxTokens)
		}
	}
}

func b64(b []byte) string {
	s, _ := json.Marshal(b) // encoding/json writes []byte as standard base64
	return strings.Trim(string(s), `"`)
}

// TestToCanonicalToolConversation follows the function-calling guide: a
// tool definition, an assistant turn with two parallel calls, and the two
// tool results.
func TestToCanonicalToolConversation(t *testing.T) {
	r := toCanonical(t, `{
		"model": "gpt-4.1",
		"messages": [
			{"role": "developer", "content": "You are a weather bot."},
			{"role": "user", "content": "Weather in Paris and Bogotá?"},
			{"role": "assistant", "content": null, "tool_calls": [
				{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"location\":\"Paris, France\"}"}},
				{"id": "call_2", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
			]},
			{"role": "tool", "tool_call_id": "call_1", "content": "14°C"},
			{"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "18°C"}]}
		],
		"tools": [{"type": "function", "function": {"name": "get_weather", "description": "Get current temperature for a given location.",
			"parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"], "additionalProperties": false}, "strict": true}}],
		"tool_choice": {"type": "function", "function": {"name": "get_weather"}},
		"parallel_tool_calls": true
	}`)
	if r.Messages[0].Role != llm.RoleSystem {
		t.Errorf("developer role read as %q", r.Messages[0].Role)
	}
	calls := r.Messages[2].ToolCalls
	if len(calls) != 2 || calls[0].ID != "call_1" || calls[1].Arguments != "{}" || len(r.Messages[2].Parts) != 0 {
		t.Errorf("assistant calls = %+v parts %+v", calls, r.Messages[2].Parts)
	}
	if m := r.Messages[3]; m.Role != llm.RoleTool || m.ToolCallID != "call_1" || m.Text() != "14°C" {
		t.Errorf("tool result = %+v", m)
	}
	if m := r.Messages[4]; m.ToolCallID != "call_2" || m.Text() != "18°C" {
		t.Errorf("tool result parts = %+v", m)
	}
	if len(r.Tools) != 1 || !r.Tools[0].Strict || !json.Valid(r.Tools[0].Parameters) {
		t.Errorf("tools = %+v", r.Tools)
	}
	if r.ToolChoice == nil || r.ToolChoice.Mode != llm.ToolChoiceFunction || r.ToolChoice.Name != "get_weather" {
		t.Errorf("tool choice = %+v", r.ToolChoice)
	}
	if r.ParallelToolCalls == nil || !*r.ParallelToolCalls {
		t.Error("parallel_tool_calls lost")
	}

	cr, err := wire.FromCanonicalRequest(r, wire.RequestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cr)
	var body struct {
		Messages []map[string]json.RawMessage `json:"messages"`
	}
	_ = json.Unmarshal(b, &body)
	if got := string(body.Messages[2]["content"]); got != "null" {
		t.Errorf("assistant content with only tool calls = %s, want null", got)
	}
	if !strings.Contains(string(body.Messages[2]["tool_calls"]), `"arguments":"{}"`) {
		t.Errorf("empty arguments not sent as {}: %s", body.Messages[2]["tool_calls"])
	}
	if got := string(body.Messages[0]["role"]); got != `"system"` {
		t.Errorf("system role sent as %s", got)
	}
	if !strings.Contains(string(b), `"tool_choice":{"type":"function","function":{"name":"get_weather"}}`) {
		t.Errorf("tool_choice: %s", b)
	}
}

func TestToCanonicalLegacyFunctions(t *testing.T) {
	r := toCanonical(t, `{
		"model": "gpt-3.5-turbo",
		"messages": [
			{"role": "user", "content": "What's 2+2?"},
			{"role": "assistant", "content": null, "function_call": {"name": "add", "arguments": "{\"a\":2,\"b\":2}"}},
			{"role": "function", "name": "add", "content": "4"}
		],
		"functions": [{"name": "add", "parameters": {"type": "object"}}],
		"function_call": {"name": "add"}
	}`)
	call := r.Messages[1].ToolCalls
	if len(call) != 1 || call[0].Name != "add" || call[0].ID == "" {
		t.Fatalf("legacy call = %+v", call)
	}
	if m := r.Messages[2]; m.Role != llm.RoleTool || m.ToolCallID != call[0].ID || m.Text() != "4" {
		t.Errorf("function message = %+v", m)
	}
	if len(r.Tools) != 1 || r.Tools[0].Name != "add" {
		t.Errorf("functions = %+v", r.Tools)
	}
	if r.ToolChoice == nil || r.ToolChoice.Mode != llm.ToolChoiceFunction || r.ToolChoice.Name != "add" {
		t.Errorf("function_call = %+v", r.ToolChoice)
	}
	// Sent upstream as tools, never as the deprecated fields.
	cr, err := wire.FromCanonicalRequest(r, wire.RequestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cr)
	if strings.Contains(string(b), "function_call") || strings.Contains(string(b), `"functions"`) || !strings.Contains(string(b), `"role":"tool"`) {
		t.Errorf("legacy fields sent upstream: %s", b)
	}
}

// TestToCanonicalStructuredOutput follows the structured-outputs guide's
// json_schema example, with stop as a single string and reasoning effort.
func TestToCanonicalStructuredOutput(t *testing.T) {
	r := toCanonical(t, `{
		"model": "gpt-4o-2024-08-06",
		"messages": [{"role": "system", "content": "Extract the event information."},
			{"role": "user", "content": "Alice and Bob are going to a science fair on Friday."}],
		"response_format": {"type": "json_schema", "json_schema": {"name": "calendar_event", "strict": true,
			"schema": {"type": "object", "properties": {"name": {"type": "string"}, "date": {"type": "string"},
				"participants": {"type": "array", "items": {"type": "string"}}},
				"required": ["name", "date", "participants"], "additionalProperties": false}}},
		"stop": "END",
		"reasoning_effort": "low",
		"max_tokens": 50,
		"max_completion_tokens": 80,
		"seed": 7, "n": 2, "user": "u-1",
		"metadata": {"team": "search"}
	}`)
	f := r.ResponseFormat
	if f == nil || f.Type != llm.ResponseFormatJSONSchema || f.Name != "calendar_event" || !f.Strict || !strings.Contains(string(f.Schema), "participants") {
		t.Fatalf("response format = %+v", f)
	}
	if fmt.Sprint(r.Stop) != "[END]" {
		t.Errorf("stop = %v", r.Stop)
	}
	if r.Reasoning == nil || r.Reasoning.Effort != "low" {
		t.Errorf("reasoning = %+v", r.Reasoning)
	}
	if *r.MaxTokens != 80 {
		t.Errorf("max_completion_tokens must win over max_tokens, got %d", *r.MaxTokens)
	}
	if *r.Seed != 7 || r.N != 2 || r.User != "u-1" || r.Metadata["team"] != "search" {
		t.Errorf("seed/n/user/metadata = %v %v %q %v", *r.Seed, r.N, r.User, r.Metadata)
	}

	cr, err := wire.FromCanonicalRequest(r, wire.RequestOptions{MaxTokensField: "max_tokens"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cr)
	for _, want := range []string{`"stop":["END"]`, `"max_tokens":80`, `"reasoning_effort":"low"`, `"n":2`, `"strict":true`, `"name":"calendar_event"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("upstream body lacks %s: %s", want, b)
		}
	}
	if strings.Contains(string(b), "max_completion_tokens") || strings.Contains(string(b), "metadata") {
		t.Errorf("wrong max tokens field or metadata without store: %s", b)
	}
}

func TestExtraFieldsBecomeProviderOptions(t *testing.T) {
	r := toCanonical(t, `{"model":"m","messages":[{"role":"user","content":"hi"}],"logit_bias":{"1":5},"store":true,"metadata":{"a":"b"}}`)
	raw := r.ProviderOptions[wire.ProviderOptionsKey]
	if !jsonEqual(t, raw, []byte(`{"logit_bias":{"1":5},"store":true}`)) {
		t.Fatalf("provider options = %s", raw)
	}
	cr, err := wire.FromCanonicalRequest(r, wire.RequestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cr)
	if !jsonEqual(t, b, []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"logit_bias":{"1":5},"store":true,"metadata":{"a":"b"}}`)) {
		t.Errorf("upstream body = %s", b)
	}
}

func TestProviderOptionsPrecedence(t *testing.T) {
	r := &llm.Request{
		Model:     "m",
		Messages:  []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("hi")}}},
		MaxTokens: ptr[int64](10),
		ProviderOptions: map[string]json.RawMessage{
			"openai":    json.RawMessage(`{"max_completion_tokens": 20, "service_tier": "flex", "top_logprobs": 1}`),
			"groq":      json.RawMessage(`{"service_tier": "auto"}`),
			"anthropic": json.RawMessage(`{"thinking": {"type": "enabled"}}`),
		},
	}
	cr, err := wire.FromCanonicalRequest(r, wire.RequestOptions{Provider: "groq"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cr)
	want := `{"model":"m","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":20,"service_tier":"auto","top_logprobs":1}`
	if !jsonEqual(t, b, []byte(want)) {
		t.Errorf("body = %s\nwant %s", b, want)
	}

	r.ProviderOptions["openai"] = json.RawMessage(`[1]`)
	_, err = wire.FromCanonicalRequest(r, wire.RequestOptions{})
	if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || e.Param != "provider_options.openai" {
		t.Errorf("non-object options: %v", e)
	}
}

func TestFromCanonicalRequestOptions(t *testing.T) {
	yes := true
	base := llm.Request{
		Model:             "m",
		Messages:          []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("hi")}}},
		ParallelToolCalls: &yes,
		Reasoning:         &llm.ReasoningConfig{BudgetTokens: 4000},
	}
	cases := []struct {
		name string
		opts wire.RequestOptions
		want string
	}{
		{"openai stream", wire.RequestOptions{Stream: true},
			`{"model":"m","messages":[{"role":"user","content":"hi"}],"reasoning_effort":"medium","stream":true,"stream_options":{"include_usage":true}}`},
		{"mistral stream", wire.RequestOptions{Stream: true, OmitStreamUsage: true, OmitReasoningEffort: true},
			`{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}`},
		{"unary", wire.RequestOptions{},
			`{"model":"m","messages":[{"role":"user","content":"hi"}],"reasoning_effort":"medium"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := base
			cr, err := wire.FromCanonicalRequest(&r, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			// parallel_tool_calls without tools is rejected by OpenAI: not sent.
			b, _ := json.Marshal(cr)
			if !jsonEqual(t, b, []byte(c.want)) {
				t.Errorf("body = %s\nwant %s", b, c.want)
			}
		})
	}
	for budget, effort := range map[int64]string{512: "low", 1024: "low", 8192: "medium", 20000: "high"} {
		if got := wire.ReasoningEffortForBudget(budget); got != effort {
			t.Errorf("budget %d -> %q, want %q", budget, got, effort)
		}
	}
}

func TestFromCanonicalRequestMessages(t *testing.T) {
	r := &llm.Request{Model: "m", Messages: []llm.Message{
		{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("a"), llm.TextPart("b")}},
		{Role: llm.RoleUser, Name: "ann", Parts: []llm.Part{{Type: llm.PartImage, Image: &llm.Image{Data: []byte("\x89PNG\r\n\x1a\n0000")}}}},
		{Role: llm.RoleAssistant, Refusal: "I can't help with that."},
		{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart("ok")}, Reasoning: []llm.Reasoning{{Text: "thinking", Signature: "sig"}}},
	}}
	cr, err := wire.FromCanonicalRequest(r, wire.RequestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(cr.Messages)
	want := `[
		{"role":"system","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
		{"role":"user","name":"ann","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgowMDAw"}}]},
		{"role":"assistant","content":null,"refusal":"I can't help with that."},
		{"role":"assistant","content":"ok"}]`
	if !jsonEqual(t, b, []byte(want)) {
		t.Errorf("messages = %s", b)
	}

	bad := &llm.Request{Model: "m", Messages: []llm.Message{{Role: llm.RoleTool, ToolCallID: "c", Parts: []llm.Part{{Type: llm.PartImage, Image: &llm.Image{URL: "https://x/y.png"}}}}}}
	_, err = wire.FromCanonicalRequest(bad, wire.RequestOptions{})
	if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || e.Param != "messages[0].content[0]" {
		t.Errorf("image in a tool result: %v (param %q)", e, e.Param)
	}
}
