package wire_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
)

func toCanonical(t *testing.T, body string) (*llm.Request, error) {
	t.Helper()
	mr, err := wire.DecodeRequest([]byte(body))
	if err != nil {
		return nil, err
	}
	return wire.ToCanonicalRequest(mr)
}

func TestToCanonicalSplitsToolResultsAndKeepsOrder(t *testing.T) {
	req, err := toCanonical(t, `{
		"model": "claude", "max_tokens": 100, "top_k": 3, "stream": true,
		"system": [{"type": "text", "text": "rules", "cache_control": {"type": "ephemeral"}}],
		"metadata": {"user_id": "u1"},
		"tool_choice": {"type": "any", "disable_parallel_tool_use": true},
		"tools": [{"name": "f", "input_schema": {"type": "object", "properties": {}}}],
		"thinking": {"type": "enabled", "budget_tokens": 2048},
		"messages": [
			{"role": "user", "content": "go"},
			{"role": "assistant", "content": [
				{"type": "thinking", "thinking": "hmm", "signature": "sig=="},
				{"type": "redacted_thinking", "data": "opaque"},
				{"type": "text", "text": "calling"},
				{"type": "tool_use", "id": "a", "name": "f", "input": {"x": 1}},
				{"type": "tool_use", "id": "b", "name": "f", "input": {}}
			]},
			{"role": "user", "content": [
				{"type": "tool_result", "tool_use_id": "a", "content": "one"},
				{"type": "tool_result", "tool_use_id": "b", "content": [{"type": "text", "text": "two"}], "is_error": true},
				{"type": "text", "text": "thanks"}
			]}
		]}`)
	if err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, m := range req.Messages {
		roles = append(roles, fmt.Sprintf("%s:%s:%s", m.Role, m.Text(), m.ToolCallID))
	}
	if want := "[system:rules: user:go: assistant:calling: tool:one:a tool:two:b user:thanks:]"; fmt.Sprint(roles) != want {
		t.Fatalf("messages = %v\nwant %s", roles, want)
	}
	a := req.Messages[2]
	wantReasoning := []llm.Reasoning{{Text: "hmm", Signature: "sig=="}, {Redacted: "opaque"}}
	if fmt.Sprint(a.Reasoning) != fmt.Sprint(wantReasoning) {
		t.Errorf("reasoning = %+v", a.Reasoning)
	}
	wantCalls := []llm.ToolCall{{ID: "a", Name: "f", Arguments: `{"x":1}`}, {ID: "b", Name: "f", Arguments: "{}"}}
	if fmt.Sprint(a.ToolCalls) != fmt.Sprint(wantCalls) {
		t.Errorf("calls = %+v", a.ToolCalls)
	}
	if req.Messages[0].Parts[0].CacheControl == nil || req.User != "u1" || *req.MaxTokens != 100 {
		t.Errorf("system cache %v user %q max %d", req.Messages[0].Parts[0].CacheControl, req.User, *req.MaxTokens)
	}
	if req.ToolChoice.Mode != llm.ToolChoiceRequired || req.ParallelToolCalls == nil || *req.ParallelToolCalls {
		t.Errorf("tool choice %+v parallel %v", req.ToolChoice, req.ParallelToolCalls)
	}
	if req.Reasoning == nil || req.Reasoning.BudgetTokens != 2048 {
		t.Errorf("reasoning = %+v", req.Reasoning)
	}
	if string(req.ProviderOptions["anthropic"]) != `{"top_k":3}` {
		t.Errorf("provider options = %s", req.ProviderOptions["anthropic"])
	}
}

func TestToCanonicalOutputConfig(t *testing.T) {
	req, err := toCanonical(t, `{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"x"}],
		"output_config":{"effort":"low","format":{"type":"json_schema","schema":{"type":"object"}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if f := req.ResponseFormat; f == nil || f.Type != llm.ResponseFormatJSONSchema || string(f.Schema) != `{"type":"object"}` {
		t.Fatalf("response format = %+v", req.ResponseFormat)
	}
	if string(req.ProviderOptions["anthropic"]) != `{"output_config":{"effort":"low"}}` {
		t.Fatalf("provider options = %s", req.ProviderOptions["anthropic"])
	}
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	cases := []struct{ body, param, code string }{
		{``, "", wire.CodeInvalidJSON},
		{`[1]`, "", wire.CodeInvalidType},
		{`{"model": "m",`, "", wire.CodeInvalidJSON},
		{`{"model": 5}`, "model", wire.CodeInvalidType},
		{`{"model":"m","messages":[{"role":"user","content":"x"}]}`, "max_tokens", wire.CodeMissingParameter},
		{`{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]}`, "max_tokens", wire.CodeInvalidValue},
		{`{"model":"m","max_tokens":1,"messages":[]}`, "messages", wire.CodeInvalidValue},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"system","content":"x"}]}`, "messages[0].role", wire.CodeInvalidValue},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"document"}]}]}`, "messages[0].content[0].type", wire.CodeUnsupported},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"tool_result"}]}]}`, "messages[0].content[0].tool_use_id", wire.CodeMissingParameter},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":[1]}]}]}`, "messages[0].content[0].input", wire.CodeInvalidType},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f"}]}`, "tools[0].input_schema", wire.CodeMissingParameter},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search_20250305","name":"web_search"}]}`, "tools[0].type", wire.CodeUnsupported},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"tool","name":"g"}}`, "tool_choice.name", wire.CodeInvalidValue},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"thinking":{"type":"enabled","budget_tokens":10}}`, "thinking.budget_tokens", wire.CodeInvalidValue},
		{`{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"!!"}}]}]}`, "messages[0].content[0].source.data", wire.CodeInvalidValue},
	}
	for _, c := range cases {
		_, err := toCanonical(t, c.body)
		e := asLLMError(t, err)
		if e.Kind != llm.KindInvalidRequest || e.Param != c.param || e.Code != c.code {
			t.Errorf("%s\n  got %q (param %q code %q), want param %q code %q", c.body, e.Message, e.Param, e.Code, c.param, c.code)
		}
	}
}

func TestMarshalWritesExtraFieldsAndRequiredEmptyValues(t *testing.T) {
	mr := &wire.MessagesRequest{
		Model: "m", MaxTokens: ptr(int64(1)),
		Messages: []wire.Message{{Role: "assistant", Content: wire.Content{Blocks: []wire.ContentBlock{
			{Type: wire.BlockToolUse, ID: "a", Name: "f"},
			{Type: wire.BlockThinking, Thinking: "t"},
		}}}},
		Extra: map[string]json.RawMessage{"top_k": json.RawMessage(`3`), "model": json.RawMessage(`"override"`)},
	}
	got := mustMarshal(t, mr)
	want := []byte(`{"max_tokens":1,"messages":[{"content":[{"id":"a","input":{},"name":"f","type":"tool_use"},{"signature":"","thinking":"t","type":"thinking"}],"role":"assistant"}],"model":"override","top_k":3}`)
	if !jsonEqual(t, got, want) {
		t.Fatalf("body = %s\nwant %s", got, want)
	}
}
