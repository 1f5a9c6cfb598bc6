package wire_test

import (
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// A Gemini thought signature survives a round trip through an OpenAI-format
// client: out in the tool-call id, back in with the call and its result.
func TestToolCallSignatureRoundTripsThroughID(t *testing.T) {
	resp := &llm.Response{Choices: []llm.Choice{{Message: llm.Message{Role: llm.RoleAssistant,
		ToolCalls: []llm.ToolCall{{ID: "gcall_1", Name: "f", Arguments: "{}", Signature: "CiQBcsjafE+/sig=="}}}}}}
	out := wire.FromCanonicalResponse(resp)
	id := out.Choices[0].Message.ToolCalls[0].ID
	if id == "gcall_1" {
		t.Fatal("signature not carried in the id")
	}
	chunk := wire.FromCanonicalChunk(&llm.Chunk{ToolCalls: []llm.ToolCallDelta{{Index: 0, ID: "gcall_1", Name: "f", Signature: "CiQBcsjafE+/sig=="}}})
	if got := chunk.Choices[0].Delta.ToolCalls[0].ID; got != id {
		t.Fatalf("stream id %q, unary id %q", got, id)
	}

	body := `{"model":"m","messages":[{"role":"user","content":"hi"},
		{"role":"assistant","content":null,"tool_calls":[{"id":"` + id + `","type":"function","function":{"name":"f","arguments":"{}"}}]},
		{"role":"tool","tool_call_id":"` + id + `","content":"42"}]}`
	in, extra, err := wire.DecodeChatRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	req, err := wire.ToCanonicalRequest(in, extra)
	if err != nil {
		t.Fatal(err)
	}
	call := req.Messages[1].ToolCalls[0]
	if call.ID != "gcall_1" || call.Signature != "CiQBcsjafE+/sig==" {
		t.Errorf("call = %+v", call)
	}
	if req.Messages[2].ToolCallID != "gcall_1" {
		t.Errorf("tool result id = %q", req.Messages[2].ToolCallID)
	}
}

func TestPlainIDsUnchanged(t *testing.T) {
	if got := wire.ToolCallIDWithSignature("call_1", ""); got != "call_1" {
		t.Fatal(got)
	}
	if id, sig := wire.SplitToolCallID("call_1"); id != "call_1" || sig != "" {
		t.Fatal(id, sig)
	}
}

// The shim's fast chunk encoder carries the signature the same way.
func TestFastChunkEncoderCarriesSignature(t *testing.T) {
	c := &llm.Chunk{ToolCalls: []llm.ToolCallDelta{{Index: 0, ID: "gcall_1", Name: "f", Signature: "sig/+="}}}
	got := string(wire.AppendCanonicalChunk(nil, c))
	want := wire.ToolCallIDWithSignature("gcall_1", "sig/+=")
	if !strings.Contains(got, `"id":"`+want+`"`) {
		t.Fatalf("chunk %s lacks id %s", got, want)
	}
}
