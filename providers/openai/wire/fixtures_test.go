package wire_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

// TestFixtureChatRequestsRoundTrip decodes every recorded chat request as a
// client would send it to the shim, converts it to canonical and back to the
// upstream body, and checks the result says the same thing as the recording.
func TestFixtureChatRequestsRoundTrip(t *testing.T) {
	checked := 0
	for _, name := range fixtures.List(t, "openai") {
		tr := fixtures.Load(t, "openai", name)
		if tr.API != "chat.completions" || !tr.Request.HasBody() {
			continue
		}
		t.Run(name, func(t *testing.T) {
			cr, extra, err := wire.DecodeChatRequest(tr.Request.Body)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			canon, err := wire.ToCanonicalRequest(cr, extra)
			if name == "error-400-unsupported-parameter" {
				// The recorded request is invalid on purpose (null user content,
				// temperature -0.5); the gateway rejects it before any upstream.
				e := asLLMError(t, err)
				if e.Kind != llm.KindInvalidRequest || e.Param != "messages[0].content" {
					t.Fatalf("got %v (param %q), want InvalidRequest on messages[0].content", e, e.Param)
				}
				return
			}
			if err != nil {
				t.Fatalf("to canonical: %v", err)
			}
			opts := wire.RequestOptions{Stream: cr.Stream, OmitStreamUsage: cr.StreamOptions == nil}
			if cr.MaxTokens != nil {
				opts.MaxTokensField = "max_tokens"
			}
			back, err := wire.FromCanonicalRequest(canon, opts)
			if err != nil {
				t.Fatalf("from canonical: %v", err)
			}
			got, err := json.Marshal(back)
			if err != nil {
				t.Fatal(err)
			}
			want := normalizeRecordedRequest(t, tr.Request.Body)
			if !jsonEqual(t, got, want) {
				t.Fatalf("round trip differs\n got: %s\nwant: %s", got, want)
			}
			checked++
		})
	}
	if checked == 0 {
		t.Fatal("no chat request transcript was checked")
	}
}

// normalizeRecordedRequest drops what the canonical model deliberately does
// not keep: a tool description that is the empty string means the same as no
// description.
func normalizeRecordedRequest(t *testing.T, body []byte) []byte {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	tools, _ := m["tools"].([]any)
	for _, tool := range tools {
		fn := tool.(map[string]any)["function"].(map[string]any)
		if fn["description"] == "" {
			delete(fn, "description")
		}
	}
	b, _ := json.Marshal(m)
	return b
}

type usageWant struct{ in, cached, out, reasoning int64 }

func checkUsage(t *testing.T, got llm.Usage, w usageWant) {
	t.Helper()
	want := llm.Usage{InputTokens: w.in, CachedInputTokens: w.cached, OutputTokens: w.out, ReasoningTokens: w.reasoning}
	if got != want {
		t.Errorf("usage = %+v, want %+v", got, want)
	}
}

func TestFixtureUnaryResponses(t *testing.T) {
	type want struct {
		id, model, fingerprint string
		textPrefix             string
		calls                  []llm.ToolCall
		finish                 llm.FinishReason
		raw                    string
		usage                  usageWant
	}
	cases := map[string]want{
		"chat-basic": {
			id: "chatcmpl-C4Gm9xikLXbgE8He0BHWeoM03aa72", model: "gpt-5-nano-2025-08-07",
			textPrefix: "Hi there! How can I help you today?",
			finish:     llm.FinishStop, raw: "stop",
			// a reasoning model: 320 of the 377 completion tokens are reasoning
			usage: usageWant{in: 8, out: 377, reasoning: 320},
		},
		"chat-cached-tokens": {
			id: "chatcmpl-D7mVhCCkdWfellaSmcNLOuu87BsqI", model: "gpt-4.1-2025-04-14", fingerprint: "fp_8b22347a3e",
			textPrefix: "Hello!",
			finish:     llm.FinishStop, raw: "stop",
			// prompt_tokens includes the cached ones: no adjustment
			usage: usageWant{in: 1144, cached: 1024, out: 2},
		},
		"chat-tool-call": {
			id: "chatcmpl-C4GmWI2Sl7HnrQsKorSAZkJy94dpT", model: "gpt-5-nano-2025-08-07",
			calls: []llm.ToolCall{{
				ID: "call_8fxy20OEu9ulvvaa5b5CzVA4", Name: "get_current_weather",
				Arguments: `{"location":"Boston, MA","unit":"fahrenheit"}`,
			}},
			finish: llm.FinishToolCalls, raw: "tool_calls",
			usage: usageWant{in: 162, out: 287, reasoning: 256},
		},
	}
	seen := 0
	for _, name := range fixtures.List(t, "openai") {
		tr := fixtures.Load(t, "openai", name)
		if tr.API != "chat.completions" || tr.Response.Status != 200 || tr.Response.IsSSE() {
			continue
		}
		t.Run(name, func(t *testing.T) {
			w, ok := cases[name]
			if !ok {
				t.Fatalf("new unary transcript %s: add its expectations to this test", name)
			}
			seen++
			var cr wire.ChatResponse
			if err := json.Unmarshal(tr.Response.Body, &cr); err != nil {
				t.Fatal(err)
			}
			r, err := wire.ToCanonicalResponse(&cr)
			if err != nil {
				t.Fatal(err)
			}
			if r.ID != w.id || r.Model != w.model || r.SystemFingerprint != w.fingerprint {
				t.Errorf("id/model/fingerprint = %q %q %q", r.ID, r.Model, r.SystemFingerprint)
			}
			if len(r.Choices) != 1 {
				t.Fatalf("choices = %d", len(r.Choices))
			}
			ch := r.Choices[0]
			if ch.Message.Role != llm.RoleAssistant {
				t.Errorf("role = %q", ch.Message.Role)
			}
			if text := ch.Message.Text(); !strings.HasPrefix(text, w.textPrefix) || (w.textPrefix == "" && text != "") {
				t.Errorf("text = %q, want prefix %q", text, w.textPrefix)
			}
			if w.textPrefix == "" && len(ch.Message.Parts) != 0 {
				t.Errorf("content null must give no parts, got %+v", ch.Message.Parts)
			}
			if fmt.Sprint(ch.Message.ToolCalls) != fmt.Sprint(w.calls) {
				t.Errorf("tool calls = %+v, want %+v", ch.Message.ToolCalls, w.calls)
			}
			if ch.FinishReason != w.finish || ch.RawFinishReason != w.raw {
				t.Errorf("finish = %q raw %q", ch.FinishReason, ch.RawFinishReason)
			}
			checkUsage(t, r.Usage, w.usage)

			// Writing it back (the shim's direction) and reading it again is lossless.
			again, err := wire.ToCanonicalResponse(roundTripJSON(t, wire.FromCanonicalResponse(r)))
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%+v", again) != fmt.Sprintf("%+v", r) {
				t.Errorf("re-encoded response differs:\n got %+v\nwant %+v", again, r)
			}
		})
	}
	if seen != len(cases) {
		t.Errorf("checked %d unary transcripts, expected %d", seen, len(cases))
	}
}

func roundTripJSON(t *testing.T, r *wire.ChatResponse) *wire.ChatResponse {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var out wire.ChatResponse
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func TestFixtureStreamBasic(t *testing.T) {
	tr := fixtures.Load(t, "openai", "chat-stream-basic")
	events := sseData(t, tr.Response.BodyText())
	if events[len(events)-1] != "[DONE]" {
		t.Fatalf("last event = %q", events[len(events)-1])
	}
	r, usageChunks := accumulate(t, events)
	const want = "Hi there! How can I help today? I can answer questions, explain concepts, help with writing or brainstorming, code, plan something, and more. Tell me what you’d like to work on or a topic you’re curious about."
	if len(r.Choices) != 1 || r.Choices[0].Message.Text() != want {
		t.Fatalf("text = %q", r.Choices[0].Message.Text())
	}
	if c := r.Choices[0]; c.FinishReason != llm.FinishStop || c.RawFinishReason != "stop" {
		t.Errorf("finish = %q / %q", c.FinishReason, c.RawFinishReason)
	}
	if usageChunks != 0 || !r.Usage.IsZero() {
		t.Errorf("no include_usage was asked: usage chunks %d, usage %+v", usageChunks, r.Usage)
	}
	if r.ID != "chatcmpl-C4HqHBe4xca0k0EzsCnf1t6V3YFXp" || r.Model != "gpt-5-nano-2025-08-07" || r.Created != 1755137933 {
		t.Errorf("id/model/created = %q %q %d", r.ID, r.Model, r.Created)
	}
}

func TestFixtureStreamToolCallIncludeUsage(t *testing.T) {
	tr := fixtures.Load(t, "openai", "chat-stream-tool-call-include-usage")
	events := sseData(t, tr.Response.BodyText())

	// The first tool-call delta carries id and name; later ones only fragments.
	var first wire.ChatChunk
	if err := json.Unmarshal([]byte(events[0]), &first); err != nil {
		t.Fatal(err)
	}
	cs := wire.ToCanonicalChunks(&first, nil)
	if len(cs) != 1 || len(cs[0].ToolCalls) != 1 {
		t.Fatalf("first chunk = %+v", cs)
	}
	if d := cs[0].ToolCalls[0]; d.Index != 0 || d.ID != "call_ZR5UUuTt3pf61kjwAJIYdVMj" || d.Name != "get_capital" || d.ArgumentsDelta != "" {
		t.Errorf("first delta = %+v", d)
	}
	if cs[0].Role != llm.RoleAssistant || cs[0].Text != "" {
		t.Errorf("first chunk role/text = %q %q", cs[0].Role, cs[0].Text)
	}

	r, usageChunks := accumulate(t, events)
	if usageChunks != 1 {
		t.Errorf("usage chunks = %d, want exactly the final one", usageChunks)
	}
	ch := r.Choices[0]
	want := []llm.ToolCall{{ID: "call_ZR5UUuTt3pf61kjwAJIYdVMj", Name: "get_capital", Arguments: `{"country":"UK"}`}}
	if fmt.Sprint(ch.Message.ToolCalls) != fmt.Sprint(want) {
		t.Errorf("tool calls = %+v", ch.Message.ToolCalls)
	}
	if ch.FinishReason != llm.FinishToolCalls || ch.RawFinishReason != "tool_calls" {
		t.Errorf("finish = %q / %q", ch.FinishReason, ch.RawFinishReason)
	}
	if len(ch.Message.Parts) != 0 {
		t.Errorf("content null must give no text, got %+v", ch.Message.Parts)
	}
	checkUsage(t, r.Usage, usageWant{in: 53, out: 15})
	if r.SystemFingerprint != "fp_d0469e1700" {
		t.Errorf("fingerprint = %q", r.SystemFingerprint)
	}
}

func TestFixtureEmbeddings(t *testing.T) {
	tr := fixtures.Load(t, "openai", "embeddings-float")

	req, err := wire.DecodeEmbeddingRequest(tr.Request.Body)
	if err != nil {
		t.Fatal(err)
	}
	canon, err := wire.ToCanonicalEmbedRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	if canon.Model != "text-embedding-3-small" || len(canon.Inputs) != 1 || canon.Inputs[0] != "How do I reset my password?" {
		t.Fatalf("canonical request = %+v", canon)
	}
	back, err := wire.FromCanonicalEmbedRequest(canon, wire.EncodingFloat)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(back); !jsonEqual(t, b, tr.Request.Body) {
		t.Errorf("request round trip: %s", b)
	}

	var wr wire.EmbeddingResponse
	if err := json.Unmarshal(tr.Response.Body, &wr); err != nil {
		t.Fatal(err)
	}
	resp, err := wire.ToCanonicalEmbedResponse(&wr)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Embeddings) != 1 || len(resp.Embeddings[0]) != 1536 {
		t.Fatalf("embeddings shape = %d x %d", len(resp.Embeddings), len(resp.Embeddings[0]))
	}
	var raw struct {
		Data []struct{ Embedding []float64 } `json:"data"`
	}
	if err := json.Unmarshal(tr.Response.Body, &raw); err != nil {
		t.Fatal(err)
	}
	for i, f := range raw.Data[0].Embedding {
		if resp.Embeddings[0][i] != float32(f) {
			t.Fatalf("component %d = %v, want %v", i, resp.Embeddings[0][i], float32(f))
		}
	}
	if resp.Usage.InputTokens != 7 || resp.Model != "text-embedding-3-small" {
		t.Errorf("usage/model = %+v %q", resp.Usage, resp.Model)
	}

	// Both encodings written by the shim decode to the same vectors.
	for _, enc := range []string{wire.EncodingFloat, wire.EncodingBase64} {
		b, err := json.Marshal(wire.FromCanonicalEmbedResponse(resp, enc))
		if err != nil {
			t.Fatal(err)
		}
		var again wire.EmbeddingResponse
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatal(err)
		}
		got, err := wire.ToCanonicalEmbedResponse(&again)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got.Embeddings) != fmt.Sprint(resp.Embeddings) || got.Usage != resp.Usage {
			t.Errorf("%s round trip changed the vectors or usage", enc)
		}
		if enc == wire.EncodingBase64 && !bytes.HasPrefix(again.Data[0].Embedding, []byte(`"`)) {
			t.Errorf("base64 encoding wrote %s...", again.Data[0].Embedding[:10])
		}
	}
}

func TestFixtureModels(t *testing.T) {
	tr := fixtures.Load(t, "openai", "models-list")
	var ml wire.ModelList
	if err := json.Unmarshal(tr.Response.Body, &ml); err != nil {
		t.Fatal(err)
	}
	models := wire.ToCanonicalModels(&ml)
	want := []llm.ModelInfo{
		{ID: "model-id-0", OwnedBy: "organization-owner", Created: 1686935002},
		{ID: "model-id-1", OwnedBy: "organization-owner", Created: 1686935002},
		{ID: "model-id-2", OwnedBy: "openai", Created: 1686935002},
	}
	if fmt.Sprint(models) != fmt.Sprint(want) {
		t.Fatalf("models = %+v", models)
	}
	b, _ := json.Marshal(wire.FromCanonicalModels(models))
	var back wire.ModelList
	_ = json.Unmarshal(b, &back)
	if back.Object != "list" || back.Data[0].Object != "model" || fmt.Sprint(wire.ToCanonicalModels(&back)) != fmt.Sprint(want) {
		t.Errorf("model list round trip: %s", b)
	}
}

func TestFixtureErrors(t *testing.T) {
	type want struct {
		kind    llm.Kind
		code    string
		param   string
		message string // a substring of the safe message
	}
	cases := map[string]want{
		"error-400-context-length-exceeded": {llm.KindContextTooLong, "context_length_exceeded", "messages", "maximum context length is 4097 tokens"},
		"error-400-unsupported-parameter":   {llm.KindInvalidRequest, "unsupported_parameter", "max_tokens", "Use 'max_completion_tokens' instead"},
		"error-401-invalid-api-key":         {llm.KindUnauthenticated, "invalid_api_key", "", "the provider rejected the gateway's credentials for openai"},
		"error-404-model-not-found":         {llm.KindNotFound, "model_not_found", "", "`gpt-4.1-nano-wrong` does not exist"},
	}
	seen := 0
	for _, name := range fixtures.List(t, "openai") {
		tr := fixtures.Load(t, "openai", name)
		if tr.Response.Status < 400 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			w, ok := cases[name]
			if !ok {
				t.Fatalf("new error transcript %s: add its expectations to this test", name)
			}
			seen++
			h := http.Header{}
			for k, v := range tr.Response.Headers {
				h.Set(k, v)
			}
			e := wire.ClassifyError("openai", tr.Response.Status, h, tr.Response.RawBody())
			if e.Kind != w.kind || e.Code != w.code || e.Param != w.param || e.Status != tr.Response.Status || e.Provider != "openai" {
				t.Errorf("got kind %v code %q param %q status %d provider %q", e.Kind, e.Code, e.Param, e.Status, e.Provider)
			}
			if !strings.Contains(e.Message, w.message) {
				t.Errorf("message %q does not contain %q", e.Message, w.message)
			}
			if e.RetryAfter != 0 {
				t.Errorf("RetryAfter = %v for a non-retryable error", e.RetryAfter)
			}
			// The 401 body echoes a masked key: no part of it may surface.
			for _, text := range []string{e.Error(), e.Message, fmt.Sprint(e.Err)} {
				if strings.Contains(text, "XXXXX") || strings.Contains(text, "***************") {
					t.Errorf("key material leaked: %q", text)
				}
			}
		})
	}
	if seen != len(cases) {
		t.Errorf("checked %d error transcripts, expected %d", seen, len(cases))
	}
}
