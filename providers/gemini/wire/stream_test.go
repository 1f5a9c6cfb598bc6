package wire_test

import (
	"reflect"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

func sseBody(events ...string) string {
	s := ""
	for _, e := range events {
		s += "data: " + e + "\r\n\r\n"
	}
	return s
}

const usageJSON = `"usageMetadata": {"promptTokenCount": 10,"candidatesTokenCount": 4,"totalTokenCount": 30,"thoughtsTokenCount": 16,"cachedContentTokenCount": 6}`

func TestStreamThoughtsSignaturesAndParallelCalls(t *testing.T) {
	body := sseBody(
		`{"candidates": [{"content": {"parts": [{"text": "**Plan**","thought": true}],"role": "model"}}],"responseId": "r1","modelVersion": "gemini-2.5-flash"}`,
		`{"candidates": [{"content": {"parts": [{"functionCall": {"name": "a","args": {"x": 1}},"thoughtSignature": "sig-1"},{"functionCall": {"name": "b","args": {}}}],"role": "model"}}]}`,
		`{"candidates": [{"content": {"parts": [{"functionCall": {"name": "a","args": {"x": 1}}}],"role": "model"},"finishReason": "STOP"}],`+usageJSON+`}`,
	)
	chunks, err := decodeSSE(t, body)
	if err != nil {
		t.Fatal(err)
	}
	resp := collect(chunks)
	calls := resp.Choices[0].Message.ToolCalls
	want := []llm.ToolCall{
		{ID: wire.CallID("a", []byte(`{"x":1}`), 0, 0), Name: "a", Arguments: `{"x":1}`, Signature: "sig-1"},
		{ID: wire.CallID("b", []byte(`{}`), 0, 1), Name: "b", Arguments: `{}`},
		{ID: wire.CallID("a", []byte(`{"x":1}`), 0, 2), Name: "a", Arguments: `{"x":1}`},
	}
	if !reflect.DeepEqual(calls, want) {
		t.Fatalf("calls = %+v", calls)
	}
	if calls[0].ID == calls[2].ID {
		t.Error("two identical calls of one answer share an id")
	}
	if r := resp.Choices[0].Message.Reasoning; len(r) != 1 || r[0].Text != "**Plan**" {
		t.Errorf("reasoning = %+v", r)
	}
	if resp.Choices[0].FinishReason != llm.FinishToolCalls {
		t.Errorf("finish = %q", resp.Choices[0].FinishReason)
	}
	if resp.Usage != (llm.Usage{InputTokens: 10, CachedInputTokens: 6, OutputTokens: 20, ReasoningTokens: 16}) {
		t.Errorf("usage = %+v", resp.Usage)
	}
}

// Gemini 3 sends the text's signature in a last part with empty text.
func TestStreamTextSignatureAlone(t *testing.T) {
	body := sseBody(
		`{"candidates": [{"content": {"parts": [{"text": "Hello"}],"role": "model"}}]}`,
		`{"candidates": [{"content": {"parts": [{"text": "","thoughtSignature": "sig-t"}],"role": "model"},"finishReason": "STOP"}]}`,
	)
	chunks, err := decodeSSE(t, body)
	if err != nil {
		t.Fatal(err)
	}
	resp := collect(chunks)
	want := []llm.Part{{Type: llm.PartText, Text: "Hello", Signature: "sig-t"}}
	if !reflect.DeepEqual(resp.Choices[0].Message.Parts, want) {
		t.Fatalf("parts = %+v", resp.Choices[0].Message.Parts)
	}
}

func TestStreamSeveralCandidates(t *testing.T) {
	body := sseBody(
		`{"candidates": [{"content": {"parts": [{"text": "A"}],"role": "model"},"index": 0},{"content": {"parts": [{"text": "B"}],"role": "model"},"index": 1}]}`,
		`{"candidates": [{"content": {"parts": [{"text": "a"}],"role": "model"},"finishReason": "STOP","index": 0}]}`,
		`{"candidates": [{"content": {"parts": [{"text": "b"}],"role": "model"},"finishReason": "MAX_TOKENS","index": 1}]}`,
	)
	chunks, err := decodeSSE(t, body)
	if err != nil {
		t.Fatal(err)
	}
	resp := collect(chunks)
	if len(resp.Choices) != 2 || resp.Choices[0].Message.Text() != "Aa" || resp.Choices[1].Message.Text() != "Bb" ||
		resp.Choices[1].FinishReason != llm.FinishLength || resp.Choices[1].RawFinishReason != "MAX_TOKENS" {
		t.Fatalf("choices = %+v", resp.Choices)
	}
}

func TestStreamEndings(t *testing.T) {
	cases := []struct {
		name string
		body string
		kind llm.Kind
		code string
	}{
		{"no finish reason", sseBody(`{"candidates": [{"content": {"parts": [{"text": "Hel"}],"role": "model"}}]}`), llm.KindUpstream, ""},
		{"empty body", "", llm.KindUpstream, ""},
		{"one candidate of two unfinished", sseBody(
			`{"candidates": [{"content": {"parts": [{"text": "A"}]},"index": 0,"finishReason": "STOP"},{"content": {"parts": [{"text": "B"}]},"index": 1}]}`), llm.KindUpstream, ""},
		{"blocked prompt", sseBody(`{"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},"usageMetadata": {"promptTokenCount": 5}}`), llm.KindContentFiltered, "PROHIBITED_CONTENT"},
		{"filtered before content", sseBody(`{"candidates": [{"finishReason": "SAFETY","index": 0}]}`), llm.KindContentFiltered, "SAFETY"},
		{"error object", sseBody(`{"candidates": [{"content": {"parts": [{"text": "A"}]}}]}`, `{"error": {"code": 500,"message": "An internal error has occurred.","status": "INTERNAL"}}`), llm.KindUpstream, "INTERNAL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeSSE(t, c.body)
			e := asLLMError(t, err)
			if e.Kind != c.kind || e.Code != c.code || e.Provider != "gemini" {
				t.Fatalf("got %+v", e)
			}
		})
	}
}

func TestStreamFilterAfterContentIsAFinishReason(t *testing.T) {
	body := sseBody(
		`{"candidates": [{"content": {"parts": [{"text": "Once upon"}],"role": "model"}}]}`,
		`{"candidates": [{"finishReason": "RECITATION"}]}`,
	)
	chunks, err := decodeSSE(t, body)
	if err != nil {
		t.Fatal(err)
	}
	resp := collect(chunks)
	if ch := resp.Choices[0]; ch.Message.Text() != "Once upon" || ch.FinishReason != llm.FinishContentFilter || ch.RawFinishReason != "RECITATION" {
		t.Fatalf("choice = %+v", ch)
	}
}

func TestUnaryFilteredAndBlocked(t *testing.T) {
	filtered := &wire.GenerateContentResponse{Candidates: []wire.Candidate{{FinishReason: "SAFETY"}}}
	if _, err := wire.ToCanonicalResponse(filtered); asLLMError(t, err).Kind != llm.KindContentFiltered {
		t.Error("a candidate filtered before any content must be an error")
	}
	blocked := &wire.GenerateContentResponse{PromptFeedback: &wire.PromptFeedback{BlockReason: "SAFETY"}}
	if _, err := wire.ToCanonicalResponse(blocked); asLLMError(t, err).Code != "SAFETY" {
		t.Error("a blocked prompt must be a ContentFiltered error with the reason as code")
	}
	text := "partial"
	partial := &wire.GenerateContentResponse{Candidates: []wire.Candidate{{Content: &wire.Content{Parts: []wire.Part{{Text: &text}}}, FinishReason: "SAFETY"}}}
	resp, err := wire.ToCanonicalResponse(partial)
	if err != nil || resp.Choices[0].FinishReason != llm.FinishContentFilter {
		t.Errorf("partial content: %+v, %v", resp, err)
	}
	thinking := &wire.GenerateContentResponse{Candidates: []wire.Candidate{{Content: &wire.Content{Role: "model"}, FinishReason: "MAX_TOKENS"}}}
	resp, err = wire.ToCanonicalResponse(thinking)
	if err != nil || resp.Choices[0].FinishReason != llm.FinishLength {
		t.Errorf("thinking used the budget: %+v, %v", resp, err)
	}
}

func TestFinishReasons(t *testing.T) {
	cases := map[string]llm.FinishReason{
		"STOP": llm.FinishStop, "MAX_TOKENS": llm.FinishLength, "SAFETY": llm.FinishContentFilter,
		"RECITATION": llm.FinishContentFilter, "BLOCKLIST": llm.FinishContentFilter, "PROHIBITED_CONTENT": llm.FinishContentFilter,
		"SPII": llm.FinishContentFilter, "MALFORMED_FUNCTION_CALL": llm.FinishError, "LANGUAGE": llm.FinishOther,
		"OTHER": llm.FinishOther, "FINISH_REASON_UNSPECIFIED": llm.FinishOther,
	}
	for raw, want := range cases {
		if got := wire.ToCanonicalFinishReason(raw, false); got != want {
			t.Errorf("%s -> %s, want %s", raw, got, want)
		}
	}
	if wire.ToCanonicalFinishReason("STOP", true) != llm.FinishToolCalls {
		t.Error("STOP with calls must be tool_calls")
	}
}
