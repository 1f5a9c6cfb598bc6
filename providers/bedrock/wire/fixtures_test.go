package wire_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

// Every recorded request survives decoding into the wire types and encoding
// again, member for member (empty arrays aside, which the encoder leaves
// out).
func TestFixtureRequestsRoundTripThroughWireTypes(t *testing.T) {
	for _, name := range fixtures.List(t, "bedrock") {
		tr := fixtures.Load(t, "bedrock", name)
		t.Run(name, func(t *testing.T) {
			r := decodeRequest(t, tr)
			got := mustMarshal(t, r)
			want := dropEmptyArrays(jsonValue(t, tr.Request.Body))
			if !reflect.DeepEqual(jsonValue(t, got), want) {
				t.Fatalf("re-encoded request differs:\n got %s\nwant %s", got, tr.Request.Body)
			}
		})
	}
}

func dropEmptyArrays(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if a, ok := e.([]any); ok && len(a) == 0 {
				delete(x, k)
				continue
			}
			x[k] = dropEmptyArrays(e)
		}
	case []any:
		for i := range x {
			x[i] = dropEmptyArrays(x[i])
		}
	}
	return v
}

// The recorded requests, read as canonical requests and translated back,
// are what the recording sent: the translator produces the request shapes
// Bedrock accepted. The request with a document block has no canonical
// form and is refused by name.
func TestFixtureRequestsRoundTripThroughCanonical(t *testing.T) {
	models := map[string]string{}
	for _, name := range fixtures.List(t, "bedrock") {
		tr := fixtures.Load(t, "bedrock", name)
		models[name] = modelOfPath(tr.Request.Path)
		t.Run(name, func(t *testing.T) {
			req, err := wire.ToCanonicalRequest(decodeRequest(t, tr), models[name])
			if name == "converse-cache-read" {
				e := asLLMError(t, err)
				if e.Kind != llm.KindInvalidRequest || e.Param != "messages[0].content[1].document" {
					t.Fatalf("document block: %+v", e)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out, err := wire.FromCanonicalRequest(req, wire.RequestOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := dropEmptyArrays(jsonValue(t, tr.Request.Body))
			if got := jsonValue(t, mustMarshal(t, out)); !reflect.DeepEqual(got, want) {
				t.Fatalf("translated back:\n got %s\nwant %s", mustMarshal(t, out), tr.Request.Body)
			}
		})
	}
}

// modelOfPath reads the model id from /model/{id}/converse.
func modelOfPath(path string) string {
	rest := strings.TrimPrefix(path, "/model/")
	escaped := rest[:strings.LastIndexByte(rest, '/')]
	return strings.ReplaceAll(escaped, "%3A", ":")
}

// A canonical conversation with three parallel calls and their results
// translates to the recorded follow-up request: the calls in one assistant
// turn, the three results in ONE user message.
func TestCanonicalParallelToolResultsMatchTheRecording(t *testing.T) {
	tr := fixtures.Load(t, "bedrock", "converse-tool-result-followup")
	schema := func(n string) json.RawMessage {
		return json.RawMessage(`{"properties":{"query":{"description":"Search query","title":"Query","type":"string"}},"required":["query"],"type":"object","additionalProperties":false}`)
	}
	task := decodeRequest(t, tr).Messages[0].Content[0].Text
	req := &llm.Request{
		Model: "us.anthropic.claude-sonnet-4-6",
		Stop:  []string{"\nObservation:"},
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("You are Parallel Tool Agent. You follow tool instructions precisely.\nYour personal goal is: Use both tools exactly as instructed")}},
			{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(task)}},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{
				{ID: "tooluse_kooGjILXmVRg8edl3YuEf4", Name: "parallel_local_search_one", Arguments: `{"query":"latest OpenAI model release notes"}`},
				{ID: "tooluse_qa71o2cLA65qg5TyweI63c", Name: "parallel_local_search_two", Arguments: `{"query":"latest Anthropic model release notes"}`},
				{ID: "tooluse_gPf5hAC0sogbIJEjDBTIvO", Name: "parallel_local_search_three", Arguments: `{"query":"latest Gemini model release notes"}`},
			}},
			{Role: llm.RoleTool, ToolCallID: "tooluse_kooGjILXmVRg8edl3YuEf4", Parts: []llm.Part{llm.TextPart("[one] latest OpenAI model release notes")}},
			{Role: llm.RoleTool, ToolCallID: "tooluse_qa71o2cLA65qg5TyweI63c", Parts: []llm.Part{llm.TextPart("[two] latest Anthropic model release notes")}},
			{Role: llm.RoleTool, ToolCallID: "tooluse_gPf5hAC0sogbIJEjDBTIvO", Parts: []llm.Part{llm.TextPart("[three] latest Gemini model release notes")}},
		},
		Tools: []llm.Tool{
			{Name: "parallel_local_search_one", Description: "Local search tool #1 for concurrency testing.", Parameters: schema("one")},
			{Name: "parallel_local_search_two", Description: "Local search tool #2 for concurrency testing.", Parameters: schema("two")},
			{Name: "parallel_local_search_three", Description: "Local search tool #3 for concurrency testing.", Parameters: schema("three")},
		},
	}
	out, err := wire.FromCanonicalRequest(req, wire.RequestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := mustMarshal(t, out); !sameJSON(t, got, tr.Request.Body) {
		t.Fatalf("request:\n got %s\nwant %s", got, tr.Request.Body)
	}
}

// The cache-read recording's request without its document block: cache
// hints on the system prompt, on a user part and on the tool list become
// the recorded cachePoint blocks.
func TestCanonicalCacheHintsMatchTheRecording(t *testing.T) {
	tr := fixtures.Load(t, "bedrock", "converse-cache-read")
	rec := decodeRequest(t, tr)
	ephemeral := &llm.CacheControl{Type: "ephemeral"}
	noParams := json.RawMessage(`{"additionalProperties":false,"properties":{},"type":"object"}`)
	req := &llm.Request{
		Model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{{Type: llm.PartText, Text: rec.System[0].Text, CacheControl: ephemeral}}},
			{Role: llm.RoleUser, Parts: []llm.Part{
				llm.TextPart(rec.Messages[0].Content[0].Text),
				{Type: llm.PartText, Text: "\n", CacheControl: ephemeral},
				{Type: llm.PartText, Text: "What is 10 + 11?", CacheControl: ephemeral},
			}},
		},
		Tools: []llm.Tool{
			{Name: "catalog_lookup", Parameters: noParams},
			{Name: "diagnostics", Parameters: noParams, CacheControl: ephemeral},
		},
		ToolChoice: &llm.ToolChoice{Mode: llm.ToolChoiceAuto},
	}
	out, err := wire.FromCanonicalRequest(req, wire.RequestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := jsonValue(t, tr.Request.Body).(map[string]any)
	msg := want["messages"].([]any)[0].(map[string]any)
	content := msg["content"].([]any)
	msg["content"] = append(content[:1:1], content[2:]...) // the document block
	if got := jsonValue(t, mustMarshal(t, out)); !reflect.DeepEqual(got, want) {
		t.Fatalf("request:\n got %s\nwant %v", mustMarshal(t, out), want)
	}
}

func TestFixtureBasicAnswer(t *testing.T) {
	tr := fixtures.Load(t, "bedrock", "converse-basic")
	resp, err := wire.ToCanonicalResponse(decodeResponse(t, tr), "")
	if err != nil {
		t.Fatal(err)
	}
	want := &llm.Response{
		Choices: []llm.Choice{{
			Message:      llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart("Hello! 👋 How are you doing? Is there something I can help you with today?")}},
			FinishReason: llm.FinishStop, RawFinishReason: "end_turn",
		}},
		Usage: llm.Usage{InputTokens: 9, OutputTokens: 24},
	}
	if !reflect.DeepEqual(resp, want) {
		t.Fatalf("got  %+v\nwant %+v", resp, want)
	}
	if resp.Usage.TotalTokens() != 33 {
		t.Errorf("total = %d, want totalTokens 33", resp.Usage.TotalTokens())
	}
}

// inputTokens (2) excludes the cache read (1322); totalTokens (1329)
// includes it. Canonical input includes it, as the spine defines.
func TestFixtureCacheReadUsage(t *testing.T) {
	tr := fixtures.Load(t, "bedrock", "converse-cache-read")
	r := decodeResponse(t, tr)
	resp, err := wire.ToCanonicalResponse(r, "")
	if err != nil {
		t.Fatal(err)
	}
	want := llm.Usage{InputTokens: 1324, CachedInputTokens: 1322, OutputTokens: 5}
	if resp.Usage != want || resp.Usage.TotalTokens() != r.Usage.TotalTokens {
		t.Fatalf("usage = %+v (total %d), want %+v (total %d)", resp.Usage, resp.Usage.TotalTokens(), want, r.Usage.TotalTokens)
	}
	if resp.Choices[0].Message.Text() != "21" {
		t.Errorf("text = %q", resp.Choices[0].Message.Text())
	}
	// Only the undocumented ...Count aliases: the same numbers.
	alias := wire.Usage{InputTokens: 2, OutputTokens: 5, TotalTokens: 1329, CacheReadInputTokenCount: 1322, CacheWriteInputTokenCount: 7}
	if u := wire.ToCanonicalUsage(&alias); u != (llm.Usage{InputTokens: 1331, CachedInputTokens: 1322, CacheWriteTokens: 7, OutputTokens: 5}) {
		t.Errorf("usage from the aliases = %+v", u)
	}
}

func TestFixtureToolUseAnswer(t *testing.T) {
	tr := fixtures.Load(t, "bedrock", "converse-tool-use")
	resp, err := wire.ToCanonicalResponse(decodeResponse(t, tr), "")
	if err != nil {
		t.Fatal(err)
	}
	ch := resp.Choices[0]
	if ch.FinishReason != llm.FinishToolCalls || ch.RawFinishReason != "tool_use" {
		t.Errorf("finish = %q (raw %q)", ch.FinishReason, ch.RawFinishReason)
	}
	wantCalls := []llm.ToolCall{{ID: "tooluse_Ze_bgl9CSqu8aJv7XD-_Dw", Name: "get_capital", Arguments: `{"country":"France"}`}}
	if !reflect.DeepEqual(ch.Message.ToolCalls, wantCalls) {
		t.Errorf("calls = %+v", ch.Message.ToolCalls)
	}
	if !strings.HasPrefix(ch.Message.Text(), "<thinking> To determine the capital of France") {
		t.Errorf("text = %q", ch.Message.Text())
	}
	if resp.Usage != (llm.Usage{InputTokens: 426, OutputTokens: 66}) {
		t.Errorf("usage = %+v", resp.Usage)
	}
}

func TestFixtureToolResultFollowupAnswer(t *testing.T) {
	tr := fixtures.Load(t, "bedrock", "converse-tool-result-followup")
	resp, err := wire.ToCanonicalResponse(decodeResponse(t, tr), "")
	if err != nil {
		t.Fatal(err)
	}
	ch := resp.Choices[0]
	if !strings.HasPrefix(ch.Message.Text(), "The three parallel searches were executed") || ch.FinishReason != llm.FinishStop || len(ch.Message.ToolCalls) != 0 {
		t.Errorf("choice = %+v", ch)
	}
	if resp.Usage != (llm.Usage{InputTokens: 1197, OutputTokens: 173}) {
		t.Errorf("usage = %+v", resp.Usage)
	}
}

// The recorded stream decodes to the role, the text deltas in order, the
// finish reason (messageStop) and then the usage (metadata, last).
func TestFixtureStreamText(t *testing.T) {
	tr := fixtures.Load(t, "bedrock", "converseStream-text")
	chunks, d, err := decodeStream(tr.Response.RawBody(), "")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Done() {
		t.Error("decoder not done after the metadata")
	}
	var text strings.Builder
	for _, f := range recordedFrames(t, tr) {
		var p struct {
			Delta struct {
				Text string `json:"text"`
			} `json:"delta"`
		}
		_ = json.Unmarshal(f.Payload, &p)
		text.WriteString(p.Delta.Text)
	}
	if chunks[0].Role != llm.RoleAssistant {
		t.Errorf("first chunk = %+v", chunks[0])
	}
	last := chunks[len(chunks)-1]
	if last.Usage == nil || *last.Usage != (llm.Usage{InputTokens: 13, OutputTokens: 82}) {
		t.Errorf("last chunk = %+v", last)
	}
	if stop := chunks[len(chunks)-2]; stop.FinishReason != llm.FinishStop || stop.RawFinishReason != "end_turn" {
		t.Errorf("finish chunk = %+v", stop)
	}
	resp := collect(chunks)
	if got := resp.Choices[0].Message.Text(); got != text.String() || !strings.HasPrefix(got, "The capital of France is Paris.") {
		t.Errorf("text = %q", got)
	}
	for _, c := range chunks {
		if c.ID != "req-1" || c.Model != "model-x" {
			t.Fatalf("chunk not stamped: %+v", c)
		}
	}
}

// Bedrock's error bodies hold only a message; the recorder dropped the
// x-amzn-ErrorType header. An unknown model id is what other providers
// answer with 404: it is classified NotFound with or without the header.
func TestFixtureInvalidModelError(t *testing.T) {
	tr := fixtures.Load(t, "bedrock", "error-400-invalid-model")
	for _, h := range []http.Header{nil, {"X-Amzn-Errortype": {"ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"}}} {
		e := wire.ClassifyError("bedrock", tr.Response.Status, h, tr.Response.Body)
		if e.Kind != llm.KindNotFound || e.Status != 400 || e.Code != "model_not_found" || e.Message != "The provided model identifier is invalid." || e.Provider != "bedrock" {
			t.Errorf("header %v: %+v", h, e)
		}
	}
}
