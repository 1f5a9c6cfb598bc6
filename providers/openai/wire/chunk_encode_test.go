package wire_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// encodingJSON is what the shim wrote before AppendCanonicalChunk:
// FromCanonicalChunk through encoding/json without HTML escaping.
func encodingJSON(t testing.TB, c *llm.Chunk) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(wire.FromCanonicalChunk(c)); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func sameChunkJSON(t *testing.T, c llm.Chunk) {
	t.Helper()
	want := encodingJSON(t, &c)
	got := wire.AppendCanonicalChunk([]byte("prefix"), &c)
	if !bytes.Equal(got[len("prefix"):], want) {
		t.Fatalf("chunk %+v\ngot  %s\nwant %s", c, got[len("prefix"):], want)
	}
}

var encodeCases = []llm.Chunk{
	{ID: "chatcmpl-1", Model: "gpt-5-nano", Created: 1755137933, Role: llm.RoleAssistant},
	{ID: "chatcmpl-1", Model: "gpt-5-nano", Created: 1755137933, Text: " there", SystemFingerprint: "fp_1"},
	{ID: "c", Text: "line\nbreak \"q\" \\ \t\r\b\f \x01\x1f <b>&</b> é 日本 😀 \u2028\u2029 bad\xff\xe2\x82 end"},
	{ID: "c", FinishReason: llm.FinishStop, RawFinishReason: "stop"},
	{ID: "c", FinishReason: llm.FinishToolCalls},
	{ID: "c", FinishReason: llm.FinishLength, ChoiceIndex: 3},
	{ID: "c", FinishReason: llm.FinishContentFilter},
	{ID: "c", Role: llm.RoleAssistant, ToolCalls: []llm.ToolCallDelta{{Index: 0, ID: "call_1", Name: "get_weather"}}},
	{ID: "c", ToolCalls: []llm.ToolCallDelta{{Index: 0, ArgumentsDelta: `{"loc`}, {Index: 1, ID: "call_2", Name: "f", ArgumentsDelta: "{}"}}},
	{ID: "c", Refusal: "I can't <help>"},
	{ID: "c", Reasoning: &llm.Reasoning{Text: "thinking"}},
	{ID: "c", Usage: &llm.Usage{InputTokens: 9, OutputTokens: 12, CachedInputTokens: 2, ReasoningTokens: 4, CacheWriteTokens: 1}},
	{ID: "c", Usage: &llm.Usage{}},
	{ID: "c", Text: "with usage", Usage: &llm.Usage{InputTokens: 1, OutputTokens: 1}},
	{},
}

func TestAppendCanonicalChunkMatchesEncodingJSON(t *testing.T) {
	for _, c := range encodeCases {
		sameChunkJSON(t, c)
	}
}

func FuzzAppendCanonicalChunk(f *testing.F) {
	f.Add("id", "model", "text", "refusal", "call", "name", "{}", "stop", int64(1), 0, 0, true)
	f.Add("", "", "\x00\u2028\xff", "", "", "", "", "", int64(-5), 2, 1, false)
	f.Fuzz(func(t *testing.T, id, model, text, refusal, callID, name, args, finish string, created int64, index, calls int, role bool) {
		c := llm.Chunk{ID: id, Model: model, Created: created, ChoiceIndex: index, Text: text, Refusal: refusal,
			FinishReason: llm.FinishReason(finish)}
		if role {
			c.Role = llm.RoleAssistant
		}
		for i := range calls % 3 {
			c.ToolCalls = append(c.ToolCalls, llm.ToolCallDelta{Index: i, ID: callID, Name: name, ArgumentsDelta: args})
		}
		sameChunkJSON(t, c)
	})
}
