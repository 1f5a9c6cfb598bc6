package wire_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

const claude = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"

func user(text string) llm.Message {
	return llm.Message{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(text)}}
}

func translate(t *testing.T, req *llm.Request) map[string]any {
	t.Helper()
	out, err := wire.FromCanonicalRequest(req, wire.RequestOptions{Provider: "aws-prod"})
	if err != nil {
		t.Fatal(err)
	}
	return jsonValue(t, mustMarshal(t, out)).(map[string]any)
}

func translateErr(t *testing.T, req *llm.Request) *llm.Error {
	t.Helper()
	_, err := wire.FromCanonicalRequest(req, wire.RequestOptions{})
	return asLLMError(t, err)
}

func wantJSON(t *testing.T, got any, want string) {
	t.Helper()
	if !reflect.DeepEqual(got, jsonValue(t, []byte(want))) {
		b, _ := json.Marshal(got)
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

func TestInferenceConfigIsAlwaysSent(t *testing.T) {
	body := translate(t, &llm.Request{Model: claude, Messages: []llm.Message{user("hi")}})
	wantJSON(t, body, `{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{}}`)

	body = translate(t, &llm.Request{Model: claude, Messages: []llm.Message{user("hi")},
		MaxTokens: ptr[int64](50), Temperature: ptr(0.2), TopP: ptr(0.9), Stop: []string{"END"}, Seed: ptr[int64](7), User: "u-1"})
	wantJSON(t, body["inferenceConfig"], `{"maxTokens":50,"temperature":0.2,"topP":0.9,"stopSequences":["END"]}`)
	if len(body) != 2 {
		t.Errorf("seed and user have no Converse field, yet the body is %v", body)
	}
}

// Converse needs roles to alternate: tool results and the user text after
// them share one user turn, and so do two user messages in a row.
func TestConsecutiveTurnsOfOneRoleMerge(t *testing.T) {
	req := &llm.Request{Model: claude, Messages: []llm.Message{
		{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("be brief")}},
		user("first"), user("second"),
		{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "t1", Name: "a", Arguments: ""}, {ID: "t2", Name: "b", Arguments: `{"x":1}`}}},
		{Role: llm.RoleTool, ToolCallID: "t1", Parts: []llm.Part{llm.TextPart("one")}},
		{Role: llm.RoleTool, ToolCallID: "t2", Parts: []llm.Part{llm.TextPart("two")}},
		user("and now?"),
	}}
	body := translate(t, req)
	wantJSON(t, body["system"], `[{"text":"be brief"}]`)
	wantJSON(t, body["messages"], `[
		{"role":"user","content":[{"text":"first"},{"text":"second"}]},
		{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"a","input":{}}},{"toolUse":{"toolUseId":"t2","name":"b","input":{"x":1}}}]},
		{"role":"user","content":[
			{"toolResult":{"toolUseId":"t1","content":[{"text":"one"}]}},
			{"toolResult":{"toolUseId":"t2","content":[{"text":"two"}]}},
			{"text":"and now?"}]}]`)
}

func TestAssistantTurnOrderAndReasoning(t *testing.T) {
	req := &llm.Request{Model: claude, Messages: []llm.Message{user("q"), {
		Role:      llm.RoleAssistant,
		Parts:     []llm.Part{llm.TextPart("let me look"), llm.TextPart("")},
		Reasoning: []llm.Reasoning{{Text: "hmm", Signature: "sig"}, {Redacted: "AAEC"}, {Text: "unsigned, from elsewhere"}},
		ToolCalls: []llm.ToolCall{{ID: "t", Name: "f", Arguments: `{"a":[1]}`}},
	}}}
	wantJSON(t, translate(t, req)["messages"].([]any)[1], `{"role":"assistant","content":[
		{"reasoningContent":{"reasoningText":{"text":"hmm","signature":"sig"}}},
		{"reasoningContent":{"redactedContent":"AAEC"}},
		{"text":"let me look"},
		{"toolUse":{"toolUseId":"t","name":"f","input":{"a":[1]}}}]}`)

	for args, param := range map[string]string{`{"a":`: "messages[1].tool_calls[0].function.arguments", `[1]`: "messages[1].tool_calls[0].function.arguments"} {
		req.Messages[1].ToolCalls[0].Arguments = args
		if e := translateErr(t, req); e.Kind != llm.KindInvalidRequest || e.Param != param {
			t.Errorf("arguments %q: %+v", args, e)
		}
	}
}

func TestImages(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n0000")
	req := &llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{
		{Type: llm.PartImage, Image: &llm.Image{Data: png}},
		{Type: llm.PartImage, Image: &llm.Image{URL: "data:image/jpeg;base64,/9j/AA=="}},
		{Type: llm.PartImage, Image: &llm.Image{URL: "s3://bucket/cat.webp"}},
	}}}}
	wantJSON(t, translate(t, req)["messages"], `[{"role":"user","content":[
		{"image":{"format":"png","source":{"bytes":"iVBORw0KGgowMDAw"}}},
		{"image":{"format":"jpeg","source":{"bytes":"/9j/AA=="}}},
		{"image":{"format":"webp","source":{"s3Location":{"uri":"s3://bucket/cat.webp"}}}}]}]`)

	req.Messages[0].Parts = []llm.Part{{Type: llm.PartImage, Image: &llm.Image{URL: "https://example.com/cat.png"}}}
	if e := translateErr(t, req); e.Code != wire.CodeUnsupported || e.Param != "messages[0].content[0]" || !strings.Contains(e.Message, "http(s) URLs") {
		t.Errorf("http image: %+v", e)
	}
	req.Messages[0].Parts = []llm.Part{{Type: llm.PartImage, Image: &llm.Image{Data: []byte("BM bitmap"), MediaType: "image/bmp"}}}
	if e := translateErr(t, req); e.Code != wire.CodeUnsupported || !strings.Contains(e.Message, "image/bmp") {
		t.Errorf("bmp image: %+v", e)
	}
}

func TestToolsAndToolChoice(t *testing.T) {
	tools := []llm.Tool{{Name: "get_time"}, {Name: "get_weather", Description: "Weather", Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}}}`)}}
	for _, tc := range []struct {
		choice *llm.ToolChoice
		want   string
	}{
		{nil, `null`},
		{&llm.ToolChoice{Mode: llm.ToolChoiceAuto}, `{"auto":{}}`},
		{&llm.ToolChoice{Mode: llm.ToolChoiceRequired}, `{"any":{}}`},
		{&llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: "get_weather"}, `{"tool":{"name":"get_weather"}}`},
	} {
		body := translate(t, &llm.Request{Model: claude, Messages: []llm.Message{user("hi")}, Tools: tools, ToolChoice: tc.choice})
		tcfg := body["toolConfig"].(map[string]any)
		wantJSON(t, tcfg["tools"], `[
			{"toolSpec":{"name":"get_time","inputSchema":{"json":{"type":"object","properties":{}}}}},
			{"toolSpec":{"name":"get_weather","description":"Weather","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}}}}}}]`)
		wantJSON(t, tcfg["toolChoice"], tc.want)
	}
	// No "none" in Converse: the tools are left out, unless the
	// conversation holds tool blocks, which need them defined.
	none := &llm.ToolChoice{Mode: llm.ToolChoiceNone}
	if body := translate(t, &llm.Request{Model: claude, Messages: []llm.Message{user("hi")}, Tools: tools, ToolChoice: none}); body["toolConfig"] != nil {
		t.Errorf("none without tool blocks: %v", body["toolConfig"])
	}
	withCalls := []llm.Message{user("hi"), {Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "t", Name: "get_time"}}},
		{Role: llm.RoleTool, ToolCallID: "t", Parts: []llm.Part{llm.TextPart("noon")}}}
	body := translate(t, &llm.Request{Model: claude, Messages: withCalls, Tools: tools, ToolChoice: none})
	if tcfg, ok := body["toolConfig"].(map[string]any); !ok || tcfg["toolChoice"] != nil || len(tcfg["tools"].([]any)) != 2 {
		t.Errorf("none with tool blocks: %v", body["toolConfig"])
	}
}

func TestCacheHintsBecomeCachePoints(t *testing.T) {
	cc := &llm.CacheControl{Type: "ephemeral", TTL: "1h"}
	req := &llm.Request{Model: claude,
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{{Type: llm.PartText, Text: "long system", CacheControl: cc}}},
			user("q"),
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "t", Name: "f"}}},
			{Role: llm.RoleTool, ToolCallID: "t", Parts: []llm.Part{{Type: llm.PartText, Text: "big result", CacheControl: cc}}},
		},
		Tools: []llm.Tool{{Name: "f", CacheControl: cc}},
	}
	body := translate(t, req)
	wantJSON(t, body["system"], `[{"text":"long system"},{"cachePoint":{"type":"default"}}]`)
	wantJSON(t, body["messages"].([]any)[2], `{"role":"user","content":[{"toolResult":{"toolUseId":"t","content":[{"text":"big result"}]}},{"cachePoint":{"type":"default"}}]}`)
	wantJSON(t, body["toolConfig"].(map[string]any)["tools"], `[{"toolSpec":{"name":"f","inputSchema":{"json":{"type":"object","properties":{}}}}},{"cachePoint":{"type":"default"}}]`)

	// And back: each cache point marks the part or tool before it.
	cr, _ := wire.FromCanonicalRequest(req, wire.RequestOptions{})
	back, err := wire.ToCanonicalRequest(cr, claude)
	if err != nil {
		t.Fatal(err)
	}
	if back.Messages[0].Parts[0].CacheControl == nil || back.Messages[3].Parts[0].CacheControl == nil || back.Tools[0].CacheControl == nil || back.Messages[1].Parts[0].CacheControl != nil {
		t.Errorf("cache hints read back: %+v", back)
	}
}

func TestModelFamily(t *testing.T) {
	for id, want := range map[string]string{
		"anthropic.claude-3-haiku-20240307-v1:0":           "anthropic",
		"us.anthropic.claude-sonnet-4-5-20250929-v1:0":     "anthropic",
		"global.anthropic.claude-opus-4-1-20250805-v1:0":   "anthropic",
		"us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0": "anthropic",
		"amazon.nova-pro-v1:0":                             "amazon",
		"eu.amazon.nova-micro-v1:0":                        "amazon",
		"openai.gpt-oss-120b-1:0":                          "openai",
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-3-70b-instruct-v1:0": "meta",
		"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6":           "",
		"custom": "",
	} {
		if got := wire.ModelFamily(id); got != want {
			t.Errorf("ModelFamily(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestReasoningByModelFamily(t *testing.T) {
	req := func(model string, rc *llm.ReasoningConfig, maxTokens *int64) *llm.Request {
		return &llm.Request{Model: model, Messages: []llm.Message{user("think")}, Reasoning: rc, MaxTokens: maxTokens}
	}
	// Claude: thinking with a budget, maxTokens kept above it.
	body := translate(t, req(claude, &llm.ReasoningConfig{Effort: "medium"}, nil))
	wantJSON(t, body["additionalModelRequestFields"], `{"thinking":{"type":"enabled","budget_tokens":8192}}`)
	wantJSON(t, body["inferenceConfig"], `{"maxTokens":12288}`)
	body = translate(t, req(claude, &llm.ReasoningConfig{Effort: "high"}, ptr[int64](2000)))
	wantJSON(t, body["additionalModelRequestFields"], `{"thinking":{"type":"enabled","budget_tokens":1999}}`)
	body = translate(t, req(claude, &llm.ReasoningConfig{BudgetTokens: 3000}, ptr[int64](8000)))
	wantJSON(t, body["additionalModelRequestFields"], `{"thinking":{"type":"enabled","budget_tokens":3000}}`)
	if e := translateErr(t, req(claude, &llm.ReasoningConfig{BudgetTokens: 3000}, ptr[int64](2000))); e.Param != "max_tokens" {
		t.Errorf("budget over max_tokens: %+v", e)
	}
	// Nova and gpt-oss take an effort.
	body = translate(t, req("amazon.nova-2-lite-v1:0", &llm.ReasoningConfig{BudgetTokens: 5000}, nil))
	wantJSON(t, body["additionalModelRequestFields"], `{"reasoningConfig":{"type":"enabled","maxReasoningEffort":"medium"}}`)
	body = translate(t, req("openai.gpt-oss-20b-1:0", &llm.ReasoningConfig{Effort: "minimal"}, nil))
	wantJSON(t, body["additionalModelRequestFields"], `{"reasoning_effort":"low"}`)
	// DeepSeek always reasons; "none" asks for nothing.
	if body := translate(t, req("us.deepseek.r1-v1:0", &llm.ReasoningConfig{Effort: "high"}, nil)); body["additionalModelRequestFields"] != nil {
		t.Errorf("deepseek: %v", body)
	}
	if body := translate(t, req(claude, &llm.ReasoningConfig{Effort: "none"}, nil)); body["additionalModelRequestFields"] != nil {
		t.Errorf("none: %v", body)
	}
	// A family the gateway does not know: refused, not silently dropped.
	e := translateErr(t, req("meta.llama3-3-70b-instruct-v1:0", &llm.ReasoningConfig{Effort: "high"}, nil))
	if e.Code != wire.CodeUnsupported || !strings.Contains(e.Message, "additionalModelRequestFields") {
		t.Errorf("llama: %+v", e)
	}
}

func TestJSONResponseFormatUsesTheAnswerTool(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}`)
	rf := &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema, Schema: schema}
	out, err := wire.FromCanonicalRequest(&llm.Request{Model: claude, Messages: []llm.Message{user("n?")}, ResponseFormat: rf}, wire.RequestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.AnswerTool != wire.AnswerToolName {
		t.Fatalf("answer tool = %q", out.AnswerTool)
	}
	tc := jsonValue(t, mustMarshal(t, out.ToolConfig)).(map[string]any)
	wantJSON(t, tc["toolChoice"], `{"tool":{"name":"json_response"}}`)
	spec := tc["tools"].([]any)[0].(map[string]any)["toolSpec"].(map[string]any)
	if spec["name"] != "json_response" || !reflect.DeepEqual(spec["inputSchema"], jsonValue(t, []byte(`{"json":`+string(schema)+`}`))) {
		t.Errorf("tool = %v", spec)
	}
	// Beside the caller's tools it is offered with the caller's choice.
	body := translate(t, &llm.Request{Model: claude, Messages: []llm.Message{user("n?")}, ResponseFormat: rf,
		Tools: []llm.Tool{{Name: "f"}}, ToolChoice: &llm.ToolChoice{Mode: llm.ToolChoiceAuto}})
	tcfg := body["toolConfig"].(map[string]any)
	if len(tcfg["tools"].([]any)) != 2 {
		t.Errorf("tools = %v", tcfg["tools"])
	}
	wantJSON(t, tcfg["toolChoice"], `{"auto":{}}`)
	// With Claude thinking, forced tool use is refused by the model: auto.
	body = translate(t, &llm.Request{Model: claude, Messages: []llm.Message{user("n?")}, ResponseFormat: rf, Reasoning: &llm.ReasoningConfig{Effort: "low"}})
	wantJSON(t, body["toolConfig"].(map[string]any)["toolChoice"], `{"auto":{}}`)
	// A schema that is not an object cannot be a tool input.
	rf.Schema = json.RawMessage(`{"type":"array"}`)
	if e := translateErr(t, &llm.Request{Model: claude, Messages: []llm.Message{user("n?")}, ResponseFormat: rf}); e.Param != "response_format.json_schema.schema" {
		t.Errorf("array schema: %+v", e)
	}
}

func TestProviderOptionsMerge(t *testing.T) {
	req := &llm.Request{Model: claude, Messages: []llm.Message{user("hi")}, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048},
		ProviderOptions: map[string]json.RawMessage{
			"bedrock":  json.RawMessage(`{"additionalModelRequestFields":{"top_k":40},"guardrailConfig":{"guardrailIdentifier":"g1","guardrailVersion":"1"}}`),
			"aws-prod": json.RawMessage(`{"performanceConfig":{"latency":"optimized"},"additionalModelRequestFields":{"top_k":5}}`),
			"openai":   json.RawMessage(`{"ignored":true}`),
		}}
	body := translate(t, req)
	wantJSON(t, body["additionalModelRequestFields"], `{"thinking":{"type":"enabled","budget_tokens":2048},"top_k":5}`)
	wantJSON(t, body["guardrailConfig"], `{"guardrailIdentifier":"g1","guardrailVersion":"1"}`)
	wantJSON(t, body["performanceConfig"], `{"latency":"optimized"}`)
	if _, ok := body["ignored"]; ok {
		t.Error("another provider's options were merged")
	}
	req.ProviderOptions = map[string]json.RawMessage{"bedrock": json.RawMessage(`[1]`)}
	if e := translateErr(t, req); e.Param != "provider_options.bedrock" {
		t.Errorf("non-object options: %+v", e)
	}
}

func TestRefusedRequests(t *testing.T) {
	if e := translateErr(t, &llm.Request{Model: claude, Messages: []llm.Message{user("hi")}, N: 2}); e.Param != "n" {
		t.Errorf("n: %+v", e)
	}
	sys := &llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleSystem, Parts: []llm.Part{{Type: llm.PartImage, Image: &llm.Image{Data: []byte{1}}}}}, user("hi")}}
	if e := translateErr(t, sys); e.Param != "messages[0].content[0]" {
		t.Errorf("system image: %+v", e)
	}
}

// The simulator reads requests back: reasoning settings, tool choice and
// the other members survive.
func TestToCanonicalRequestReadsEverything(t *testing.T) {
	body := `{
		"messages":[{"role":"user","content":[{"text":"hi"},{"image":{"format":"gif","source":{"bytes":"R0lGOA=="}}}]},
			{"role":"assistant","content":[{"reasoningContent":{"reasoningText":{"text":"r","signature":"s"}}},{"text":"ok"},{"toolUse":{"toolUseId":"t","name":"f","input":{"b": 2 }}}]},
			{"role":"user","content":[{"toolResult":{"toolUseId":"t","content":[{"json":{"x": [1, 2]}},{"text":"done"}],"status":"error"}}]}],
		"system":[{"text":"sys"}],
		"inferenceConfig":{"maxTokens":9000,"temperature":1,"stopSequences":["x"]},
		"toolConfig":{"tools":[{"toolSpec":{"name":"f","inputSchema":{"json":{"type":"object"}}}}],"toolChoice":{"any":{}}},
		"additionalModelRequestFields":{"thinking":{"type":"enabled","budget_tokens":4000},"top_k":3},
		"requestMetadata":{"team":"a"},
		"somethingNew":{"v":1}}`
	cr, err := wire.DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	req, err := wire.ToCanonicalRequest(cr, claude)
	if err != nil {
		t.Fatal(err)
	}
	if req.Model != claude || *req.MaxTokens != 9000 || *req.Temperature != 1 || req.Stop[0] != "x" {
		t.Errorf("sampling = %+v", req)
	}
	if req.Reasoning == nil || req.Reasoning.BudgetTokens != 4000 || req.ToolChoice.Mode != llm.ToolChoiceRequired {
		t.Errorf("reasoning %+v, choice %+v", req.Reasoning, req.ToolChoice)
	}
	want := []llm.Message{
		{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("sys")}},
		{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("hi"), {Type: llm.PartImage, Image: &llm.Image{MediaType: "image/gif", Data: []byte("GIF8")}}}},
		{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart("ok")}, Reasoning: []llm.Reasoning{{Text: "r", Signature: "s"}},
			ToolCalls: []llm.ToolCall{{ID: "t", Name: "f", Arguments: `{"b":2}`}}},
		{Role: llm.RoleTool, ToolCallID: "t", Parts: []llm.Part{llm.TextPart(`{"x":[1,2]}`), llm.TextPart("done")}},
	}
	if !reflect.DeepEqual(req.Messages, want) {
		t.Errorf("messages = %+v", req.Messages)
	}
	wantJSON(t, jsonValue(t, req.ProviderOptions["bedrock"]), `{"additionalModelRequestFields":{"top_k":3},"requestMetadata":{"team":"a"},"somethingNew":{"v":1}}`)

	for _, bad := range []struct{ body, param string }{
		{`{"messages":[]}`, "messages"},
		{`{"messages":[{"role":"user","content":[{"video":{}}]}]}`, "messages[0].content[0].video"},
		{`{"messages":[{"role":"system","content":[{"text":"x"}]}]}`, "messages[0].role"},
		{`{"messages":[{"role":"user","content":[{"text":"x"}]}],"toolConfig":{"tools":[],"toolChoice":{"tool":{"name":"nope"}}}}`, "toolConfig.toolChoice.tool.name"},
	} {
		cr, err := wire.DecodeRequest([]byte(bad.body))
		if err == nil {
			_, err = wire.ToCanonicalRequest(cr, claude)
		}
		if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || e.Param != bad.param {
			t.Errorf("%s: %+v", bad.body, e)
		}
	}
	for _, bad := range []string{``, `[]`, `{"messages":`, `{"messages":"x"}`} {
		if _, err := wire.DecodeRequest([]byte(bad)); asLLMError(t, err).Kind != llm.KindInvalidRequest {
			t.Errorf("%q decoded", bad)
		}
	}
}
