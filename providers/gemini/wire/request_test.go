package wire_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

func encode(t *testing.T, r *llm.Request, opts wire.RequestOptions) map[string]any {
	t.Helper()
	w, err := wire.FromCanonicalRequest(r, opts)
	if err != nil {
		t.Fatalf("from canonical: %v", err)
	}
	b, err := wire.Marshal(w, r.ProviderOptions, opts)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return decodeMap(t, b)
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFunctionResponseFollowupFromCanonical builds the next turn after the
// recorded function call the way a gateway client does (OpenAI style: the
// tool result names its call only by id) and checks the Gemini shape:
// the model turn replays the call with its signature and without the
// gateway's id; the result is a user-role functionResponse named after it.
func TestFunctionResponseFollowupFromCanonical(t *testing.T) {
	tr := fixtures.Load(t, "gemini", "generateContent-function-call-cached-content")
	resp, err := decodeUnary(t, tr)
	if err != nil {
		t.Fatal(err)
	}
	assistant := resp.Choices[0].Message
	call := assistant.ToolCalls[0]
	req := &llm.Request{Model: "gemini-2.5-flash", Messages: []llm.Message{
		textMessage(llm.RoleSystem, "You are Research Analyst."),
		textMessage(llm.RoleUser, "Research the AI agent market."),
		assistant,
		{Role: llm.RoleTool, ToolCallID: call.ID, Parts: []llm.Part{llm.TextPart("Report saved.")}},
	}}
	body := encode(t, req, wire.RequestOptions{})
	contents := body["contents"].([]any)
	if len(contents) != 3 {
		t.Fatalf("contents = %s", asJSON(t, contents))
	}
	model := contents[1].(map[string]any)
	wantModel := map[string]any{"role": "model", "parts": []any{map[string]any{
		"functionCall":     map[string]any{"name": "generate_report", "args": decodeMap(t, []byte(call.Arguments))},
		"thoughtSignature": call.Signature,
	}}}
	if !reflect.DeepEqual(model, wantModel) {
		t.Errorf("model turn = %s", asJSON(t, model))
	}
	result := contents[2].(map[string]any)
	wantResult := map[string]any{"role": "user", "parts": []any{map[string]any{
		"functionResponse": map[string]any{"name": "generate_report", "response": map[string]any{"result": "Report saved."}},
	}}}
	if !reflect.DeepEqual(result, wantResult) {
		t.Errorf("result turn = %s", asJSON(t, result))
	}
	if si := asJSON(t, body["systemInstruction"]); si != `{"parts":[{"text":"You are Research Analyst."}]}` {
		t.Errorf("systemInstruction = %s", si)
	}
}

func TestParallelToolResultsShareOneTurn(t *testing.T) {
	req := &llm.Request{Model: "m", Messages: []llm.Message{
		textMessage(llm.RoleUser, "weather and time in Paris"),
		{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{
			{ID: "call_a", Name: "get_weather", Arguments: `{"city":"Paris"}`, Signature: "sig-a"},
			{ID: "gcall_0123456789ABCDEFGHIJKL", Name: "get_time", Arguments: `{"tz":"CET"}`},
		}},
		{Role: llm.RoleTool, ToolCallID: "gcall_0123456789ABCDEFGHIJKL", Parts: []llm.Part{llm.TextPart(`{"time":"12:00"}`)}},
		{Role: llm.RoleTool, ToolCallID: "call_a", Parts: []llm.Part{llm.TextPart(`[1,2]`)}},
		textMessage(llm.RoleUser, "thanks"),
	}}
	body := encode(t, req, wire.RequestOptions{})
	got := asJSON(t, body["contents"])
	want := compact(t, `[
	  {"role":"user","parts":[{"text":"weather and time in Paris"}]},
	  {"role":"model","parts":[
	    {"functionCall":{"id":"call_a","name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"sig-a"},
	    {"functionCall":{"name":"get_time","args":{"tz":"CET"}}}]},
	  {"role":"user","parts":[
	    {"functionResponse":{"name":"get_time","response":{"time":"12:00"}}},
	    {"functionResponse":{"id":"call_a","name":"get_weather","response":{"result":[1,2]}}}]},
	  {"role":"user","parts":[{"text":"thanks"}]}]`)
	if !jsonEqual(t, []byte(got), []byte(want)) {
		t.Fatalf("contents\n got: %s\nwant: %s", got, want)
	}
}

func TestToolResultForUnknownCallIsRefused(t *testing.T) {
	req := &llm.Request{Model: "m", Messages: []llm.Message{
		textMessage(llm.RoleUser, "hi"),
		{Role: llm.RoleTool, ToolCallID: "call_missing", Parts: []llm.Part{llm.TextPart("x")}},
	}}
	_, err := wire.FromCanonicalRequest(req, wire.RequestOptions{})
	if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || e.Param != "messages[1].tool_call_id" {
		t.Fatalf("got %+v", e)
	}
}

func TestToolResultWrapping(t *testing.T) {
	cases := map[string]string{
		`{"a":1}`:       `{"a":1}`,
		`"quoted"`:      `{"result":"quoted"}`,
		`42`:            `{"result":42}`,
		`plain text`:    `{"result":"plain text"}`,
		``:              `{"result":""}`,
		`{"broken":`:    `{"result":"{\"broken\":"}`,
		`[{"x":true}]`:  `{"result":[{"x":true}]}`,
		" {\"b\": 2}\n": `{"b":2}`,
	}
	for text, want := range cases {
		req := &llm.Request{Model: "m", Messages: []llm.Message{
			textMessage(llm.RoleUser, "hi"),
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "c1", Name: "f", Arguments: "{}"}}},
			{Role: llm.RoleTool, ToolCallID: "c1", Parts: []llm.Part{llm.TextPart(text)}},
		}}
		body := encode(t, req, wire.RequestOptions{})
		fr := body["contents"].([]any)[2].(map[string]any)["parts"].([]any)[0].(map[string]any)["functionResponse"].(map[string]any)
		if got := asJSON(t, fr["response"]); !jsonEqual(t, []byte(got), []byte(want)) {
			t.Errorf("%q -> %s, want %s", text, got, want)
		}
		// And back: the wrapping is undone (a JSON string loses its quotes).
		w, _ := wire.FromCanonicalRequest(req, wire.RequestOptions{})
		back, err := wire.ToCanonicalRequest("m", w)
		if err != nil {
			t.Fatal(err)
		}
		wantText := strings.TrimSpace(text)
		if text == `"quoted"` {
			wantText = "quoted"
		}
		if got := back.Messages[2].Text(); compactOr(got) != compactOr(wantText) {
			t.Errorf("%q read back as %q", text, got)
		}
	}
}

func compactOr(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestSignaturesAndReasoningRoundTrip(t *testing.T) {
	assistant := llm.Message{
		Role:      llm.RoleAssistant,
		Reasoning: []llm.Reasoning{{Text: "**Planning**", Signature: "sig-thought"}, {Redacted: "anthropic-only"}},
		Parts:     []llm.Part{{Type: llm.PartText, Text: "Let me check.", Signature: "sig-text"}},
		ToolCalls: []llm.ToolCall{{ID: wire.CallID("lookup", []byte(`{"q":"x"}`), 0, 0), Name: "lookup", Arguments: `{"q":"x"}`, Signature: "sig-call"}},
	}
	req := &llm.Request{Model: "m", Messages: []llm.Message{textMessage(llm.RoleUser, "go"), assistant}}
	body := encode(t, req, wire.RequestOptions{})
	got := asJSON(t, body["contents"].([]any)[1])
	want := compact(t, `{"role":"model","parts":[
	  {"text":"**Planning**","thought":true,"thoughtSignature":"sig-thought"},
	  {"text":"Let me check.","thoughtSignature":"sig-text"},
	  {"functionCall":{"name":"lookup","args":{"q":"x"}},"thoughtSignature":"sig-call"}]}`)
	if !jsonEqual(t, []byte(got), []byte(want)) {
		t.Fatalf("model turn\n got: %s\nwant: %s", got, want)
	}
	w, _ := wire.FromCanonicalRequest(req, wire.RequestOptions{})
	back, err := wire.ToCanonicalRequest("m", w)
	if err != nil {
		t.Fatal(err)
	}
	wantBack := assistant
	wantBack.Reasoning = wantBack.Reasoning[:1]
	if !reflect.DeepEqual(back.Messages[1], wantBack) {
		t.Errorf("read back %+v\nwant      %+v", back.Messages[1], wantBack)
	}
}

func TestImagesFromCanonical(t *testing.T) {
	req := &llm.Request{Model: "m", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{
		llm.TextPart("what is this?"),
		{Type: llm.PartImage, Image: &llm.Image{MediaType: "image/png", Data: []byte{0x89, 'P', 'N', 'G'}}},
		{Type: llm.PartImage, Image: &llm.Image{URL: "data:image/webp;base64,UklGRg=="}},
		{Type: llm.PartImage, Image: &llm.Image{URL: "https://example.com/cat.png?size=2"}},
		{Type: llm.PartImage, Image: &llm.Image{URL: "https://example.com/photo"}},
	}}}}
	body := encode(t, req, wire.RequestOptions{})
	got := asJSON(t, body["contents"].([]any)[0].(map[string]any)["parts"])
	want := compact(t, `[{"text":"what is this?"},
	  {"inlineData":{"mimeType":"image/png","data":"iVBORw=="}},
	  {"inlineData":{"mimeType":"image/webp","data":"UklGRg=="}},
	  {"fileData":{"mimeType":"image/png","fileUri":"https://example.com/cat.png?size=2"}},
	  {"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/photo"}}]`)
	if !jsonEqual(t, []byte(got), []byte(want)) {
		t.Fatalf("parts\n got: %s\nwant: %s", got, want)
	}
	w, _ := wire.FromCanonicalRequest(req, wire.RequestOptions{})
	back, err := wire.ToCanonicalRequest("m", w)
	if err != nil {
		t.Fatal(err)
	}
	img := back.Messages[0].Parts[1].Image
	if img.MediaType != "image/png" || string(img.Data) != "\x89PNG" {
		t.Errorf("inline image read back as %+v", img)
	}
	if u := back.Messages[0].Parts[3].Image; u.URL != "https://example.com/cat.png?size=2" || u.MediaType != "image/png" {
		t.Errorf("file image read back as %+v", u)
	}
}

func TestToolsChoiceAndGenerationConfig(t *testing.T) {
	temp, topP, seed, maxTok := 0.3, 0.9, int64(7), int64(100)
	req := &llm.Request{
		Model:    "m",
		Messages: []llm.Message{textMessage(llm.RoleUser, "hi")},
		Tools: []llm.Tool{
			{Name: "get_weather", Description: "Weather.", Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}`), Strict: true},
			{Name: "ping"},
		},
		ToolChoice:     &llm.ToolChoice{Mode: llm.ToolChoiceFunction, Name: "get_weather"},
		Temperature:    &temp,
		TopP:           &topP,
		Seed:           &seed,
		MaxTokens:      &maxTok,
		Stop:           []string{"END"},
		N:              2,
		ResponseFormat: &llm.ResponseFormat{Type: llm.ResponseFormatJSONSchema, Name: "x", Schema: json.RawMessage(`{"type":"object"}`)},
		Reasoning:      &llm.ReasoningConfig{Effort: "low"},
	}
	body := encode(t, req, wire.RequestOptions{})
	want := compact(t, `{
	  "contents":[{"role":"user","parts":[{"text":"hi"}]}],
	  "tools":[{"functionDeclarations":[
	    {"name":"get_weather","description":"Weather.","parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}},
	    {"name":"ping"}]}],
	  "toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}},
	  "generationConfig":{"stopSequences":["END"],"responseMimeType":"application/json","responseJsonSchema":{"type":"object"},
	    "candidateCount":2,"maxOutputTokens":100,"temperature":0.3,"topP":0.9,"seed":7,
	    "thinkingConfig":{"includeThoughts":true,"thinkingBudget":1024}}}`)
	if got := asJSON(t, body); !jsonEqual(t, []byte(got), []byte(want)) {
		t.Fatalf("body\n got: %s\nwant: %s", got, want)
	}
	modes := map[llm.ToolChoiceMode]string{llm.ToolChoiceAuto: "AUTO", llm.ToolChoiceNone: "NONE", llm.ToolChoiceRequired: "ANY"}
	for mode, wantMode := range modes {
		req.ToolChoice = &llm.ToolChoice{Mode: mode}
		body := encode(t, req, wire.RequestOptions{})
		if got := asJSON(t, body["toolConfig"]); got != `{"functionCallingConfig":{"mode":"`+wantMode+`"}}` {
			t.Errorf("%s -> %s", mode, got)
		}
	}
}

func TestReasoningMapping(t *testing.T) {
	cases := []struct {
		cfg  llm.ReasoningConfig
		want string
	}{
		{llm.ReasoningConfig{BudgetTokens: 2000}, `{"includeThoughts":true,"thinkingBudget":2000}`},
		{llm.ReasoningConfig{Effort: "none"}, `{"thinkingBudget":0}`},
		{llm.ReasoningConfig{Effort: "minimal"}, `{"includeThoughts":true,"thinkingBudget":128}`},
		{llm.ReasoningConfig{Effort: "medium"}, `{"includeThoughts":true,"thinkingBudget":8192}`},
		{llm.ReasoningConfig{Effort: "high"}, `{"includeThoughts":true,"thinkingBudget":24576}`},
	}
	for _, c := range cases {
		cfg := c.cfg
		req := &llm.Request{Model: "m", Messages: []llm.Message{textMessage(llm.RoleUser, "hi")}, Reasoning: &cfg}
		body := encode(t, req, wire.RequestOptions{})
		if got := asJSON(t, body["generationConfig"].(map[string]any)["thinkingConfig"]); got != c.want {
			t.Errorf("%+v -> %s, want %s", c.cfg, got, c.want)
		}
	}
	req := &llm.Request{Model: "m", Messages: []llm.Message{textMessage(llm.RoleUser, "hi")}, Reasoning: &llm.ReasoningConfig{Effort: "extreme"}}
	if _, err := wire.FromCanonicalRequest(req, wire.RequestOptions{}); asLLMError(t, err).Kind != llm.KindInvalidRequest {
		t.Error("an unknown effort must be refused")
	}
}

func TestProviderOptionsMerge(t *testing.T) {
	temp := 0.5
	req := &llm.Request{
		Model: "m", Messages: []llm.Message{textMessage(llm.RoleUser, "hi")}, Temperature: &temp,
		Tools: []llm.Tool{{Name: "f"}},
		ProviderOptions: map[string]json.RawMessage{
			"gemini": json.RawMessage(`{"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}],
			  "generationConfig":{"topK":40},"tools":[{"googleSearch":{}}],"cachedContent":"cachedContents/abc"}`),
			"vertex-eu": json.RawMessage(`{"generationConfig":{"temperature":0.1}}`),
			"openai":    json.RawMessage(`{"store":true}`),
		},
	}
	body := encode(t, req, wire.RequestOptions{Provider: "vertex-eu"})
	want := compact(t, `{
	  "contents":[{"role":"user","parts":[{"text":"hi"}]}],
	  "tools":[{"functionDeclarations":[{"name":"f"}]},{"googleSearch":{}}],
	  "generationConfig":{"temperature":0.1,"topK":40},
	  "safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}],
	  "cachedContent":"cachedContents/abc"}`)
	if got := asJSON(t, body); !jsonEqual(t, []byte(got), []byte(want)) {
		t.Fatalf("body\n got: %s\nwant: %s", got, want)
	}
	req.ProviderOptions = map[string]json.RawMessage{"gemini": json.RawMessage(`[1]`)}
	w, _ := wire.FromCanonicalRequest(req, wire.RequestOptions{})
	if _, err := wire.Marshal(w, req.ProviderOptions, wire.RequestOptions{}); asLLMError(t, err).Param != "provider_options.gemini" {
		t.Errorf("a non-object option must be refused, got %v", err)
	}
}

func TestEmptyTurnsGetAnEmptyTextPart(t *testing.T) {
	req := &llm.Request{Model: "m", Messages: []llm.Message{
		{Role: llm.RoleUser},
		{Role: llm.RoleAssistant},
	}}
	body := encode(t, req, wire.RequestOptions{})
	if got := asJSON(t, body["contents"]); !jsonEqual(t, []byte(got), []byte(`[{"role":"user","parts":[{"text":""}]},{"role":"model","parts":[{"text":""}]}]`)) {
		t.Errorf("contents = %s", got)
	}
}

func TestInvalidCanonicalRequests(t *testing.T) {
	cases := map[string]struct {
		req   *llm.Request
		param string
	}{
		"args not an object": {&llm.Request{Model: "m", Messages: []llm.Message{
			textMessage(llm.RoleUser, "hi"),
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "c", Name: "f", Arguments: `{"cut`}}},
		}}, "messages[1].tool_calls[0].function.arguments"},
		"image in system": {&llm.Request{Model: "m", Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{{Type: llm.PartImage, Image: &llm.Image{URL: "https://x/y.png"}}}},
		}}, "messages[0].content[0]"},
		"parameters not an object": {&llm.Request{Model: "m", Messages: []llm.Message{textMessage(llm.RoleUser, "hi")},
			Tools: []llm.Tool{{Name: "f", Parameters: json.RawMessage(`[]`)}}}, "tools[0].function.parameters"},
	}
	for name, c := range cases {
		_, err := wire.FromCanonicalRequest(c.req, wire.RequestOptions{})
		if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || e.Param != c.param {
			t.Errorf("%s: got %+v, want param %q", name, e, c.param)
		}
	}
}
