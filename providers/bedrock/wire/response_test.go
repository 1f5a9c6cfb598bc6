package wire_test

import (
	"reflect"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

// A canonical answer written as a Converse answer reads back the same.
func TestResponseRoundTrip(t *testing.T) {
	resp := &llm.Response{
		Choices: []llm.Choice{{
			Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart("Looking.")},
				Reasoning: []llm.Reasoning{{Text: "think", Signature: "s"}, {Redacted: "AAEC"}},
				ToolCalls: []llm.ToolCall{{ID: "t1", Name: "f", Arguments: `{"a":1}`}, {ID: "t2", Name: "g", Arguments: `{}`}}},
			FinishReason: llm.FinishToolCalls, RawFinishReason: "tool_use",
		}},
		Usage: llm.Usage{InputTokens: 100, CachedInputTokens: 60, CacheWriteTokens: 10, OutputTokens: 7},
	}
	cr := wire.FromCanonicalResponse(resp)
	if cr.Usage.InputTokens != 30 || cr.Usage.TotalTokens != 107 {
		t.Errorf("usage = %+v", cr.Usage)
	}
	back, err := wire.ToCanonicalResponse(cr, "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, resp) {
		t.Fatalf("got  %+v\nwant %+v", back, resp)
	}
}

func TestFinishReasons(t *testing.T) {
	for raw, want := range map[string]llm.FinishReason{
		"end_turn": llm.FinishStop, "stop_sequence": llm.FinishStop, "max_tokens": llm.FinishLength,
		"model_context_window_exceeded": llm.FinishLength, "tool_use": llm.FinishToolCalls,
		"guardrail_intervened": llm.FinishContentFilter, "content_filtered": llm.FinishContentFilter,
		"malformed_model_output": llm.FinishOther, "": "",
	} {
		if got := wire.ToCanonicalFinishReason(raw); got != want {
			t.Errorf("%q: %q, want %q", raw, got, want)
		}
		if raw != "" && want != llm.FinishOther && wire.FromCanonicalFinishReason(want, raw) != raw {
			t.Errorf("%q does not survive a round trip", raw)
		}
	}
	if wire.FromCanonicalFinishReason(llm.FinishContentFilter, "refusal") != "content_filtered" {
		t.Error("content filter from another provider")
	}
}

// An answer whose tool input is not an object is the upstream's fault.
func TestResponseToolInputMustBeAnObject(t *testing.T) {
	cr := &wire.ConverseResponse{Output: wire.ConverseOutput{Message: &wire.Message{Role: "assistant",
		Content: []wire.ContentBlock{{ToolUse: &wire.ToolUseBlock{ToolUseID: "t", Name: "f", Input: []byte(`[1]`)}}}}}, StopReason: "tool_use"}
	_, err := wire.ToCanonicalResponse(cr, "")
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream {
		t.Errorf("%+v", e)
	}
}
