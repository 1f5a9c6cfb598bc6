package wire_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
)

// body converts req and returns the marshalled body as a map.
func body(t *testing.T, req *llm.Request, opts wire.RequestOptions) map[string]any {
	t.Helper()
	mr, err := wire.FromCanonicalRequest(req, opts)
	if err != nil {
		t.Fatal(err)
	}
	return decodeMap(t, mustMarshal(t, mr))
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	return string(mustMarshal(t, v))
}

func TestSystemMessagesBecomeTopLevelSystem(t *testing.T) {
	req := &llm.Request{Model: "m", Messages: []llm.Message{
		{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("Be brief.")}},
		user("hi"),
	}}
	b := body(t, req, wire.RequestOptions{})
	if b["system"] != "Be brief." {
		t.Fatalf("system = %v, want the plain string", b["system"])
	}
	if msgs := b["messages"].([]any); len(msgs) != 1 || jsonOf(t, msgs[0]) != `{"content":"hi","role":"user"}` {
		t.Fatalf("messages = %s", jsonOf(t, msgs))
	}
	if b["max_tokens"] != float64(wire.DefaultMaxTokens) {
		t.Errorf("max_tokens = %v, want the default %d", b["max_tokens"], wire.DefaultMaxTokens)
	}

	// Several system messages, one with a cache breakpoint: blocks, in order.
	req.Messages = []llm.Message{
		{Role: llm.RoleSystem, Parts: []llm.Part{{Type: llm.PartText, Text: "Long rules.", CacheControl: &llm.CacheControl{Type: "ephemeral", TTL: "1h"}}}},
		user("hi"),
		{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("Answer in French.")}},
	}
	b = body(t, req, wire.RequestOptions{DefaultMaxTokens: 100})
	want := `[{"cache_control":{"ttl":"1h","type":"ephemeral"},"text":"Long rules.","type":"text"},{"text":"Answer in French.","type":"text"}]`
	if got := jsonOf(t, b["system"]); got != want {
		t.Fatalf("system = %s\nwant %s", got, want)
	}
	if b["max_tokens"] != float64(100) {
		t.Errorf("max_tokens = %v, want the configured default", b["max_tokens"])
	}
}

func TestConsecutiveToolResultsShareOneUserMessage(t *testing.T) {
	req := &llm.Request{Model: "m", Messages: []llm.Message{
		user("weather in Paris and Rome?"),
		{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart("Checking.")}, ToolCalls: []llm.ToolCall{
			{ID: "t1", Name: "weather", Arguments: `{"city":"Paris"}`},
			{ID: "t2", Name: "weather", Arguments: ""},
		}},
		{Role: llm.RoleTool, ToolCallID: "t1", Parts: []llm.Part{llm.TextPart("sunny")}},
		{Role: llm.RoleTool, ToolCallID: "t2", Parts: []llm.Part{llm.TextPart("rain"), llm.TextPart(" later")}},
		user("and tomorrow?"),
	}}
	b := body(t, req, wire.RequestOptions{})
	msgs := b["messages"].([]any)
	if len(msgs) != 3 {
		t.Fatalf("messages = %s", jsonOf(t, msgs))
	}
	wantAssistant := `{"content":[{"text":"Checking.","type":"text"},{"id":"t1","input":{"city":"Paris"},"name":"weather","type":"tool_use"},{"id":"t2","input":{},"name":"weather","type":"tool_use"}],"role":"assistant"}`
	if got := jsonOf(t, msgs[1]); got != wantAssistant {
		t.Errorf("assistant = %s\nwant %s", got, wantAssistant)
	}
	wantResults := `{"content":[{"content":"sunny","tool_use_id":"t1","type":"tool_result"},` +
		`{"content":[{"text":"rain","type":"text"},{"text":" later","type":"text"}],"tool_use_id":"t2","type":"tool_result"},` +
		`{"text":"and tomorrow?","type":"text"}],"role":"user"}`
	if got := jsonOf(t, msgs[2]); got != wantResults {
		t.Errorf("tool results = %s\nwant %s", got, wantResults)
	}
}

func TestInvalidToolArgumentsNameTheField(t *testing.T) {
	for _, args := range []string{`{"city":`, `["Paris"]`, `"Paris"`} {
		req := &llm.Request{Model: "m", Messages: []llm.Message{
			user("hi"),
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "a", Name: "f", Arguments: "{}"}, {ID: "b", Name: "f", Arguments: args}}},
		}}
		_, err := wire.FromCanonicalRequest(req, wire.RequestOptions{})
		e := asLLMError(t, err)
		if e.Kind != llm.KindInvalidRequest || e.Param != "messages[1].tool_calls[1].function.arguments" {
			t.Errorf("%s: got %v (param %q)", args, e, e.Param)
		}
	}
}

func TestReasoningBlocksComeFirstWithSignaturesVerbatim(t *testing.T) {
	req := &llm.Request{Model: "m", Messages: []llm.Message{
		user("hi"),
		{Role: llm.RoleAssistant,
			Reasoning: []llm.Reasoning{
				{Text: "Let me think.", Signature: "EqQBCkYIBxgCKkA+sig=="},
				{Redacted: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT"},
				{Text: "unsigned reasoning from another provider"},
			},
			Parts:     []llm.Part{llm.TextPart("Answer.")},
			ToolCalls: []llm.ToolCall{{ID: "c", Name: "f", Arguments: "{}"}},
		},
	}}
	b := body(t, req, wire.RequestOptions{})
	got := jsonOf(t, b["messages"].([]any)[1].(map[string]any)["content"])
	want := `[{"signature":"EqQBCkYIBxgCKkA+sig==","thinking":"Let me think.","type":"thinking"},` +
		`{"data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT","type":"redacted_thinking"},` +
		`{"text":"Answer.","type":"text"},{"id":"c","input":{},"name":"f","type":"tool_use"}]`
	if got != want {
		t.Fatalf("content = %s\nwant %s", got, want)
	}
}

func TestImages(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n0000")
	req := &llm.Request{Model: "m", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{
		llm.TextPart("what is this?"),
		{Type: llm.PartImage, Image: &llm.Image{Data: png, MediaType: "image/png"}},
		{Type: llm.PartImage, Image: &llm.Image{URL: "https://example.com/cat.jpg"}},
		{Type: llm.PartImage, Image: &llm.Image{URL: "data:image/gif;base64," + base64.StdEncoding.EncodeToString([]byte("GIF89a"))}},
	}}}}
	b := body(t, req, wire.RequestOptions{})
	got := jsonOf(t, b["messages"].([]any)[0].(map[string]any)["content"])
	want := `[{"text":"what is this?","type":"text"},` +
		`{"source":{"data":"` + base64.StdEncoding.EncodeToString(png) + `","media_type":"image/png","type":"base64"},"type":"image"},` +
		`{"source":{"type":"url","url":"https://example.com/cat.jpg"},"type":"image"},` +
		`{"source":{"data":"R0lGODlh","media_type":"image/gif","type":"base64"},"type":"image"}]`
	if got != want {
		t.Fatalf("content = %s\nwant %s", got, want)
	}

	// And back: the simulator and the front door read them.
	mr, err := wire.DecodeRequest([]byte(`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":` + got + `}]}`))
	if err != nil {
		t.Fatal(err)
	}
	canon, err := wire.ToCanonicalRequest(mr)
	if err != nil {
		t.Fatal(err)
	}
	parts := canon.Messages[0].Parts
	if len(parts) != 4 || string(parts[1].Image.Data) != string(png) || parts[1].Image.MediaType != "image/png" ||
		parts[2].Image.URL != "https://example.com/cat.jpg" || string(parts[3].Image.Data) != "GIF89a" {
		t.Fatalf("parts = %+v", parts)
	}
}

func TestToolsAndToolChoice(t *testing.T) {
	tools := []llm.Tool{
		{Name: "now", CacheControl: &llm.CacheControl{Type: "ephemeral"}},
		{Name: "weather", Description: "Weather by city", Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}}}`)},
	}
	cases := []struct {
		choice   *llm.ToolChoice
		parallel *bool
		want     string
	}{
		{nil, nil, "null"},
		{&llm.ToolChoice{Mode: llm.ToolChoiceAuto}, nil, `{"type":"auto"}`},
		{&llm.ToolChoice{Mode: llm.ToolChoiceRequired}, nil, `{"type":"any"}`},
		{&llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: "weather"}, ptr(false), `{"disable_parallel_tool_use":true,"name":"weather","type":"tool"}`},
		{&llm.ToolChoice{Mode: llm.ToolChoiceNone}, nil, `{"type":"none"}`},
		{nil, ptr(false), `{"disable_parallel_tool_use":true,"type":"auto"}`},
		{nil, ptr(true), "null"},
	}
	for _, c := range cases {
		req := &llm.Request{Model: "m", Messages: []llm.Message{user("hi")}, Tools: tools, ToolChoice: c.choice, ParallelToolCalls: c.parallel}
		b := body(t, req, wire.RequestOptions{})
		if got := jsonOf(t, b["tool_choice"]); got != c.want {
			t.Errorf("choice %+v parallel %v: tool_choice = %s, want %s", c.choice, c.parallel, got, c.want)
		}
		wantTools := `[{"cache_control":{"type":"ephemeral"},"input_schema":{"properties":{},"type":"object"},"name":"now"},` +
			`{"description":"Weather by city","input_schema":{"properties":{"city":{"type":"string"}},"type":"object"},"name":"weather"}]`
		if got := jsonOf(t, b["tools"]); got != wantTools {
			t.Fatalf("tools = %s\nwant %s", got, wantTools)
		}
	}
}

func TestThinkingBudgetAndMaxTokens(t *testing.T) {
	cases := []struct {
		name       string
		reasoning  *llm.ReasoningConfig
		maxTokens  *int64
		wantBudget int64 // 0: no thinking
		wantMax    int64
		wantErr    string
	}{
		{"no reasoning", nil, nil, 0, 4096, ""},
		{"effort none", &llm.ReasoningConfig{Effort: "none"}, nil, 0, 4096, ""},
		{"budget, default max raised", &llm.ReasoningConfig{BudgetTokens: 10000}, nil, 10000, 14096, ""},
		{"budget under the minimum", &llm.ReasoningConfig{BudgetTokens: 100}, ptr(int64(5000)), 1024, 5000, ""},
		{"low", &llm.ReasoningConfig{Effort: "low"}, nil, 1024, 4096, ""},
		{"medium lowered to fit", &llm.ReasoningConfig{Effort: "medium"}, ptr(int64(5000)), 4999, 5000, ""},
		{"high", &llm.ReasoningConfig{Effort: "high"}, ptr(int64(30000)), 24576, 30000, ""},
		{"explicit budget too big", &llm.ReasoningConfig{BudgetTokens: 8000}, ptr(int64(5000)), 0, 0, "max_tokens"},
		{"effort cannot fit", &llm.ReasoningConfig{Effort: "low"}, ptr(int64(1000)), 0, 0, "max_tokens"},
		{"unknown effort", &llm.ReasoningConfig{Effort: "extreme"}, nil, 0, 0, "reasoning_effort"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := &llm.Request{Model: "m", Messages: []llm.Message{user("hi")}, Reasoning: c.reasoning, MaxTokens: c.maxTokens}
			mr, err := wire.FromCanonicalRequest(req, wire.RequestOptions{})
			if c.wantErr != "" {
				if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || e.Param != c.wantErr {
					t.Fatalf("got %v (param %q), want InvalidRequest on %s", e, e.Param, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *mr.MaxTokens != c.wantMax {
				t.Errorf("max_tokens = %d, want %d", *mr.MaxTokens, c.wantMax)
			}
			switch {
			case c.wantBudget == 0 && mr.Thinking != nil:
				t.Errorf("thinking = %+v, want none", mr.Thinking)
			case c.wantBudget != 0 && (mr.Thinking == nil || mr.Thinking.Type != "enabled" || mr.Thinking.BudgetTokens != c.wantBudget):
				t.Errorf("thinking = %+v, want enabled with %d", mr.Thinking, c.wantBudget)
			}
		})
	}
}

func TestSamplingStopUserAndProviderOptions(t *testing.T) {
	req := &llm.Request{
		Model: "m", Messages: []llm.Message{user("hi")},
		Temperature: ptr(0.5), TopP: ptr(0.9), Stop: []string{"END", "STOP"}, User: "user-42",
		Seed: ptr(int64(7)), PresencePenalty: ptr(0.1), Metadata: map[string]string{"team": "a"},
		ProviderOptions: map[string]json.RawMessage{
			"anthropic": json.RawMessage(`{"top_k":5,"service_tier":"auto","max_tokens":99}`),
			"claude-eu": json.RawMessage(`{"service_tier":"standard_only"}`),
			"openai":    json.RawMessage(`{"logprobs":true}`),
		},
	}
	b := body(t, req, wire.RequestOptions{Provider: "claude-eu", Stream: true})
	want := `{"max_tokens":99,"messages":[{"content":"hi","role":"user"}],"metadata":{"user_id":"user-42"},"model":"m",` +
		`"service_tier":"standard_only","stop_sequences":["END","STOP"],"stream":true,"temperature":0.5,"top_k":5,"top_p":0.9}`
	if got := jsonOf(t, b); got != want {
		t.Fatalf("body = %s\nwant %s", got, want)
	}
	req.N = 2
	if _, err := wire.FromCanonicalRequest(req, wire.RequestOptions{}); asLLMError(t, err).Param != "n" {
		t.Fatalf("n=2: %v", err)
	}
	req.N = 0
	req.ProviderOptions = map[string]json.RawMessage{"anthropic": json.RawMessage(`[1]`)}
	if _, err := wire.FromCanonicalRequest(req, wire.RequestOptions{}); asLLMError(t, err).Param != "provider_options.anthropic" {
		t.Fatalf("array option: %v", err)
	}
}

func TestJSONResponseFormatUsesTheAnswerTool(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)
	req := &llm.Request{Model: "m", Messages: []llm.Message{user("hi")},
		ResponseFormat: &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema, Name: "place", Schema: schema}}
	mr, err := wire.FromCanonicalRequest(req, wire.RequestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if mr.AnswerTool != wire.AnswerToolName || len(mr.Tools) != 1 || mr.Tools[0].Name != wire.AnswerToolName ||
		string(mr.Tools[0].InputSchema) != string(schema) {
		t.Fatalf("tools = %+v answer %q", mr.Tools, mr.AnswerTool)
	}
	if jsonOf(t, mr.ToolChoice) != `{"type":"tool","name":"json_response"}` {
		t.Errorf("tool_choice = %s", jsonOf(t, mr.ToolChoice))
	}
	if strings.Contains(string(mustMarshal(t, mr)), "AnswerTool") {
		t.Error("AnswerTool must not be sent")
	}

	// With thinking, forced tool use is refused by the API: the tool is offered.
	req.Reasoning = &llm.ReasoningConfig{Effort: "low"}
	mr, _ = wire.FromCanonicalRequest(req, wire.RequestOptions{})
	if jsonOf(t, mr.ToolChoice) != `{"type":"auto"}` {
		t.Errorf("with thinking: tool_choice = %s", jsonOf(t, mr.ToolChoice))
	}

	// Beside the caller's tools, with the caller's choice.
	req.Reasoning = nil
	req.Tools = []llm.Tool{{Name: "lookup"}}
	req.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceRequired}
	mr, _ = wire.FromCanonicalRequest(req, wire.RequestOptions{})
	if len(mr.Tools) != 2 || jsonOf(t, mr.ToolChoice) != `{"type":"any"}` {
		t.Errorf("with tools: %s / %s", jsonOf(t, mr.Tools), jsonOf(t, mr.ToolChoice))
	}

	// json_object: any object.
	req = &llm.Request{Model: "m", Messages: []llm.Message{user("hi")}, ResponseFormat: &llm.ResponseFormat{Type: llm.ResponseFormatJSONObject}}
	mr, _ = wire.FromCanonicalRequest(req, wire.RequestOptions{NativeStructuredOutput: true})
	if mr.AnswerTool == "" || string(mr.Tools[0].InputSchema) != `{"type":"object"}` {
		t.Errorf("json_object: %s", jsonOf(t, mr.Tools))
	}

	// A schema whose root is not an object cannot be a tool input.
	req.ResponseFormat = &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema, Schema: json.RawMessage(`{"type":"array"}`)}
	if _, err := wire.FromCanonicalRequest(req, wire.RequestOptions{}); asLLMError(t, err).Param != "response_format.json_schema.schema" {
		t.Errorf("array schema: %v", err)
	}
}

func TestNativeStructuredOutputMergesOutputConfigOptions(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}`)
	req := &llm.Request{Model: "m", Messages: []llm.Message{user("hi")},
		ResponseFormat:  &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema, Schema: schema},
		ProviderOptions: map[string]json.RawMessage{"anthropic": json.RawMessage(`{"output_config":{"effort":"high"}}`)},
	}
	b := body(t, req, wire.RequestOptions{NativeStructuredOutput: true})
	want := `{"effort":"high","format":{"schema":{"additionalProperties":false,"properties":{"a":{"type":"integer"}},"type":"object"},"type":"json_schema"}}`
	if got := jsonOf(t, b["output_config"]); got != want {
		t.Fatalf("output_config = %s\nwant %s", got, want)
	}
	if b["tools"] != nil {
		t.Errorf("tools = %v, want none", b["tools"])
	}
}
