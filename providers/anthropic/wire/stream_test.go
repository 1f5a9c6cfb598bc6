package wire_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
)

// sseBody frames data payloads as the API does: event: line, data: line.
func sseBody(events ...string) string {
	var b strings.Builder
	for _, e := range events {
		typ := e[strings.Index(e, `"type":"`)+8:]
		typ = typ[:strings.IndexByte(typ, '"')]
		fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", typ, e)
	}
	return b.String()
}

// thinkingStream is the documented shape of a stream with extended
// thinking: two signed thinking blocks around a redacted one, then text and
// a tool call, with cache usage.
var thinkingStream = sseBody(
	`{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":20,"cache_read_input_tokens":30,"output_tokens":1}}}`,
	`{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"First, "}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"think."}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"SIG-ONE"}}`,
	`{"type":"content_block_stop","index":0}`,
	`{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"REDACTED"}}`,
	`{"type":"content_block_stop","index":1}`,
	`{"type":"content_block_start","index":2,"content_block":{"type":"thinking","thinking":"","signature":""}}`,
	`{"type":"content_block_delta","index":2,"delta":{"type":"thinking_delta","thinking":"Then more."}}`,
	`{"type":"content_block_delta","index":2,"delta":{"type":"signature_delta","signature":"SIG-TWO"}}`,
	`{"type":"content_block_stop","index":2}`,
	`{"type":"content_block_start","index":3,"content_block":{"type":"text","text":""}}`,
	`{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"Let me look."}}`,
	`{"type":"content_block_stop","index":3}`,
	`{"type":"content_block_start","index":4,"content_block":{"type":"tool_use","id":"toolu_1","name":"lookup","input":{}}}`,
	`{"type":"content_block_delta","index":4,"delta":{"type":"input_json_delta","partial_json":""}}`,
	`{"type":"content_block_delta","index":4,"delta":{"type":"input_json_delta","partial_json":"{\"q\":"}}`,
	`{"type":"content_block_delta","index":4,"delta":{"type":"input_json_delta","partial_json":"\"cats\"}"}}`,
	`{"type":"content_block_stop","index":4}`,
	`{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":80}}`,
	`{"type":"message_stop"}`,
)

func TestThinkingStreamAccumulates(t *testing.T) {
	_, r, complete, err := decodeStream(t, thinkingStream, "")
	if err != nil || !complete {
		t.Fatalf("err %v complete %v", err, complete)
	}
	m := r.Choices[0].Message
	wantReasoning := []llm.Reasoning{{Text: "First, think.", Signature: "SIG-ONE"}, {Redacted: "REDACTED"}, {Text: "Then more.", Signature: "SIG-TWO"}}
	if fmt.Sprint(m.Reasoning) != fmt.Sprint(wantReasoning) {
		t.Errorf("reasoning = %+v\nwant %+v", m.Reasoning, wantReasoning)
	}
	if m.Text() != "Let me look." || fmt.Sprint(m.ToolCalls) != fmt.Sprint([]llm.ToolCall{{ID: "toolu_1", Name: "lookup", Arguments: `{"q":"cats"}`}}) {
		t.Errorf("text %q calls %+v", m.Text(), m.ToolCalls)
	}
	// An old API version's message_delta has only output_tokens: the input
	// and cache counts of message_start stand.
	if want := (llm.Usage{InputTokens: 60, CachedInputTokens: 30, CacheWriteTokens: 20, OutputTokens: 80}); r.Usage != want {
		t.Errorf("usage = %+v, want %+v", r.Usage, want)
	}
}

func TestAnswerToolStreamsAsText(t *testing.T) {
	body := sseBody(
		`{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"json_response","input":{}}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"Oslo\"}"}}`,
		`{"type":"content_block_stop","index":0}`,
		`{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":9}}`,
		`{"type":"message_stop"}`,
	)
	_, r, _, err := decodeStream(t, body, wire.AnswerToolName)
	if err != nil {
		t.Fatal(err)
	}
	ch := r.Choices[0]
	if ch.Message.Text() != `{"city":"Oslo"}` || len(ch.Message.ToolCalls) != 0 || ch.FinishReason != llm.FinishStop || ch.RawFinishReason != "tool_use" {
		t.Fatalf("choice = %+v", ch)
	}

	// The unary decoder does the same.
	unary, err := wire.ToCanonicalResponse(&wire.MessagesResponse{
		ID: "m", Type: "message", StopReason: ptr("tool_use"),
		Content: []wire.ContentBlock{{Type: "tool_use", ID: "t", Name: "json_response", Input: []byte(`{"city": "Oslo"}`)}},
	}, wire.AnswerToolName)
	if err != nil {
		t.Fatal(err)
	}
	if u := unary.Choices[0]; u.Message.Text() != `{"city":"Oslo"}` || u.FinishReason != llm.FinishStop {
		t.Fatalf("unary = %+v", u)
	}
}

func TestToolUseStartWithWholeInput(t *testing.T) {
	body := sseBody(
		`{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"c","content":[],"usage":{"input_tokens":5,"output_tokens":1}}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"f","input":{"a":1}}}`,
		`{"type":"content_block_stop","index":0}`,
		`{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}`,
		`{"type":"message_stop"}`,
	)
	_, r, _, err := decodeStream(t, body, "")
	if err != nil {
		t.Fatal(err)
	}
	if calls := r.Choices[0].Message.ToolCalls; len(calls) != 1 || calls[0].Arguments != `{"a":1}` {
		t.Fatalf("calls = %+v", calls)
	}
}

func TestStreamErrorsAndMalformedEvents(t *testing.T) {
	d := wire.NewStreamDecoder("anthropic", "")
	_, err := d.Decode([]byte(`{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`), nil)
	if e := asLLMError(t, err); e.Kind != llm.KindRateLimited || e.Status != 429 || e.Message != "slow down" {
		t.Errorf("error event = %+v", e)
	}
	_, err = d.Decode([]byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"`), nil)
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream {
		t.Errorf("malformed = %+v", e)
	}
	_, err = d.Decode([]byte(`{"type":"content_block_delta","index":999999999,"delta":{"type":"text_delta","text":"x"}}`), nil)
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream {
		t.Errorf("huge index = %+v", e)
	}
	out, err := d.Decode([]byte(`{"type": "ping"}`), nil)
	if err != nil || len(out) != 0 || d.Done() {
		t.Errorf("ping: %v %v", out, err)
	}
}

// TestStreamEncoderRoundTrip encodes the canonical chunks of real and
// synthetic streams back into Anthropic events and decodes them again: the
// accumulated answer is the same.
func TestStreamEncoderRoundTrip(t *testing.T) {
	bodies := map[string]string{"thinking": thinkingStream}
	for _, name := range []string{"messages-stream-text", "messages-stream-parallel-tool-use-empty-input"} {
		bodies[name] = fixtures.Load(t, "anthropic", name).Response.BodyText()
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			chunks, want, _, err := decodeStream(t, body, "")
			if err != nil {
				t.Fatal(err)
			}
			enc := wire.NewStreamEncoder("", "")
			var events []wire.StreamEvent
			for i := range chunks {
				events = enc.Encode(&chunks[i], events)
			}
			events = enc.Finish(events)
			var b strings.Builder
			for _, ev := range events {
				fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", ev.Type, mustMarshal(t, ev))
			}
			_, got, complete, err := decodeStream(t, b.String(), "")
			if err != nil || !complete {
				t.Fatalf("re-decode: %v complete %v\n%s", err, complete, b.String())
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Fatalf("round trip differs\n got %+v\nwant %+v\n%s", got, want, b.String())
			}
			if name == "messages-stream-parallel-tool-use-empty-input" && strings.Count(b.String(), `"partial_json":""`)+strings.Count(b.String(), `"partial_json":"{}"`) != 2 {
				t.Errorf("a tool without arguments must stream one empty (or {}) partial_json:\n%s", b.String())
			}
		})
	}
}

func TestResponseRoundTrip(t *testing.T) {
	_, r, _, err := decodeStream(t, thinkingStream, "")
	if err != nil {
		t.Fatal(err)
	}
	mr := wire.FromCanonicalResponse(r)
	var back wire.MessagesResponse
	if err := jsonUnmarshal(mustMarshal(t, mr), &back); err != nil {
		t.Fatal(err)
	}
	again, err := wire.ToCanonicalResponse(&back, "")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", again) != fmt.Sprintf("%+v", r) {
		t.Fatalf("response round trip differs\n got %+v\nwant %+v", again, r)
	}
}
