package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
)

// benchRequest is a typical agent turn: system prompt, a tool, a previous
// tool call and its result.
func benchRequest() *llm.Request {
	return &llm.Request{
		Model: "claude-sonnet-4-5", MaxTokens: ptr(int64(1024)),
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("You are a helpful assistant that answers with the weather.")}},
			user("What is the weather in Tokyo? Use the get_weather tool."),
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "toolu_01AoUFM2koNLsFscK6xjnLPo", Name: "get_weather", Arguments: `{"location":"Tokyo, Japan"}`}}},
			{Role: llm.RoleTool, ToolCallID: "toolu_01AoUFM2koNLsFscK6xjnLPo", Parts: []llm.Part{llm.TextPart("The weather in Tokyo, Japan is sunny and 72°F")}},
		},
		Tools: []llm.Tool{{Name: "get_weather", Description: "Get the current weather in a given location",
			Parameters: json.RawMessage(`{"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]}`)}},
	}
}

func BenchmarkRequestEncode(b *testing.B) {
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		mr, err := wire.FromCanonicalRequest(req, wire.RequestOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(mr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResponseDecode(b *testing.B) {
	body := []byte(fixtures.Load(b, "anthropic", "messages-tool-use").Response.Body)
	var compact []byte
	if c, err := json.Marshal(json.RawMessage(body)); err == nil { // the wire sends compact JSON
		compact = c
	}
	b.SetBytes(int64(len(compact)))
	b.ReportAllocs()
	for b.Loop() {
		var mr wire.MessagesResponse
		if err := json.Unmarshal(compact, &mr); err != nil {
			b.Fatal(err)
		}
		if _, err := wire.ToCanonicalResponse(&mr, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamChunkDecode decodes one padded text_delta event, the bulk
// of every stream.
func BenchmarkStreamChunkDecode(b *testing.B) {
	d := wire.NewStreamDecoder("anthropic", "")
	start := []byte(`{"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_017A4s3HAsrqf5d2WvBmrpLr","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":17,"output_tokens":1}}}`)
	if _, err := d.Decode(start, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := d.Decode([]byte(`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`), nil); err != nil {
		b.Fatal(err)
	}
	event := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" Captain"}          }`)
	var dst []llm.Chunk
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = d.Decode(event, dst[:0]); err != nil || len(dst) != 1 {
			b.Fatal(err)
		}
	}
}
