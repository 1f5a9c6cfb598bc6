package wire_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
)

// transcriptWant is what a recorded response must decode to.
type transcriptWant struct {
	id, model string
	text      string
	calls     []llm.ToolCall
	finish    llm.FinishReason
	raw       string
	usage     llm.Usage
	// errKind is set for error transcripts (HTTP errors and error events).
	errKind    llm.Kind
	errStatus  int
	errMessage string
}

var transcriptWants = map[string]transcriptWant{
	"messages-basic": {
		id: "msg_013PpkaYgnUGGRvrYJ9XExPo", model: "claude-sonnet-4-20250514",
		text:   "Hello! It's nice to meet you. How are you doing today?",
		finish: llm.FinishStop, raw: "end_turn",
		usage: llm.Usage{InputTokens: 9, OutputTokens: 18},
	},
	"messages-cache-write-and-read": {
		id: "msg_01KPaKTJSqAKoZri7Ujrny58", model: "claude-sonnet-4-5-20250929",
		text:   "Python is a beginner-friendly, versatile programming language widely used for web development, data science, machine learning, automation, and scientific computing.",
		finish: llm.FinishStop, raw: "end_turn",
		// input_tokens 3 excludes the 418 written and the 1111 read.
		usage: llm.Usage{InputTokens: 3 + 418 + 1111, CachedInputTokens: 1111, CacheWriteTokens: 418, OutputTokens: 33},
	},
	"messages-tool-use": {
		id: "msg_01B3fMbiAhcxutivRC1gu1qZ", model: "claude-sonnet-4-5-20250929",
		calls:  []llm.ToolCall{{ID: "toolu_01AoUFM2koNLsFscK6xjnLPo", Name: "get_weather", Arguments: `{"location":"Tokyo, Japan"}`}},
		finish: llm.FinishToolCalls, raw: "tool_use",
		usage: llm.Usage{InputTokens: 620, OutputTokens: 55},
	},
	"messages-tool-result-followup": {
		id: "msg_014zmtEjjH4Qx8ntiJdbk36e", model: "claude-sonnet-4-5-20250929",
		text:   "The weather in Tokyo is currently sunny and 72°F (approximately 22°C).",
		finish: llm.FinishStop, raw: "end_turn",
		usage: llm.Usage{InputTokens: 701, OutputTokens: 22},
	},
	"messages-stream-text": {
		id: "msg_017A4s3HAsrqf5d2WvBmrpLr", model: "claude-sonnet-4-5-20250929",
		text:   "- Captain\n- Scoop",
		finish: llm.FinishStop, raw: "end_turn",
		// message_start said output_tokens 1; message_delta's 10 is final.
		usage: llm.Usage{InputTokens: 17, OutputTokens: 10},
	},
	"messages-stream-parallel-tool-use-empty-input": {
		id: "msg_01V2noLbAb2NgKnjaNw6Cn3w", model: "claude-haiku-4-5-20251001",
		calls: []llm.ToolCall{
			{ID: "toolu_01LtHJmixrs9NcWQkK8hu8hj", Name: "pelican_name_generator", Arguments: "{}"},
			{ID: "toolu_01N8a4jWyf116qKTMqKKmjyt", Name: "pelican_name_generator", Arguments: "{}"},
		},
		finish: llm.FinishToolCalls, raw: "tool_use",
		usage: llm.Usage{InputTokens: 542, OutputTokens: 62},
	},
	"stream-error-event-overloaded": {
		errKind: llm.KindOverloaded, errStatus: wire.StatusOverloaded, errMessage: "Overloaded",
	},
	"error-400-invalid-request": {
		errKind: llm.KindInvalidRequest, errStatus: 400,
		errMessage: "This model does not support effort level 'xhigh'. Supported levels: high, low, max, medium.",
	},
	"error-401-authentication": {
		errKind: llm.KindUnauthenticated, errStatus: 401,
		errMessage: "the provider rejected the gateway's credentials for anthropic",
	},
	"error-529-overloaded": {
		errKind: llm.KindOverloaded, errStatus: 529, errMessage: "Overloaded",
	},
}

// TestEveryTranscriptDecodes decodes each recorded response (unary, stream,
// error) and checks it against the expectations above, so that a new
// transcript without expectations fails loudly.
func TestEveryTranscriptDecodes(t *testing.T) {
	for _, name := range fixtures.List(t, "anthropic") {
		t.Run(name, func(t *testing.T) {
			tr := fixtures.Load(t, "anthropic", name)
			w, ok := transcriptWants[name]
			if !ok {
				t.Fatalf("new transcript %s: add its expectations to transcriptWants", name)
			}
			var resp *llm.Response
			var err error
			switch {
			case tr.Response.Status != http.StatusOK:
				h := http.Header{}
				for k, v := range tr.Response.Headers {
					h.Set(k, v)
				}
				err = wire.ClassifyError("anthropic", tr.Response.Status, h, tr.Response.RawBody())
			case tr.Response.IsSSE():
				var complete bool
				_, resp, complete, err = decodeStream(t, tr.Response.BodyText(), "")
				if err == nil && !complete {
					t.Fatal("stream decoded without message_stop")
				}
			default:
				var mr wire.MessagesResponse
				if err := json.Unmarshal(tr.Response.Body, &mr); err != nil {
					t.Fatal(err)
				}
				resp, err = wire.ToCanonicalResponse(&mr, "")
			}
			if w.errKind != 0 {
				e := asLLMError(t, err)
				if e.Kind != w.errKind || e.Status != w.errStatus || e.Message != w.errMessage || e.Provider != "anthropic" {
					t.Fatalf("error = kind %v status %d message %q provider %q, want %v %d %q",
						e.Kind, e.Status, e.Message, e.Provider, w.errKind, w.errStatus, w.errMessage)
				}
				if e.RetryAfter != 0 {
					t.Errorf("retry after %v: these recordings carry no retry-after on the error", e.RetryAfter)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkResponse(t, resp, w)
		})
	}
}

func checkResponse(t *testing.T, r *llm.Response, w transcriptWant) {
	t.Helper()
	if r.ID != w.id || r.Model != w.model {
		t.Errorf("id %q model %q, want %q %q", r.ID, r.Model, w.id, w.model)
	}
	if len(r.Choices) != 1 {
		t.Fatalf("choices = %d", len(r.Choices))
	}
	ch := r.Choices[0]
	if ch.Message.Role != llm.RoleAssistant || ch.Message.Text() != w.text {
		t.Errorf("role %q text %q, want %q", ch.Message.Role, ch.Message.Text(), w.text)
	}
	if w.text == "" && len(ch.Message.Parts) != 0 {
		t.Errorf("parts = %+v, want none", ch.Message.Parts)
	}
	if fmt.Sprint(ch.Message.ToolCalls) != fmt.Sprint(w.calls) {
		t.Errorf("tool calls = %+v, want %+v", ch.Message.ToolCalls, w.calls)
	}
	if ch.FinishReason != w.finish || ch.RawFinishReason != w.raw {
		t.Errorf("finish %q raw %q, want %q %q", ch.FinishReason, ch.RawFinishReason, w.finish, w.raw)
	}
	if r.Usage != w.usage {
		t.Errorf("usage = %+v, want %+v", r.Usage, w.usage)
	}
}

// TestStreamedToolCallDeltas checks the chunks of the parallel empty-input
// recording: each call's first delta carries its ordinal (not the content
// block index), id and name, and the single empty partial_json yields no
// argument fragment.
func TestStreamedToolCallDeltas(t *testing.T) {
	tr := fixtures.Load(t, "anthropic", "messages-stream-parallel-tool-use-empty-input")
	chunks, _, _, err := decodeStream(t, tr.Response.BodyText(), "")
	if err != nil {
		t.Fatal(err)
	}
	var deltas []llm.ToolCallDelta
	for _, c := range chunks {
		deltas = append(deltas, c.ToolCalls...)
		if c.ID != "msg_01V2noLbAb2NgKnjaNw6Cn3w" || c.Model != "claude-haiku-4-5-20251001" {
			t.Errorf("chunk id %q model %q", c.ID, c.Model)
		}
	}
	want := []llm.ToolCallDelta{
		{Index: 0, ID: "toolu_01LtHJmixrs9NcWQkK8hu8hj", Name: "pelican_name_generator"},
		// The single empty partial_json of a tool without parameters is
		// reported as the empty object when the block stops.
		{Index: 0, ArgumentsDelta: "{}"},
		{Index: 1, ID: "toolu_01N8a4jWyf116qKTMqKKmjyt", Name: "pelican_name_generator"},
		{Index: 1, ArgumentsDelta: "{}"},
	}
	if fmt.Sprint(deltas) != fmt.Sprint(want) {
		t.Fatalf("deltas = %+v, want %+v", deltas, want)
	}
	if first := chunks[0]; first.Role != llm.RoleAssistant {
		t.Errorf("first chunk = %+v, want the role", first)
	}
	last := chunks[len(chunks)-1]
	if last.Usage == nil || last.FinishReason != llm.FinishToolCalls {
		t.Errorf("last chunk = %+v, want finish and usage", last)
	}
}

// TestRecordedRequestsRoundTrip reads every recorded request as an
// Anthropic client would send it, converts it to canonical and back, and
// checks the body says the same as the recording.
func TestRecordedRequestsRoundTrip(t *testing.T) {
	checked := 0
	for _, name := range fixtures.List(t, "anthropic") {
		tr := fixtures.Load(t, "anthropic", name)
		if !tr.Request.HasBody() {
			continue
		}
		t.Run(name, func(t *testing.T) {
			mr, err := wire.DecodeRequest(tr.Request.Body)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			canon, err := wire.ToCanonicalRequest(mr)
			if err != nil {
				t.Fatalf("to canonical: %v", err)
			}
			back, err := wire.FromCanonicalRequest(canon, wire.RequestOptions{Stream: mr.Stream})
			if err != nil {
				t.Fatalf("from canonical: %v", err)
			}
			got := normalizeRequest(t, mustMarshal(t, back))
			want := normalizeRequest(t, tr.Request.Body)
			if !jsonEqual(t, got, want) {
				t.Fatalf("round trip differs\n got: %s\nwant: %s", got, want)
			}
			checked++
		})
	}
	if checked < 6 {
		t.Fatalf("checked %d recorded requests, want every one with a body (6)", checked)
	}
}

// normalizeRequest erases the differences that carry no meaning: content
// (and system, and tool_result content) as a string or as one text block,
// an empty tool description, stream false.
func normalizeRequest(t *testing.T, body []byte) []byte {
	t.Helper()
	m := decodeMap(t, body)
	if m["stream"] == false {
		delete(m, "stream")
	}
	if s, ok := m["system"].(string); ok {
		m["system"] = textBlocks(s)
	}
	msgs, _ := m["messages"].([]any)
	for _, msg := range msgs {
		mm := msg.(map[string]any)
		if s, ok := mm["content"].(string); ok {
			mm["content"] = textBlocks(s)
		}
		blocks, _ := mm["content"].([]any)
		for _, b := range blocks {
			bm := b.(map[string]any)
			if s, ok := bm["content"].(string); ok && bm["type"] == "tool_result" {
				bm["content"] = textBlocks(s)
			}
		}
	}
	tools, _ := m["tools"].([]any)
	for _, tool := range tools {
		if tm := tool.(map[string]any); tm["description"] == "" {
			delete(tm, "description")
		}
	}
	return mustMarshal(t, m)
}

func textBlocks(s string) []any {
	return []any{map[string]any{"type": "text", "text": s}}
}

// TestToolResultFollowupFromCanonical builds the second turn of the
// recorded tool conversation from canonical messages and checks the body is
// the one the recording sent: the tool result as a tool_result block of a
// user message right after the assistant's tool_use.
func TestToolResultFollowupFromCanonical(t *testing.T) {
	tr := fixtures.Load(t, "anthropic", "messages-tool-result-followup")
	var recorded struct {
		Tools []struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			InputSchema json.RawMessage `json:"input_schema"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(tr.Request.Body, &recorded); err != nil {
		t.Fatal(err)
	}
	tool := recorded.Tools[0]
	req := &llm.Request{
		Model:     "claude-sonnet-4-5",
		MaxTokens: ptr(int64(4096)),
		Messages: []llm.Message{
			user("What is the weather in Tokyo? Use the get_weather tool."),
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "toolu_01AoUFM2koNLsFscK6xjnLPo", Name: "get_weather", Arguments: `{"location": "Tokyo, Japan"}`}}},
			{Role: llm.RoleTool, ToolCallID: "toolu_01AoUFM2koNLsFscK6xjnLPo", Parts: []llm.Part{llm.TextPart("The weather in Tokyo, Japan is sunny and 72°F")}},
		},
		Tools: []llm.Tool{{Name: tool.Name, Description: tool.Description, Parameters: tool.InputSchema}},
	}
	mr, err := wire.FromCanonicalRequest(req, wire.RequestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := mustMarshal(t, mr)
	if !jsonEqual(t, normalizeRequest(t, got), normalizeRequest(t, tr.Request.Body)) {
		t.Fatalf("follow-up body differs\n got: %s\nwant: %s", got, tr.Request.Body)
	}
}
