package anthropic_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

func TestMessageAnswer(t *testing.T) {
	d := newTestDoor(t)
	resp := d.post(t, "/v1/messages", simpleBody)
	m := decodeMessage(t, resp)
	if m.Type != "message" || m.Role != "assistant" || m.ID != "msg_chatcmpl-test" || m.Model != "sim-model" {
		t.Fatalf("message %+v", m)
	}
	if len(m.Content) != 1 || m.Content[0].Type != "text" || m.Content[0].Text != "hello" {
		t.Fatalf("content %+v", m.Content)
	}
	if m.StopReason == nil || *m.StopReason != "end_turn" || m.StopSequence != nil {
		t.Fatalf("stop_reason %v stop_sequence %v", m.StopReason, m.StopSequence)
	}
	if m.Usage.InputTokens != 5 || m.Usage.OutputTokens != 2 {
		t.Fatalf("usage %+v", m.Usage)
	}
	h := resp.Header
	if h.Get("Request-Id") == "" || h.Get("X-Switchboard-Provider") != "sim" || h.Get("X-Switchboard-Deployment") != "sim-demo" {
		t.Fatalf("headers %v", h)
	}
	if p := d.core.LastPrincipal(); p == nil || p.KeyID != d.auth.Key.ID {
		t.Fatalf("principal %+v", p)
	}
}

// Everything an Anthropic client may say reaches the core in canonical form.
func TestRequestFieldsReachTheCore(t *testing.T) {
	d := newTestDoor(t)
	body := `{
		"model": "demo-gemini", "max_tokens": 2000,
		"system": [{"type":"text","text":"Be terse.","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Be kind."}],
		"messages": [
			{"role":"user","content":[{"type":"text","text":"Look:"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},
			{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"c2ln"},{"type":"text","text":"A picture."}]},
			{"role":"user","content":"Weather?"}
		],
		"tools": [{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
		"tool_choice": {"type":"any","disable_parallel_tool_use":true},
		"stop_sequences": ["END"], "temperature": 0.5, "top_p": 0.9, "top_k": 40,
		"metadata": {"user_id": "user-42"},
		"thinking": {"type":"enabled","budget_tokens":1024}
	}`
	decodeMessage(t, d.post(t, "/v1/messages", body, "Anthropic-Beta", "prompt-caching-2024-07-31"))
	req := d.core.LastRequest()
	if req.Model != "demo-gemini" || *req.MaxTokens != 2000 || *req.Temperature != 0.5 || *req.TopP != 0.9 {
		t.Fatalf("request %+v", req)
	}
	if len(req.Stop) != 1 || req.Stop[0] != "END" || req.User != "user-42" {
		t.Fatalf("stop %v user %q", req.Stop, req.User)
	}
	if req.Reasoning == nil || req.Reasoning.BudgetTokens != 1024 {
		t.Fatalf("reasoning %+v", req.Reasoning)
	}
	if req.ToolChoice == nil || req.ToolChoice.Mode != llm.ToolChoiceRequired || req.ParallelToolCalls == nil || *req.ParallelToolCalls {
		t.Fatalf("tool choice %+v parallel %v", req.ToolChoice, req.ParallelToolCalls)
	}
	if len(req.Tools) != 1 || req.Tools[0].Name != "get_weather" || !strings.Contains(string(req.Tools[0].Parameters), `"city"`) {
		t.Fatalf("tools %+v", req.Tools)
	}
	if !strings.Contains(string(req.ProviderOptions["anthropic"]), `"top_k":40`) {
		t.Fatalf("top_k not kept for an Anthropic upstream: %s", req.ProviderOptions["anthropic"])
	}
	msgs := req.Messages
	if len(msgs) != 4 || msgs[0].Role != llm.RoleSystem || len(msgs[0].Parts) != 2 || msgs[0].Parts[0].CacheControl == nil {
		t.Fatalf("system %+v", msgs)
	}
	if msgs[1].Role != llm.RoleUser || len(msgs[1].Parts) != 2 || msgs[1].Parts[1].Type != llm.PartImage || msgs[1].Parts[1].Image.MediaType != "image/png" {
		t.Fatalf("image turn %+v", msgs[1])
	}
	if msgs[2].Role != llm.RoleAssistant || len(msgs[2].Reasoning) != 1 || msgs[2].Reasoning[0].Signature != "c2ln" || msgs[2].Text() != "A picture." {
		t.Fatalf("assistant turn %+v", msgs[2])
	}
}

// Anthropic's input_tokens excludes cache reads and writes; the canonical
// count includes them.
func TestUsageInAnthropicsMeaning(t *testing.T) {
	core := &servertest.Core{CompleteFunc: func(context.Context, *llm.Request) (*llm.Response, error) {
		r := servertest.Answer("ok")
		r.Usage = llm.Usage{InputTokens: 100, CachedInputTokens: 30, CacheWriteTokens: 20, OutputTokens: 7}
		return r, nil
	}}
	d := newDoor(t, core, core, 0)
	m := decodeMessage(t, d.post(t, "/v1/messages", simpleBody))
	u := m.Usage
	if u.InputTokens != 50 || u.CacheReadInputTokens != 30 || u.CacheCreationInputTokens != 20 || u.OutputTokens != 7 {
		t.Fatalf("usage %+v", u)
	}
}

func TestStopReasons(t *testing.T) {
	for _, tc := range []struct {
		finish llm.FinishReason
		raw    string
		want   string
	}{
		{llm.FinishStop, "stop", "end_turn"},
		{llm.FinishStop, "stop_sequence", "stop_sequence"},
		{llm.FinishLength, "length", "max_tokens"},
		{llm.FinishToolCalls, "tool_calls", "tool_use"},
		{llm.FinishContentFilter, "SAFETY", "refusal"},
		{"", "", "end_turn"},
	} {
		core := &servertest.Core{CompleteFunc: func(context.Context, *llm.Request) (*llm.Response, error) {
			r := servertest.Answer("ok")
			r.Choices[0].FinishReason, r.Choices[0].RawFinishReason = tc.finish, tc.raw
			return r, nil
		}}
		d := newDoor(t, core, core, 0)
		m := decodeMessage(t, d.post(t, "/v1/messages", simpleBody))
		if m.StopReason == nil || *m.StopReason != tc.want {
			t.Errorf("%s/%s: stop_reason %v, want %s", tc.finish, tc.raw, m.StopReason, tc.want)
		}
	}
}

// A tool call keeps its provider's id (and Gemini's signature) across the
// round trip: the client sees a toolu_ id, and the tool_result it sends back
// reaches the provider with the id the provider issued.
func TestToolCallIDsRoundTrip(t *testing.T) {
	const sig = "c2ln+/=="
	core := &servertest.Core{CompleteFunc: func(context.Context, *llm.Request) (*llm.Response, error) {
		r := servertest.Answer("")
		r.Choices[0].Message = llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{
			{ID: "call_abc", Name: "get_weather", Arguments: `{"city":"Oslo"}`, Signature: sig},
			{ID: "toolu_01native", Name: "get_time", Arguments: ``},
		}}
		r.Choices[0].FinishReason = llm.FinishToolCalls
		return r, nil
	}}
	d := newDoor(t, core, core, 0)
	tools := `"tools":[{"name":"get_weather","input_schema":{"type":"object"}},{"name":"get_time","input_schema":{"type":"object"}}]`
	m := decodeMessage(t, d.post(t, "/v1/messages", `{"model":"demo","max_tokens":64,`+tools+`,"messages":[{"role":"user","content":"Weather?"}]}`))
	if len(m.Content) != 2 || m.Content[0].Type != "tool_use" || *m.StopReason != "tool_use" {
		t.Fatalf("message %+v", m)
	}
	first, second := m.Content[0], m.Content[1]
	if !strings.HasPrefix(first.ID, "toolu_") || strings.ContainsAny(strings.TrimPrefix(first.ID, "toolu_"), "+/=~") {
		t.Fatalf("tool_use id %q is not in Anthropic's form", first.ID)
	}
	if string(first.Input) != `{"city":"Oslo"}` || second.ID != "toolu_01native" || string(second.Input) != `{}` {
		t.Fatalf("blocks %+v", m.Content)
	}

	assistant, _ := json.Marshal([]any{
		map[string]any{"type": "tool_use", "id": first.ID, "name": first.Name, "input": first.Input},
		map[string]any{"type": "tool_use", "id": second.ID, "name": second.Name, "input": second.Input},
	})
	results, _ := json.Marshal([]any{
		map[string]any{"type": "tool_result", "tool_use_id": first.ID, "content": "12C"},
		map[string]any{"type": "tool_result", "tool_use_id": second.ID, "content": []any{map[string]any{"type": "text", "text": "noon"}}},
	})
	body := `{"model":"demo","max_tokens":64,` + tools + `,"messages":[{"role":"user","content":"Weather?"},` +
		`{"role":"assistant","content":` + string(assistant) + `},{"role":"user","content":` + string(results) + `}]}`
	decodeMessage(t, d.post(t, "/v1/messages", body))
	msgs := core.LastRequest().Messages
	if len(msgs) != 4 {
		t.Fatalf("messages %+v", msgs)
	}
	calls := msgs[1].ToolCalls
	if len(calls) != 2 || calls[0].ID != "call_abc" || calls[0].Signature != sig || calls[1].ID != "toolu_01native" || calls[1].Signature != "" {
		t.Fatalf("tool calls sent on %+v", calls)
	}
	if msgs[2].Role != llm.RoleTool || msgs[2].ToolCallID != "call_abc" || msgs[3].ToolCallID != "toolu_01native" || msgs[3].Text() != "noon" {
		t.Fatalf("tool results sent on %+v", msgs[2:])
	}
}

func TestThinkingBlocksInTheAnswer(t *testing.T) {
	core := &servertest.Core{CompleteFunc: func(context.Context, *llm.Request) (*llm.Response, error) {
		r := servertest.Answer("42")
		r.Choices[0].Message.Reasoning = []llm.Reasoning{{Text: "Let me think.", Signature: "sig1"}, {Redacted: "opaque"}}
		return r, nil
	}}
	d := newDoor(t, core, core, 0)
	m := decodeMessage(t, d.post(t, "/v1/messages", simpleBody))
	if len(m.Content) != 3 || m.Content[0].Type != "thinking" || m.Content[0].Thinking != "Let me think." || m.Content[0].Signature != "sig1" ||
		m.Content[1].Type != "redacted_thinking" || m.Content[1].Data != "opaque" || m.Content[2].Text != "42" {
		t.Fatalf("content %+v", m.Content)
	}
}

// The bearer token is accepted too (the current SDKs send the key so), and
// x-api-key wins when both are present.
func TestKeyHeaders(t *testing.T) {
	d := newTestDoor(t)
	decodeMessage(t, d.post(t, "/v1/messages", simpleBody, "X-Api-Key", "", "Authorization", "Bearer "+d.auth.Secret))
	decodeMessage(t, d.post(t, "/v1/messages", simpleBody, "Authorization", "Bearer sk-sb-wrong"))
	wantError(t, d.post(t, "/v1/messages", simpleBody, "X-Api-Key", "sk-sb-wrong", "Authorization", "Bearer "+d.auth.Secret),
		http.StatusUnauthorized, "authentication_error")
}

func TestAnthropicVersionHeader(t *testing.T) {
	d := newTestDoor(t)
	decodeMessage(t, d.post(t, "/v1/messages", simpleBody, "Anthropic-Version", ""))
	decodeMessage(t, d.post(t, "/v1/messages", simpleBody, "Anthropic-Version", "2026-10-21"))
	e := wantError(t, d.post(t, "/v1/messages", simpleBody, "Anthropic-Version", "latest"), http.StatusBadRequest, "invalid_request_error")
	if !strings.Contains(e.Error.Message, "anthropic-version") || !strings.Contains(e.Error.Message, `"latest"`) {
		t.Fatalf("message %q", e.Error.Message)
	}
}
