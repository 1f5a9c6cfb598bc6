package wire_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

func frames(events ...[2]string) []byte {
	var b []byte
	for _, e := range events {
		b = append(b, eventFrame(e[0], e[1])...)
	}
	return b
}

func ev(typ, payload string) [2]string { return [2]string{typ, payload} }

// Two parallel tool calls after reasoning and text, with their input in
// fragments: each call is one ToolCallDelta index, in order, whatever its
// content block index; a call whose input never streamed gets {}.
func TestStreamToolUseReasoningAndText(t *testing.T) {
	body := frames(
		ev(wire.EventMessageStart, `{"p":"ab","role":"assistant"}`),
		ev(wire.EventContentBlockDelta, `{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"Let me "}},"p":"a"}`),
		ev(wire.EventContentBlockDelta, `{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"think."}},"p":"a"}`),
		ev(wire.EventContentBlockDelta, `{"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"SIG"}},"p":"a"}`),
		ev(wire.EventContentBlockStop, `{"contentBlockIndex":0,"p":"a"}`),
		ev(wire.EventContentBlockDelta, `{"contentBlockIndex":1,"delta":{"text":"Checking."},"p":"a"}`),
		ev(wire.EventContentBlockStop, `{"contentBlockIndex":1,"p":"a"}`),
		ev(wire.EventContentBlockStart, `{"contentBlockIndex":2,"p":"a","start":{"toolUse":{"name":"get_weather","toolUseId":"tooluse_A"}}}`),
		ev(wire.EventContentBlockDelta, `{"contentBlockIndex":2,"delta":{"toolUse":{"input":"{\"city\":"}},"p":"a"}`),
		ev(wire.EventContentBlockDelta, `{"contentBlockIndex":2,"delta":{"toolUse":{"input":"\"Paris\"}"}},"p":"a"}`),
		ev(wire.EventContentBlockStop, `{"contentBlockIndex":2,"p":"a"}`),
		ev(wire.EventContentBlockStart, `{"contentBlockIndex":3,"p":"a","start":{"toolUse":{"name":"get_time","toolUseId":"tooluse_B"}}}`),
		ev(wire.EventContentBlockDelta, `{"contentBlockIndex":3,"delta":{"toolUse":{"input":""}},"p":"a"}`),
		ev(wire.EventContentBlockStop, `{"contentBlockIndex":3,"p":"a"}`),
		ev(wire.EventMessageStop, `{"p":"a","stopReason":"tool_use"}`),
		ev(wire.EventMetadata, `{"metrics":{"latencyMs":9},"p":"a","usage":{"inputTokens":10,"outputTokens":20,"totalTokens":60,"cacheReadInputTokens":30}}`),
	)
	chunks, d, err := decodeStream(body, "")
	if err != nil || !d.Done() {
		t.Fatalf("err %v, done %v", err, d.Done())
	}
	var deltas []llm.ToolCallDelta
	for _, c := range chunks {
		deltas = append(deltas, c.ToolCalls...)
	}
	want := []llm.ToolCallDelta{
		{Index: 0, ID: "tooluse_A", Name: "get_weather"}, {Index: 0, ArgumentsDelta: `{"city":`}, {Index: 0, ArgumentsDelta: `"Paris"}`},
		{Index: 1, ID: "tooluse_B", Name: "get_time"}, {Index: 1, ArgumentsDelta: "{}"},
	}
	if !reflect.DeepEqual(deltas, want) {
		t.Errorf("deltas = %+v", deltas)
	}
	r := collect(chunks)
	m := r.Choices[0].Message
	if !reflect.DeepEqual(m.Reasoning, []llm.Reasoning{{Text: "Let me think.", Signature: "SIG"}}) || m.Text() != "Checking." {
		t.Errorf("message = %+v", m)
	}
	if r.Choices[0].FinishReason != llm.FinishToolCalls || r.Usage != (llm.Usage{InputTokens: 40, CachedInputTokens: 30, OutputTokens: 20}) {
		t.Errorf("finish %q usage %+v", r.Choices[0].FinishReason, r.Usage)
	}
}

// The answer tool's input streams as the answer's text, and a turn that
// stopped only to call it finishes with stop.
func TestStreamAnswerToolIsText(t *testing.T) {
	body := frames(
		ev(wire.EventMessageStart, `{"role":"assistant"}`),
		ev(wire.EventContentBlockStart, `{"contentBlockIndex":0,"start":{"toolUse":{"name":"json_response","toolUseId":"t"}}}`),
		ev(wire.EventContentBlockDelta, `{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{\"n\":"}}}`),
		ev(wire.EventContentBlockDelta, `{"contentBlockIndex":0,"delta":{"toolUse":{"input":"3}"}}}`),
		ev(wire.EventContentBlockStop, `{"contentBlockIndex":0}`),
		ev(wire.EventMessageStop, `{"stopReason":"tool_use"}`),
	)
	chunks, d, err := decodeStream(body, wire.AnswerToolName)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Stopped() || d.Done() {
		t.Errorf("stopped %v done %v (no metadata yet)", d.Stopped(), d.Done())
	}
	r := collect(chunks)
	if r.Choices[0].Message.Text() != `{"n":3}` || len(r.Choices[0].Message.ToolCalls) != 0 || r.Choices[0].FinishReason != llm.FinishStop || r.Choices[0].RawFinishReason != "tool_use" {
		t.Errorf("choice = %+v", r.Choices[0])
	}
}

// An exception frame mid-stream is classified like the error response of
// the same type; the chunks before it are kept.
func TestStreamExceptions(t *testing.T) {
	for typ, kind := range map[string]llm.Kind{
		"throttlingException":         llm.KindRateLimited,
		"modelStreamErrorException":   llm.KindUpstream,
		"validationException":         llm.KindInvalidRequest,
		"serviceUnavailableException": llm.KindOverloaded,
		"internalServerException":     llm.KindUpstream,
	} {
		body := append(frames(ev(wire.EventMessageStart, `{"role":"assistant"}`), ev(wire.EventContentBlockDelta, `{"contentBlockIndex":0,"delta":{"text":"Hel"}}`)),
			wire.AppendFrame(nil, wire.ExceptionHeaders(typ), []byte(`{"message":"it broke"}`))...)
		chunks, _, err := decodeStream(body, "")
		e := asLLMError(t, err)
		if e.Kind != kind || e.Message != "it broke" || e.Provider != "bedrock" || len(chunks) != 2 {
			t.Errorf("%s: %+v after %d chunks", typ, e, len(chunks))
		}
	}
	errFrame := wire.AppendFrame(nil, []wire.Header{{Name: ":message-type", Value: "error"}, {Name: ":error-code", Value: "InternalFailure"}, {Name: ":error-message", Value: "boom"}}, nil)
	_, _, err := decodeStream(errFrame, "")
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream || e.Code != "InternalFailure" || !strings.Contains(e.Message, "boom") {
		t.Errorf("error frame: %+v", e)
	}
}

func TestStreamMalformedEvents(t *testing.T) {
	for name, body := range map[string][]byte{
		"payload not JSON":         frames(ev(wire.EventMessageStart, `{"role":`)),
		"delta without delta":      frames(ev(wire.EventContentBlockDelta, `{"contentBlockIndex":0}`)),
		"tool input for text":      frames(ev(wire.EventContentBlockDelta, `{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{}"}}}`)),
		"block index out of range": frames(ev(wire.EventContentBlockStop, `{"contentBlockIndex":100000}`)),
	} {
		_, _, err := decodeStream(body, "")
		if e := asLLMError(t, err); e.Kind != llm.KindUpstream {
			t.Errorf("%s: %+v", name, e)
		}
	}
	// Unknown events and delta types are skipped.
	chunks, _, err := decodeStream(frames(ev("someNewEvent", `{}`), ev(wire.EventContentBlockDelta, `{"contentBlockIndex":0,"delta":{"citation":{}}}`)), "")
	if err != nil || len(chunks) != 0 {
		t.Errorf("unknown events: %v %v", chunks, err)
	}
}
