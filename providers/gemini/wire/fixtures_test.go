package wire_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

// fixtureSignature returns the thoughtSignature of the first part of the
// first candidate of a recorded unary answer.
func fixtureSignature(t *testing.T, tr *fixtures.Transcript) string {
	t.Helper()
	var r wire.GenerateContentResponse
	if err := json.Unmarshal(tr.Response.Body, &r); err != nil {
		t.Fatal(err)
	}
	return r.Candidates[0].Content.Parts[0].ThoughtSignature
}

func decodeUnary(t *testing.T, tr *fixtures.Transcript) (*llm.Response, error) {
	t.Helper()
	var r wire.GenerateContentResponse
	if err := json.Unmarshal(tr.Response.Body, &r); err != nil {
		t.Fatal(err)
	}
	return wire.ToCanonicalResponse(&r)
}

func TestFixtureTextAnswerWithSignature(t *testing.T) {
	tr := fixtures.Load(t, "gemini", "generateContent-basic")
	resp, err := decodeUnary(t, tr)
	if err != nil {
		t.Fatal(err)
	}
	sig := fixtureSignature(t, tr)
	if !strings.HasPrefix(sig, "EpAGCo0GAXLI2nw2") {
		t.Fatalf("fixture signature = %.20q", sig)
	}
	want := &llm.Response{
		ID: "kTgtafe4Fabn_uMPzdzJkAM", Model: "gemini-3-pro-preview",
		Choices: []llm.Choice{{
			Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
				{Type: llm.PartText, Text: "Hello! How can I help you today?", Signature: sig},
			}},
			FinishReason: llm.FinishStop, RawFinishReason: "STOP",
		}},
		// Thoughts (204) are outside candidatesTokenCount (9) but are output.
		Usage: llm.Usage{InputTokens: 3, OutputTokens: 213, ReasoningTokens: 204},
	}
	if !reflect.DeepEqual(resp, want) {
		t.Fatalf("got  %+v\nwant %+v", resp, want)
	}
	if resp.Usage.TotalTokens() != 216 {
		t.Errorf("total = %d, want totalTokenCount 216", resp.Usage.TotalTokens())
	}
}

func TestFixtureFunctionCallWithCachedContent(t *testing.T) {
	tr := fixtures.Load(t, "gemini", "generateContent-function-call-cached-content")
	resp, err := decodeUnary(t, tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Choices) != 1 {
		t.Fatalf("choices = %d", len(resp.Choices))
	}
	ch := resp.Choices[0]
	if ch.FinishReason != llm.FinishToolCalls || ch.RawFinishReason != "STOP" {
		t.Errorf("finish = %q (raw %q), want tool_calls (raw STOP)", ch.FinishReason, ch.RawFinishReason)
	}
	if len(ch.Message.ToolCalls) != 1 || len(ch.Message.Parts) != 0 {
		t.Fatalf("message = %+v", ch.Message)
	}
	tc := ch.Message.ToolCalls[0]
	wantArgs := `{"findings":"The AI agent market is currently valued at $50 billion and is experiencing a strong growth rate of 15% year-over-year. Key players in the industry are contributing to this expansion, driven by increasing adoption across various sectors.","title":"Current State of the AI Agent Market"}`
	if tc.Name != "generate_report" || tc.Arguments != wantArgs {
		t.Errorf("call = %s %s", tc.Name, tc.Arguments)
	}
	if tc.ID != wire.CallID("generate_report", []byte(wantArgs), 0, 0) || !wire.IsGeneratedCallID(tc.ID) {
		t.Errorf("id = %q, want the stable generated id", tc.ID)
	}
	if tc.Signature != fixtureSignature(t, tr) || !strings.HasPrefix(tc.Signature, "CuACAXLI2nzhub94") {
		t.Errorf("signature = %.20q, want the functionCall part's thoughtSignature", tc.Signature)
	}
	// cachedContentTokenCount is a subset of promptTokenCount; thoughts are output.
	want := llm.Usage{InputTokens: 557, CachedInputTokens: 330, OutputTokens: 143, ReasoningTokens: 70}
	if resp.Usage != want || resp.Usage.TotalTokens() != 700 {
		t.Errorf("usage = %+v, want %+v (total 700)", resp.Usage, want)
	}
	again, _ := decodeUnary(t, tr)
	if again.Choices[0].Message.ToolCalls[0].ID != tc.ID {
		t.Error("decoding the same answer twice gave different call ids")
	}
}

func TestFixtureFunctionResponseFollowupAnswer(t *testing.T) {
	tr := fixtures.Load(t, "gemini", "generateContent-function-response-followup")
	resp, err := decodeUnary(t, tr)
	if err != nil {
		t.Fatal(err)
	}
	ch := resp.Choices[0]
	if ch.Message.Text() != "The result of 15 * 8 is 120" || ch.FinishReason != llm.FinishStop || len(ch.Message.ToolCalls) != 0 {
		t.Errorf("choice = %+v", ch)
	}
	if resp.Usage != (llm.Usage{InputTokens: 191, OutputTokens: 14}) || resp.ID != "ZFKWaf2BMM6MjMcP6P--kQM" || resp.Model != "gemini-2.5-flash" {
		t.Errorf("response = %+v", resp)
	}
}

func TestFixtureStreamText(t *testing.T) {
	tr := fixtures.Load(t, "gemini", "streamGenerateContent-sse-text")
	body := tr.Response.BodyText()
	if !strings.Contains(body, "}\r\n\r\ndata: ") || strings.Contains(body, "[DONE]") {
		t.Fatal("the fixture is not the CRLF-separated, [DONE]-less stream this test is about")
	}
	chunks, err := decodeSSE(t, body)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	usageChunks := 0
	for _, c := range chunks {
		if c.Text != "" {
			texts = append(texts, c.Text)
		}
		if c.Usage != nil {
			usageChunks++
		}
	}
	if !reflect.DeepEqual(texts, []string{"The", " capital of France", " is Paris.\n"}) {
		t.Errorf("text deltas = %q", texts)
	}
	if usageChunks != 1 || chunks[len(chunks)-1].Usage == nil {
		t.Errorf("usage must come once, at the end: %d usage chunks", usageChunks)
	}
	resp := collect(chunks)
	// promptTokenCount went 15 -> 13: the last chunk's counts are final.
	want := &llm.Response{
		ID: "w1peaMz6INOvnvgPgYfPiQY", Model: "gemini-2.0-flash-exp", Provider: "gemini",
		Choices: []llm.Choice{{
			Message:      llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.TextPart("The capital of France is Paris.\n")}},
			FinishReason: llm.FinishStop, RawFinishReason: "STOP",
		}},
		Usage: llm.Usage{InputTokens: 13, OutputTokens: 8},
	}
	if !reflect.DeepEqual(resp, want) {
		t.Fatalf("got  %+v\nwant %+v", resp, want)
	}
}

func TestFixtureStreamFunctionCall(t *testing.T) {
	tr := fixtures.Load(t, "gemini", "streamGenerateContent-sse-function-call")
	chunks, err := decodeSSE(t, tr.Response.BodyText())
	if err != nil {
		t.Fatal(err)
	}
	wantID := wire.CallID("get_current_temperature", []byte(`{"city":"San Francisco"}`), 0, 0)
	var deltas []llm.ToolCallDelta
	for _, c := range chunks {
		deltas = append(deltas, c.ToolCalls...)
	}
	// The whole call arrives in one delta: id, name and complete arguments.
	if len(deltas) != 1 || deltas[0] != (llm.ToolCallDelta{Index: 0, ID: wantID, Name: "get_current_temperature", ArgumentsDelta: `{"city":"San Francisco"}`}) {
		t.Fatalf("deltas = %+v", deltas)
	}
	resp := collect(chunks)
	ch := resp.Choices[0]
	if ch.FinishReason != llm.FinishToolCalls || ch.RawFinishReason != "STOP" {
		t.Errorf("finish = %q (%q)", ch.FinishReason, ch.RawFinishReason)
	}
	if resp.Usage != (llm.Usage{InputTokens: 36, OutputTokens: 8}) || resp.ID != "h99badGPDrP-x_APraXUmAM" {
		t.Errorf("response = %+v", resp)
	}
	// The same chunk read as a unary answer gives the same call.
	data := strings.TrimSuffix(strings.TrimPrefix(tr.Response.BodyText(), "data: "), "\r\n\r\n")
	var unary wire.GenerateContentResponse
	if err := json.Unmarshal([]byte(data), &unary); err != nil {
		t.Fatal(err)
	}
	u, err := wire.ToCanonicalResponse(&unary)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(u.Choices[0].Message.ToolCalls, ch.Message.ToolCalls) {
		t.Errorf("unary calls %+v != streamed %+v", u.Choices[0].Message.ToolCalls, ch.Message.ToolCalls)
	}
}

func TestFixtureErrors(t *testing.T) {
	cases := []struct {
		name    string
		kind    llm.Kind
		status  int
		code    string
		message string
	}{
		{"error-400-api-key-invalid", llm.KindUnauthenticated, 400, "API_KEY_INVALID", "the provider rejected the gateway's credentials for gemini"},
		{"error-503-overloaded", llm.KindOverloaded, 503, "UNAVAILABLE", "The model is overloaded. Please try again later."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := fixtures.Load(t, "gemini", c.name)
			h := http.Header{}
			for k, v := range tr.Response.Headers {
				h.Set(k, v)
			}
			e := wire.ClassifyError("gemini", tr.Response.Status, h, tr.Response.RawBody())
			if e.Kind != c.kind || e.Status != c.status || e.Code != c.code || e.Message != c.message || e.Provider != "gemini" {
				t.Fatalf("got %+v", e)
			}
			if !e.Kind.Retryable() != (c.kind == llm.KindUnauthenticated) {
				t.Errorf("retryable = %v", e.Kind.Retryable())
			}
		})
	}
}

// TestFixtureRequestsRoundTrip reads every recorded request as the
// simulator does, converts it to canonical and back as the translator does,
// and checks that the body says what the recording said. The only
// differences allowed are documented: the system instruction's role (which
// Gemini ignores) is not sent, an empty generationConfig is left out, and
// the snake_case name parameters_json_schema is written in camelCase.
func TestFixtureRequestsRoundTrip(t *testing.T) {
	checked := 0
	for _, name := range fixtures.List(t, "gemini") {
		tr := fixtures.Load(t, "gemini", name)
		if !tr.Request.HasBody() {
			continue
		}
		t.Run(name, func(t *testing.T) {
			req := roundTrip(t, tr)
			got, err := wire.Marshal(req.wire, req.canon.ProviderOptions, req.opts)
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
	if checked < 5 {
		t.Fatalf("only %d request transcripts were checked", checked)
	}
}

type roundTripped struct {
	canon *llm.Request
	wire  *wire.GenerateContentRequest
	opts  wire.RequestOptions
}

func roundTrip(t *testing.T, tr *fixtures.Transcript) roundTripped {
	t.Helper()
	decoded, err := wire.DecodeRequest(tr.Request.Body)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	model := modelOfPath(tr.Request.Path)
	canon, err := wire.ToCanonicalRequest(model, decoded)
	if err != nil {
		t.Fatalf("to canonical: %v", err)
	}
	if err := canon.Validate(); err != nil {
		t.Fatalf("the canonical request is not valid: %v", err)
	}
	// A recording that declared its tools in the OpenAPI subset is
	// reproduced with that option.
	opts := wire.RequestOptions{Provider: "gemini", OpenAPISchema: strings.Contains(string(tr.Request.Body), `"parameters":`)}
	back, err := wire.FromCanonicalRequest(canon, opts)
	if err != nil {
		t.Fatalf("from canonical: %v", err)
	}
	return roundTripped{canon, back, opts}
}

func modelOfPath(path string) string {
	p := strings.TrimPrefix(path, "/v1beta/models/")
	model, _, _ := strings.Cut(p, ":")
	return model
}

func normalizeRecordedRequest(t *testing.T, body []byte) []byte {
	t.Helper()
	m := decodeMap(t, body)
	if si, ok := m["systemInstruction"].(map[string]any); ok {
		delete(si, "role")
	}
	if gc, ok := m["generationConfig"].(map[string]any); ok && len(gc) == 0 {
		delete(m, "generationConfig")
	}
	tools, _ := m["tools"].([]any)
	for _, tool := range tools {
		decls, _ := tool.(map[string]any)["functionDeclarations"].([]any)
		for _, d := range decls {
			fd := d.(map[string]any)
			if s, ok := fd["parameters_json_schema"]; ok {
				fd["parametersJsonSchema"] = s
				delete(fd, "parameters_json_schema")
			}
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFixtureHistoryToCanonical checks what the canonical model makes of
// a recorded history: each function response answers the call before it by
// id, and every signature is kept.
func TestFixtureHistoryToCanonical(t *testing.T) {
	tr := fixtures.Load(t, "gemini", "generateContent-function-call-cached-content")
	rt := roundTrip(t, tr)
	msgs := rt.canon.Messages
	var roles []llm.Role
	for _, m := range msgs {
		roles = append(roles, m.Role)
	}
	wantRoles := []llm.Role{llm.RoleSystem, llm.RoleUser, llm.RoleAssistant, llm.RoleTool, llm.RoleAssistant, llm.RoleTool, llm.RoleAssistant, llm.RoleTool}
	if !reflect.DeepEqual(roles, wantRoles) {
		t.Fatalf("roles = %v, want %v", roles, wantRoles)
	}
	for i := 2; i < len(msgs); i += 2 {
		call := msgs[i].ToolCalls[0]
		if call.Signature == "" || !wire.IsGeneratedCallID(call.ID) {
			t.Errorf("messages[%d] call = %+v", i, call)
		}
		if msgs[i+1].ToolCallID != call.ID {
			t.Errorf("messages[%d] answers %q, want %q", i+1, msgs[i+1].ToolCallID, call.ID)
		}
		if txt := msgs[i+1].Text(); strings.HasPrefix(txt, "{") || !strings.Contains(txt, "about the topic") {
			t.Errorf("messages[%d] text = %q: the {\"result\": ...} wrapping must be undone", i+1, msgs[i+1].Text())
		}
	}
	if msgs[2].ToolCalls[0].Arguments != `{"query":"AI agent market trends 2023-2024"}` {
		t.Errorf("arguments = %s", msgs[2].ToolCalls[0].Arguments)
	}
	if n := len(rt.canon.Tools); n != 3 || rt.canon.Tools[2].Name != "generate_report" {
		t.Fatalf("tools = %+v", rt.canon.Tools)
	}
	if !jsonEqual(t, rt.canon.Tools[1].Parameters, []byte(`{"properties":{"url":{"title":"Url","type":"string"}},"required":["url"],"type":"object","additionalProperties":false}`)) {
		t.Errorf("parameters = %s", rt.canon.Tools[1].Parameters)
	}
	if !reflect.DeepEqual(rt.canon.Stop, []string{"\nObservation:"}) {
		t.Errorf("stop = %q", rt.canon.Stop)
	}
}
