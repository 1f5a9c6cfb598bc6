package wire_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

// benchRequest is a typical agent turn: system prompt, a tool, a previous
// tool call and its result.
func benchRequest() *llm.Request {
	return &llm.Request{
		Model: claude, MaxTokens: ptr(int64(1024)),
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("You are a helpful assistant that answers with the weather.")}},
			user("What is the weather in Tokyo? Use the get_weather tool."),
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "tooluse_kooGjILXmVRg8edl3YuEf4", Name: "get_weather", Arguments: `{"location":"Tokyo, Japan"}`}}},
			{Role: llm.RoleTool, ToolCallID: "tooluse_kooGjILXmVRg8edl3YuEf4", Parts: []llm.Part{llm.TextPart("The weather in Tokyo, Japan is sunny and 72°F")}},
		},
		Tools: []llm.Tool{{Name: "get_weather", Description: "Get the current weather in a given location",
			Parameters: json.RawMessage(`{"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]}`)}},
	}
}

// BenchmarkRequestEncode converts a canonical request and marshals it: the
// translator's whole per-request encoding cost.
func BenchmarkRequestEncode(b *testing.B) {
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		cr, err := wire.FromCanonicalRequest(req, wire.RequestOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(cr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResponseDecode(b *testing.B) {
	body, err := json.Marshal(json.RawMessage(fixtures.Load(b, "bedrock", "converse-tool-use").Response.Body)) // compact, as sent
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var cr wire.ConverseResponse
		if err := json.Unmarshal(body, &cr); err != nil {
			b.Fatal(err)
		}
		if _, err := wire.ToCanonicalResponse(&cr, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamDecode reads the recorded stream (33 frames): CRC checks,
// header parsing, JSON decoding and conversion. ns/frame is the per-chunk
// cost of the read path.
func BenchmarkStreamDecode(b *testing.B) {
	raw := fixtures.Load(b, "bedrock", "converseStream-text").Response.RawBody()
	rd := bytes.NewReader(raw)
	frames := 0
	var chunks []llm.Chunk
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(raw)
		fr := wire.NewFrameReader(rd)
		d := wire.NewStreamDecoder("bedrock", claude, "req", "")
		frames = 0
		for {
			f, err := fr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			frames++
			if chunks, err = d.Decode(f, chunks[:0]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*frames), "ns/frame")
}

// BenchmarkAppendFrame frames one text delta, as the simulator writes each.
func BenchmarkAppendFrame(b *testing.B) {
	headers := wire.EventHeaders(wire.EventContentBlockDelta)
	payload := []byte(`{"contentBlockIndex":0,"delta":{"text":" capital of France is Paris."},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJK"}`)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = wire.AppendFrame(buf[:0], headers, payload)
	}
}
