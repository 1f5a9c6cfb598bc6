package wire_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// sameBytesAsEncoder checks that AppendChatResponse writes what the shim's
// encoder (HTML escaping off) writes, or fails as it fails.
func sameBytesAsEncoder(t *testing.T, r *wire.ChatResponse) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	wantErr := enc.Encode(r)
	want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	got, err := wire.AppendChatResponse([]byte("prefix"), r)
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("response %+v\nerror %v, encoder %v", r, err, wantErr)
	}
	if err == nil && !bytes.Equal(got[len("prefix"):], want) {
		t.Fatalf("response %+v\ngot  %s\nwant %s", r, got[len("prefix"):], want)
	}
}

func TestAppendChatResponseMatchesEncoder(t *testing.T) {
	refusal, reasoning := "I can't <do> that", "because"
	for _, resp := range []*llm.Response{
		{ID: "chatcmpl-1", Model: "m", Created: 1, Choices: []llm.Choice{{Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart("Hello <b>&</b> \u2028 é")}}, FinishReason: llm.FinishStop}},
			Usage: llm.Usage{InputTokens: 9, OutputTokens: 2, CachedInputTokens: 1, ReasoningTokens: 1}, SystemFingerprint: "fp"},
		{ID: "c", Choices: []llm.Choice{{Index: 1, Message: llm.Message{Role: llm.RoleAssistant, Refusal: refusal, ToolCalls: []llm.ToolCall{{ID: "call_1", Name: "f", Arguments: `{"a":"<1>"}`}}}, FinishReason: llm.FinishToolCalls}}},
		{ID: "c", Choices: []llm.Choice{{Message: llm.Message{Role: llm.RoleAssistant, Reasoning: []llm.Reasoning{{Text: reasoning}}}, FinishReason: llm.FinishLength}, {Index: 1, FinishReason: llm.FinishContentFilter}}},
		{},
	} {
		sameBytesAsEncoder(t, wire.FromCanonicalResponse(resp))
	}
	for _, r := range []*wire.ChatResponse{
		{ID: "x", Choices: []wire.Choice{{Logprobs: json.RawMessage(` { "content" : null } `)}}, Error: json.RawMessage(`{"message":"<m>"}`), ServiceTier: "default"},
		{ID: "x", Choices: []wire.Choice{{Logprobs: json.RawMessage(`{bad`)}}},
		{ID: "x", Choices: []wire.Choice{{Message: wire.Message{Role: "assistant", Content: &wire.Content{Parts: []wire.ContentPart{{Type: "text", Text: "t"}}}}}}},
	} {
		sameBytesAsEncoder(t, r)
	}
	// Every recorded completion, decoded, then written back.
	for _, name := range fixtures.List(t, "openai") {
		tr := fixtures.Load(t, "openai", name)
		if tr.Response.IsSSE() {
			continue
		}
		var r wire.ChatResponse
		if json.Unmarshal(tr.Response.RawBody(), &r) == nil && len(r.Choices) > 0 {
			sameBytesAsEncoder(t, &r)
		}
	}
}

func FuzzAppendChatResponse(f *testing.F) {
	for _, doc := range responseDocs {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var r wire.ChatResponse
		if wire.DecodeChatResponse([]byte(doc), &r) == nil {
			sameBytesAsEncoder(t, &r)
		}
	})
}
