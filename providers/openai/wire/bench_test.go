package wire_test

import (
	"bytes"
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

// BenchmarkDecodeChatRequest decodes and converts a client's request, as
// the shim does; the encoding-json variant skips the fast path.
func BenchmarkDecodeChatRequest(b *testing.B) {
	body := []byte(benchRequestBody)
	b.Run("fast", func(b *testing.B) {
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
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			r, err := wire.DecodeChatRequestWithEncodingJSON(body)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := wire.ToCanonicalRequest(r, r.Extra); err != nil {
				b.Fatal(err)
			}
		}
	})
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
	for _, v := range []struct {
		name    string
		marshal func(*wire.ChatRequest) ([]byte, error)
	}{
		{"fast", func(r *wire.ChatRequest) ([]byte, error) { return wire.AppendChatRequest(nil, r) }},
		{"encoding-json", func(r *wire.ChatRequest) ([]byte, error) { return json.Marshal(r) }},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cr, err := wire.FromCanonicalRequest(canon, opts)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := v.marshal(cr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeResponse decodes a recorded completion with a tool call
// and converts it, as the provider does for a unary answer; the
// encoding-json variant is the same with json.Unmarshal, for comparison.
func BenchmarkDecodeResponse(b *testing.B) {
	body := fixtures.Load(b, "openai", "chat-tool-call").Response.RawBody()
	for _, v := range []struct {
		name   string
		decode func([]byte, *wire.ChatResponse) error
	}{{"fast", wire.DecodeChatResponse}, {"encoding-json", func(d []byte, r *wire.ChatResponse) error { return json.Unmarshal(d, r) }}} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var cr wire.ChatResponse
				if err := v.decode(body, &cr); err != nil {
					b.Fatal(err)
				}
				if _, err := wire.ToCanonicalResponse(&cr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeStreamChunk decodes one recorded text-delta chunk into a
// reused ChatChunk and converts it, as the provider's stream does per event;
// the encoding-json variant is the same with json.Unmarshal.
func BenchmarkDecodeStreamChunk(b *testing.B) {
	events := sseData(b, fixtures.Load(b, "openai", "chat-stream-basic").Response.BodyText())
	data := []byte(events[1]) // {"delta":{"content":"Hi"}} with the real envelope
	for _, v := range []struct {
		name   string
		decode func([]byte, *wire.ChatChunk) error
	}{{"fast", wire.DecodeChatChunk}, {"encoding-json", func(d []byte, c *wire.ChatChunk) error { return json.Unmarshal(d, c) }}} {
		b.Run(v.name, func(b *testing.B) {
			var c wire.ChatChunk
			dst := make([]llm.Chunk, 0, 4)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				cs := c.Choices[:cap(c.Choices)]
				clear(cs)
				c = wire.ChatChunk{Choices: cs[:0]}
				if err := v.decode(data, &c); err != nil {
					b.Fatal(err)
				}
				dst = wire.ToCanonicalChunks(&c, dst[:0])
				if len(dst) != 1 || dst[0].Text != "Hi" {
					b.Fatalf("decoded %+v", dst)
				}
			}
		})
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

// BenchmarkAppendCanonicalChunk is the shim's per-chunk encoding: the same
// bytes as BenchmarkFromCanonicalChunkMarshal, into a reused buffer.
func BenchmarkAppendCanonicalChunk(b *testing.B) {
	c := llm.Chunk{ID: "chatcmpl-C4HqHBe4xca0k0EzsCnf1t6V3YFXp", Model: "gpt-5-nano-2025-08-07", Created: 1755137933, Text: " there"}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = wire.AppendCanonicalChunk(buf[:0], &c)
	}
}

// BenchmarkEncodeResponse writes a completion as the shim answers it: the
// hand-written encoder, and the encoding/json encoder it replaced.
func BenchmarkEncodeResponse(b *testing.B) {
	var cr wire.ChatResponse
	if err := json.Unmarshal(fixtures.Load(b, "openai", "chat-tool-call").Response.RawBody(), &cr); err != nil {
		b.Fatal(err)
	}
	canon, err := wire.ToCanonicalResponse(&cr)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("fast", func(b *testing.B) {
		buf := make([]byte, 0, 2048)
		b.ReportAllocs()
		for b.Loop() {
			if buf, err = wire.AppendChatResponse(buf[:0], wire.FromCanonicalResponse(canon)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		var buf bytes.Buffer
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(wire.FromCanonicalResponse(canon)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
