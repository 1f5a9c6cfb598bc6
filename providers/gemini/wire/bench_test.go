package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

// A typical agent turn: a system prompt, a question, a model turn with a
// signed call, its result, and two tools.
func benchRequest() *llm.Request {
	temp := 0.2
	return &llm.Request{
		Model: "gemini-2.5-flash",
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("You are a research assistant. Use the tools when they help.")}},
			{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("What is the weather in Paris and what time is it there?")}},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{
				{ID: wire.CallID("get_weather", []byte(`{"city":"Paris"}`), 0, 0), Name: "get_weather", Arguments: `{"city":"Paris"}`, Signature: "CoYEAXLI2nzmyDix3_QA-tMOiUwpDVoA5-RJoRW7kw3okJaVYCa5Usx7eBn4xowP7oXNynS4NfawCYqboufBXjHinq13UTcYg0Y74qIrza4KuctliGmf8G7S4Q"},
				{ID: wire.CallID("get_time", []byte(`{"tz":"Europe/Paris"}`), 0, 1), Name: "get_time", Arguments: `{"tz":"Europe/Paris"}`},
			}},
			{Role: llm.RoleTool, ToolCallID: wire.CallID("get_weather", []byte(`{"city":"Paris"}`), 0, 0), Parts: []llm.Part{llm.TextPart(`{"temp":21,"sky":"clear"}`)}},
			{Role: llm.RoleTool, ToolCallID: wire.CallID("get_time", []byte(`{"tz":"Europe/Paris"}`), 0, 1), Parts: []llm.Part{llm.TextPart("12:00")}},
		},
		Tools: []llm.Tool{
			{Name: "get_weather", Description: "Current weather.", Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}`)},
			{Name: "get_time", Description: "Current time.", Parameters: json.RawMessage(`{"type":"object","properties":{"tz":{"type":"string"}},"required":["tz"]}`)},
		},
		Temperature: &temp,
	}
}

func BenchmarkRequestEncode(b *testing.B) {
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		w, err := wire.FromCanonicalRequest(req, wire.RequestOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := wire.Marshal(w, nil, wire.RequestOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

const benchAnswer = `{
  "candidates": [
    {
      "content": {
        "parts": [
          {
            "functionCall": {
              "name": "generate_report",
              "args": {
                "findings": "The AI agent market is currently valued at $50 billion and is experiencing a strong growth rate of 15% year-over-year.",
                "title": "Current State of the AI Agent Market"
              }
            },
            "thoughtSignature": "CuACAXLI2nzhub94iTgphfrBnaQV13Wv0+kRJj+l9jEDfxsyNg9eGnhxRfj4cued3Mgvv1CR9vkpfDV/V9x57TVWLNwPsVvsTgZKI0pwmV355sUCRKqAyfRBwDWhn0UAl9+sYNFCKUJCp8G5QBGfrar1lYLltX/z83d4O13Wn5Ugvxco9o4CdxnnPJOWkTPETRgXA/1HSdEiwGNqt0A3lKYkGRXQx"
          }
        ],
        "role": "model"
      },
      "finishReason": "STOP",
      "index": 0,
      "finishMessage": "Model generated function call(s)."
    }
  ],
  "usageMetadata": {
    "promptTokenCount": 557,
    "candidatesTokenCount": 73,
    "totalTokenCount": 700,
    "cachedContentTokenCount": 330,
    "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 557}],
    "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 330}],
    "thoughtsTokenCount": 70
  },
  "modelVersion": "gemini-2.5-flash",
  "responseId": "jkWCacGZMLrv_uMPibCHmQU"
}
`

func BenchmarkResponseDecode(b *testing.B) {
	body := []byte(benchAnswer)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var r wire.GenerateContentResponse
		if err := json.Unmarshal(body, &r); err != nil {
			b.Fatal(err)
		}
		if _, err := wire.ToCanonicalResponse(&r); err != nil {
			b.Fatal(err)
		}
	}
}

const benchChunk = `{"candidates": [{"content": {"parts": [{"text": " capital of France"}],"role": "model"}}],"usageMetadata": {"promptTokenCount": 15,"totalTokenCount": 15,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 15}]},"modelVersion": "gemini-2.0-flash-exp","responseId": "w1peaMz6INOvnvgPgYfPiQY"}`

// BenchmarkStreamChunkDecode is the per-chunk cost of a stream: decode one
// data line into a reused target and convert it.
func BenchmarkStreamChunkDecode(b *testing.B) {
	data := []byte(benchChunk)
	d := wire.StreamDecoder{Provider: "gemini"}
	var target wire.GenerateContentResponse
	out := make([]llm.Chunk, 0, 4)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		cs := target.Candidates[:cap(target.Candidates)]
		clear(cs)
		target = wire.GenerateContentResponse{Candidates: cs[:0]}
		if err := json.Unmarshal(data, &target); err != nil {
			b.Fatal(err)
		}
		var err error
		if out, err = d.Decode(&target, out[:0]); err != nil || len(out) != 1 {
			b.Fatal(err)
		}
	}
}
