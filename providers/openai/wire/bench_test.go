package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// benchRequestBody is a typical agent turn: system prompt, history with a
// tool call and its result, tools, and a few extra fields to forward.
const benchRequestBody = `{
  "model": "gpt-4o-mini",
  "messages": [
    {"role": "system", "content": "You are a helpful assistant that answers questions about the weather. Be concise."},
    {"role": "user", "content": "What is the weather like in Boston today?"},
    {"role": "assistant", "content": null, "tool_calls": [{"id": "call_8fxy20OEu9ulvvaa5b5CzVA4", "type": "function",
      "function": {"name": "get_current_weather", "arguments": "{\"location\":\"Boston, MA\",\"unit\":\"fahrenheit\"}"}}]},
    {"role": "tool", "tool_call_id": "call_8fxy20OEu9ulvvaa5b5CzVA4", "content": "{\"temperature\": 72, \"conditions\": \"sunny\"}"},
    {"role": "user", "content": [{"type": "text", "text": "And what should I wear?"}]}
  ],
  "tools": [{"type": "function", "function": {"name": "get_current_weather", "description": "Get the current weather in a given location",
    "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
      "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}}}],
  "tool_choice": "auto",
  "temperature": 0.7,
  "max_completion_tokens": 512,
  "stream": true,
  "stream_options": {"include_usage": true},
  "user": "user-1234",
  "store": false,
  "logit_bias": {"50256": -100}
}`

func BenchmarkDecodeChatRequest(b *testing.B) {
	body := []byte(benchRequestBody)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r, extra, err := wire.DecodeChatRequest(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := wire.ToCanonicalRequest(r, extra); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromCanonicalRequestMarshal(b *testing.B) {
	r, extra, err := wire.DecodeChatRequest([]byte(benchRequestBody))
	if err != nil {
		b.Fatal(err)
	}
	canon, err := wire.ToCanonicalRequest(r, extra)
	if err != nil {
		b.Fatal(err)
	}
	opts := wire.RequestOptions{Stream: true}
	b.ReportAllocs()
	for b.Loop() {
		cr, err := wire.FromCanonicalRequest(canon, opts)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(cr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeResponse(b *testing.B) {
	body := fixtures.Load(b, "openai", "chat-tool-call").Response.RawBody()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var cr wire.ChatResponse
		if err := json.Unmarshal(body, &cr); err != nil {
			b.Fatal(err)
		}
		if _, err := wire.ToCanonicalResponse(&cr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeStreamChunk decodes one recorded text-delta chunk into a
// reused ChatChunk and converts it, as the provider's stream does per event.
func BenchmarkDecodeStreamChunk(b *testing.B) {
	events := sseData(b, fixtures.Load(b, "openai", "chat-stream-basic").Response.BodyText())
	data := []byte(events[1]) // {"delta":{"content":"Hi"}} with the real envelope
	var c wire.ChatChunk
	dst := make([]llm.Chunk, 0, 4)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cs := c.Choices[:cap(c.Choices)]
		clear(cs)
		c = wire.ChatChunk{Choices: cs[:0]}
		if err := json.Unmarshal(data, &c); err != nil {
			b.Fatal(err)
		}
		dst = wire.ToCanonicalChunks(&c, dst[:0])
		if len(dst) != 1 || dst[0].Text != "Hi" {
			b.Fatalf("decoded %+v", dst)
		}
	}
}

func BenchmarkFromCanonicalChunkMarshal(b *testing.B) {
	c := llm.Chunk{ID: "chatcmpl-C4HqHBe4xca0k0EzsCnf1t6V3YFXp", Model: "gpt-5-nano-2025-08-07", Created: 1755137933, Text: " there"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(wire.FromCanonicalChunk(&c)); err != nil {
			b.Fatal(err)
		}
	}
}
