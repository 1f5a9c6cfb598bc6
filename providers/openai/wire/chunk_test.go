package wire_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

func TestFromCanonicalChunkShapes(t *testing.T) {
	cases := []struct {
		name  string
		chunk llm.Chunk
		want  string
	}{
		{"first text", llm.Chunk{ID: "c1", Model: "m", Created: 1, Role: llm.RoleAssistant},
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`},
		{"text delta", llm.Chunk{ID: "c1", Model: "m", Created: 1, Text: "Hi"},
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}`},
		{"first tool delta", llm.Chunk{ID: "c1", Model: "m", Created: 1, Role: llm.RoleAssistant, ToolCalls: []llm.ToolCallDelta{{Index: 0, ID: "call_a", Name: "get"}}},
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get","arguments":""}}]},"finish_reason":null}]}`},
		{"later tool delta", llm.Chunk{ID: "c1", Model: "m", Created: 1, ToolCalls: []llm.ToolCallDelta{{Index: 1, ArgumentsDelta: `{"a"`}}},
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"a\""}}]},"finish_reason":null}]}`},
		{"finish", llm.Chunk{ID: "c1", Model: "m", Created: 1, ChoiceIndex: 1, FinishReason: llm.FinishToolCalls},
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":1,"delta":{},"finish_reason":"tool_calls"}]}`},
		{"usage only", llm.Chunk{ID: "c1", Model: "m", Created: 1, Usage: &llm.Usage{InputTokens: 10, CachedInputTokens: 4, OutputTokens: 5, ReasoningTokens: 2}},
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":2}}}`},
		{"other finish", llm.Chunk{ID: "c1", Model: "m", Created: 1, FinishReason: llm.FinishOther, RawFinishReason: "end_turn"},
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(wire.FromCanonicalChunk(&c.chunk))
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, b, []byte(c.want)) {
				t.Errorf("got  %s\nwant %s", b, c.want)
			}
		})
	}
}

// TestChunksRoundTrip streams two parallel tool calls (the documented
// parallel function calling shape) through FromCanonicalChunk, JSON and
// ToCanonicalChunks, and checks the accumulated answer.
func TestChunksRoundTrip(t *testing.T) {
	in := []llm.Chunk{
		{ID: "x", Model: "m", Role: llm.RoleAssistant, ToolCalls: []llm.ToolCallDelta{{Index: 0, ID: "call_1", Name: "get_weather"}}},
		{ID: "x", Model: "m", ToolCalls: []llm.ToolCallDelta{{Index: 0, ArgumentsDelta: `{"location":`}}},
		{ID: "x", Model: "m", ToolCalls: []llm.ToolCallDelta{{Index: 0, ArgumentsDelta: `"Paris"}`}}},
		{ID: "x", Model: "m", ToolCalls: []llm.ToolCallDelta{{Index: 1, ID: "call_2", Name: "get_weather"}}},
		{ID: "x", Model: "m", ToolCalls: []llm.ToolCallDelta{{Index: 1, ArgumentsDelta: `{"location":"Bogotá"}`}}},
		{ID: "x", Model: "m", FinishReason: llm.FinishToolCalls},
		{ID: "x", Model: "m", Usage: &llm.Usage{InputTokens: 80, OutputTokens: 40}},
	}
	var acc llm.Accumulator
	var dst []llm.Chunk
	for i := range in {
		b, err := json.Marshal(wire.FromCanonicalChunk(&in[i]))
		if err != nil {
			t.Fatal(err)
		}
		var wc wire.ChatChunk
		if err := json.Unmarshal(b, &wc); err != nil {
			t.Fatal(err)
		}
		dst = wire.ToCanonicalChunks(&wc, dst[:0])
		if len(dst) != 1 {
			t.Fatalf("chunk %d gave %d canonical chunks", i, len(dst))
		}
		acc.Add(dst[0])
	}
	r := acc.Response()
	want := []llm.ToolCall{
		{ID: "call_1", Name: "get_weather", Arguments: `{"location":"Paris"}`},
		{ID: "call_2", Name: "get_weather", Arguments: `{"location":"Bogotá"}`},
	}
	if fmt.Sprint(r.Choices[0].Message.ToolCalls) != fmt.Sprint(want) {
		t.Errorf("calls = %+v", r.Choices[0].Message.ToolCalls)
	}
	if r.Choices[0].FinishReason != llm.FinishToolCalls || r.Usage.InputTokens != 80 || r.Usage.OutputTokens != 40 {
		t.Errorf("finish %q usage %+v", r.Choices[0].FinishReason, r.Usage)
	}
}

func TestToCanonicalChunksChoicesAndUsage(t *testing.T) {
	// Some vendors put usage on the chunk that finishes the choice.
	var c wire.ChatChunk
	err := json.Unmarshal([]byte(`{"id":"g","object":"chat.completion.chunk","created":5,"model":"llama",
		"choices":[{"index":0,"delta":{"content":"!"},"finish_reason":"length"},{"index":1,"delta":{"reasoning_content":"hm"},"finish_reason":null}],
		"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"prompt_cache_hit_tokens":2,"prompt_cache_miss_tokens":1}}`), &c)
	if err != nil {
		t.Fatal(err)
	}
	out := wire.ToCanonicalChunks(&c, nil)
	if len(out) != 3 {
		t.Fatalf("got %d chunks", len(out))
	}
	if out[0].Text != "!" || out[0].FinishReason != llm.FinishLength || out[0].RawFinishReason != "length" {
		t.Errorf("choice 0 = %+v", out[0])
	}
	if out[1].ChoiceIndex != 1 || out[1].Reasoning == nil || out[1].Reasoning.Text != "hm" || out[1].FinishReason != "" {
		t.Errorf("choice 1 = %+v", out[1])
	}
	if u := out[2].Usage; u == nil || *u != (llm.Usage{InputTokens: 3, CachedInputTokens: 2, OutputTokens: 4}) {
		t.Errorf("usage chunk = %+v", out[2])
	}

	// Azure's prompt-filter preamble: no choices, no usage, nothing to emit.
	var empty wire.ChatChunk
	_ = json.Unmarshal([]byte(`{"id":"","object":"","created":0,"model":"","choices":[],"prompt_filter_results":[{}]}`), &empty)
	if got := wire.ToCanonicalChunks(&empty, nil); len(got) != 0 {
		t.Errorf("empty chunk gave %+v", got)
	}
}

func TestFinishReasons(t *testing.T) {
	for raw, want := range map[string]llm.FinishReason{
		"stop": llm.FinishStop, "length": llm.FinishLength, "tool_calls": llm.FinishToolCalls,
		"function_call": llm.FinishToolCalls, "content_filter": llm.FinishContentFilter,
		"eos": llm.FinishOther, "": "",
	} {
		if got := wire.ToCanonicalFinishReason(raw); got != want {
			t.Errorf("%q -> %q, want %q", raw, got, want)
		}
	}
	// Unknown reasons keep their raw value next to FinishOther.
	r, err := wire.ToCanonicalResponse(&wire.ChatResponse{Choices: []wire.Choice{{FinishReason: "eos", Message: wire.Message{Role: "assistant", Content: &wire.Content{Text: "x"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if c := r.Choices[0]; c.FinishReason != llm.FinishOther || c.RawFinishReason != "eos" {
		t.Errorf("choice = %+v", c)
	}
	for f, want := range map[llm.FinishReason]string{llm.FinishError: "stop", llm.FinishOther: "stop", llm.FinishContentFilter: "content_filter"} {
		if got := wire.FromCanonicalFinishReason(f); got != want {
			t.Errorf("%q -> %q, want %q", f, got, want)
		}
	}
}

func TestUsageNormalization(t *testing.T) {
	u := wire.ToCanonicalUsage(&wire.Usage{
		PromptTokens: 1144, CompletionTokens: 377, TotalTokens: 1521,
		PromptTokensDetails:     &wire.PromptTokensDetails{CachedTokens: 1024},
		CompletionTokensDetails: &wire.CompletionTokensDetails{ReasoningTokens: 320},
	})
	want := llm.Usage{InputTokens: 1144, CachedInputTokens: 1024, OutputTokens: 377, ReasoningTokens: 320}
	if u != want {
		t.Fatalf("usage = %+v", u)
	}
	if back := wire.ToCanonicalUsage(wire.FromCanonicalUsage(u)); back != u {
		t.Errorf("round trip = %+v", back)
	}
	if w := wire.FromCanonicalUsage(u); w.TotalTokens != 1521 {
		t.Errorf("total = %d", w.TotalTokens)
	}
	if !wire.ToCanonicalUsage(nil).IsZero() {
		t.Error("nil usage is not zero")
	}
}

func TestToCanonicalResponseEdgeCases(t *testing.T) {
	_, err := wire.ToCanonicalResponse(&wire.ChatResponse{ID: "x"})
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream {
		t.Errorf("no choices: %v", e)
	}
	var cr wire.ChatResponse
	_ = json.Unmarshal([]byte(`{"id":"r","object":"chat.completion","created":1,"model":"deepseek-reasoner","choices":[
		{"index":0,"message":{"role":"assistant","content":null,"refusal":"no","reasoning_content":"because"},"finish_reason":"content_filter"}]}`), &cr)
	r, err := wire.ToCanonicalResponse(&cr)
	if err != nil {
		t.Fatal(err)
	}
	m := r.Choices[0].Message
	if m.Refusal != "no" || len(m.Reasoning) != 1 || m.Reasoning[0].Text != "because" || len(m.Parts) != 0 {
		t.Errorf("message = %+v", m)
	}
	if r.Choices[0].FinishReason != llm.FinishContentFilter {
		t.Errorf("finish = %q", r.Choices[0].FinishReason)
	}
	b, _ := json.Marshal(wire.FromCanonicalResponse(r))
	if !jsonEqual(t, b, []byte(`{"id":"r","object":"chat.completion","created":1,"model":"deepseek-reasoner","choices":[
		{"index":0,"message":{"role":"assistant","content":null,"refusal":"no"},"finish_reason":"content_filter"}],
		"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}`)) {
		t.Errorf("written = %s", b)
	}
}
