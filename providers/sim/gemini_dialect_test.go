package sim_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

var weatherDecl = map[string]any{
	"name": "get_weather", "description": "Current weather.",
	"parameters": map[string]any{"type": "OBJECT", "properties": map[string]any{
		"city": map[string]any{"type": "STRING"}, "unit": map[string]any{"type": "STRING", "enum": []any{"C", "F"}},
		"days": map[string]any{"type": "INTEGER", "minimum": 1, "maximum": 7},
	}, "required": []any{"city", "unit"}},
}

var timeDecl = map[string]any{
	"name": "get_time", "parametersJsonSchema": map[string]any{"type": "object", "properties": map[string]any{
		"tz": map[string]any{"type": "string"}}, "required": []any{"tz"}, "additionalProperties": false},
}

func withTools(body map[string]any, decls ...map[string]any) map[string]any {
	list := make([]any, len(decls))
	for i, d := range decls {
		list[i] = d
	}
	body["tools"] = []any{map[string]any{"functionDeclarations": list}}
	return body
}

func functionCalls(resp map[string]any, cand int) []map[string]any {
	var out []map[string]any
	parts, _ := path(resp, "candidates."+itoa(cand)+".content.parts").([]any)
	for _, p := range parts {
		if fc, ok := p.(map[string]any)["functionCall"].(map[string]any); ok {
			out = append(out, fc)
		}
	}
	return out
}

func TestGeminiForcedCallValidAgainstSchema(t *testing.T) {
	g := newGemTarget(t, sim.Options{})
	body := withTools(gemRequest(gemUser("What should I wear?")), weatherDecl, timeDecl)
	body["toolConfig"] = map[string]any{"functionCallingConfig": map[string]any{"mode": "ANY", "allowedFunctionNames": []any{"get_weather"}}}
	resp := g.generate(t, "gemini-2.0-flash", body)
	calls := functionCalls(resp, 0)
	if len(calls) != 1 || calls[0]["name"] != "get_weather" || calls[0]["id"] != nil {
		t.Fatalf("calls = %v", calls)
	}
	if str(path(resp, "candidates.0.finishReason")) != "STOP" || path(resp, "candidates.0.finishMessage") != nil {
		t.Errorf("candidate = %v", path(resp, "candidates.0"))
	}
	args, _ := json.Marshal(calls[0]["args"])
	js, err := wire.ToJSONSchema(gemJSON(t, weatherDecl["parameters"]))
	if err != nil {
		t.Fatal(err)
	}
	validate(t, compileSchema(t, "weather", string(js)), "args", string(args))

	chunks, _ := g.stream(t, "gemini-2.0-flash", body)
	if len(chunks) != 1 {
		t.Fatalf("a call comes whole in one chunk, got %d chunks", len(chunks))
	}
	streamed := functionCalls(chunks[0], 0)
	if len(streamed) != 1 || !gemSame(t, streamed[0], calls[0]) || str(path(chunks[0], "candidates.0.finishReason")) != "STOP" {
		t.Errorf("streamed %v, unary %v", streamed, calls)
	}
}

func gemJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gemSame(t *testing.T, a, b any) bool {
	t.Helper()
	return string(gemJSON(t, a)) == string(gemJSON(t, b))
}

func TestGeminiParallelCallsAndToolResults(t *testing.T) {
	g := newGemTarget(t, sim.Options{})
	body := withTools(gemRequest(gemUser("Use get_time and get_weather for Paris.")), weatherDecl, timeDecl)
	resp := g.generate(t, "gemini-2.5-flash", body)
	calls := functionCalls(resp, 0)
	if len(calls) != 2 || calls[0]["name"] != "get_time" || calls[1]["name"] != "get_weather" {
		t.Fatalf("calls = %v", calls)
	}
	if path(resp, "candidates.0.content.parts.0.thoughtSignature") == nil || path(resp, "candidates.0.content.parts.1.thoughtSignature") != nil {
		t.Errorf("only the first call carries the signature: %v", path(resp, "candidates.0.content.parts"))
	}
	if str(path(resp, "candidates.0.finishMessage")) != "Model generated function call(s)." {
		t.Errorf("finishMessage = %v", path(resp, "candidates.0.finishMessage"))
	}
	// The next turn replays the model's content and answers both calls.
	body["contents"] = append(body["contents"].([]any), path(resp, "candidates.0.content"), map[string]any{"role": "user", "parts": []any{
		map[string]any{"functionResponse": map[string]any{"name": "get_time", "response": map[string]any{"result": "12:00"}}},
		map[string]any{"functionResponse": map[string]any{"name": "get_weather", "response": map[string]any{"temp": 21}}},
	}})
	answer := g.generate(t, "gemini-2.5-flash", body)
	text := candidateText(answer, 0)
	if !strings.HasPrefix(text, `Based on the tool results: get_time returned 12:00; get_weather returned {"temp":21}.`) {
		t.Errorf("answer = %q", text)
	}
}

func TestGeminiSignatureChecks(t *testing.T) {
	g := newGemTarget(t, sim.Options{})
	body := withTools(gemRequest(gemUser("Call get_time.")), timeDecl)
	resp := g.generate(t, "gemini-3-pro-preview", body)
	content := path(resp, "candidates.0.content").(map[string]any)
	sig := str(path(content, "parts.0.thoughtSignature"))
	if sig == "" {
		t.Fatalf("a thinking model signs its call: %v", content)
	}
	next := func(part map[string]any) (int, string) {
		b := withTools(gemRequest(gemUser("Call get_time.")), timeDecl)
		b["contents"] = append(b["contents"].([]any), map[string]any{"role": "model", "parts": []any{part}},
			map[string]any{"role": "user", "parts": []any{map[string]any{"functionResponse": map[string]any{"name": "get_time", "response": map[string]any{"result": "noon"}}}}})
		r, data := g.do(t, http.MethodPost, gemPath("gemini-3-pro-preview", "generateContent"), b, nil)
		return r.StatusCode, string(data)
	}
	call := path(content, "parts.0.functionCall")
	if status, data := next(map[string]any{"functionCall": call, "thoughtSignature": sig}); status != 200 {
		t.Fatalf("the signature sent back unchanged is refused: %d %s", status, data)
	}
	if status, data := next(map[string]any{"functionCall": call, "thoughtSignature": sig[:40] + "AAAA" + sig[44:]}); status != 400 || !strings.Contains(data, "Corrupted thought signature.") {
		t.Errorf("an altered signature: %d %s", status, data)
	}
	if status, data := next(map[string]any{"functionCall": call}); status != 400 || !strings.Contains(data, "missing a thought_signature") {
		t.Errorf("a missing signature on Gemini 3: %d %s", status, data)
	}
	if status, data := next(map[string]any{"functionCall": call, "thoughtSignature": "CiIBVKhc7oDF3yh6real+signature=="}); status != 200 {
		t.Errorf("a signature the simulator did not issue is accepted: %d %s", status, data)
	}
}

func TestGeminiThinkingAndUsage(t *testing.T) {
	g := newGemTarget(t, sim.Options{})
	body := gemRequest(gemUser("Explain caching. [[sim cached=4]]"))
	body["generationConfig"] = map[string]any{"thinkingConfig": map[string]any{"includeThoughts": true, "thinkingBudget": 100}}
	resp := g.generate(t, "sim-chat", body)
	parts := path(resp, "candidates.0.content.parts").([]any)
	if len(parts) != 2 || parts[0].(map[string]any)["thought"] != true || !strings.HasPrefix(str(parts[0].(map[string]any)["text"]), "**") {
		t.Fatalf("parts = %v", parts)
	}
	if parts[1].(map[string]any)["thoughtSignature"] == nil {
		t.Error("the text after thinking carries the signature")
	}
	u := path(resp, "usageMetadata").(map[string]any)
	prompt, cand, thoughts, total := num(t, u["promptTokenCount"]), num(t, u["candidatesTokenCount"]), num(t, u["thoughtsTokenCount"]), num(t, u["totalTokenCount"])
	if thoughts != 100 || total != prompt+cand+thoughts || num(t, u["cachedContentTokenCount"]) != 4 || num(t, path(u, "cacheTokensDetails.0.tokenCount")) != 4 {
		t.Errorf("usage = %v", u)
	}
	// Gemini 2.0 does not think unless asked; 2.5 does unless the budget is 0.
	if u := g.generate(t, "gemini-2.0-flash", gemRequest(gemUser("Hi")))["usageMetadata"].(map[string]any); u["thoughtsTokenCount"] != nil {
		t.Errorf("2.0 thought: %v", u)
	}
	off := gemRequest(gemUser("Hi"))
	off["generationConfig"] = map[string]any{"thinkingConfig": map[string]any{"thinkingBudget": 0}}
	if u := g.generate(t, "gemini-2.5-flash", off)["usageMetadata"].(map[string]any); u["thoughtsTokenCount"] != nil {
		t.Errorf("budget 0 thought: %v", u)
	}
	if u := g.generate(t, "gemini-2.5-flash", gemRequest(gemUser("Hi")))["usageMetadata"].(map[string]any); u["thoughtsTokenCount"] == nil {
		t.Errorf("2.5 did not think: %v", u)
	}
}

func TestGeminiGenerationConfig(t *testing.T) {
	g := newGemTarget(t, sim.Options{})
	schema := map[string]any{"type": "OBJECT", "properties": map[string]any{
		"name": map[string]any{"type": "STRING"}, "age": map[string]any{"type": "INTEGER", "nullable": true}}, "required": []any{"name", "age"}}
	body := gemRequest(gemUser("Describe a person."))
	body["generationConfig"] = map[string]any{"responseMimeType": "application/json", "responseSchema": schema}
	text := candidateText(g.generate(t, "sim-chat", body), 0)
	js, _ := wire.ToJSONSchema(gemJSON(t, schema))
	validate(t, compileSchema(t, "person", string(js)), "answer", text)

	body["generationConfig"] = map[string]any{"maxOutputTokens": 3}
	resp := g.generate(t, "sim-chat", body)
	if str(path(resp, "candidates.0.finishReason")) != "MAX_TOKENS" || num(t, path(resp, "usageMetadata.candidatesTokenCount")) != 3 {
		t.Errorf("max tokens: %v", resp)
	}
	body["generationConfig"] = map[string]any{"stopSequences": []any{"simulated"}}
	if text := candidateText(g.generate(t, "sim-chat", body), 0); text != "This is a " {
		t.Errorf("stop: %q", text)
	}
	body["generationConfig"] = map[string]any{"candidateCount": 2}
	resp = g.generate(t, "sim-chat", body)
	if n := len(resp["candidates"].([]any)); n != 2 || num(t, path(resp, "candidates.1.index")) != 1 {
		t.Fatalf("candidates = %v", resp["candidates"])
	}
	chunks, _ := g.stream(t, "sim-chat", body)
	seen := map[int64]string{}
	for _, c := range chunks {
		i := num(t, path(c, "candidates.0.index"))
		seen[i] += candidateText(c, 0)
	}
	if seen[0] != candidateText(resp, 0) || seen[1] != candidateText(resp, 1) {
		t.Errorf("streamed candidates %v differ from unary", seen)
	}
	// A thinking model whose budget thinking used up answers no parts.
	think := gemRequest(gemUser("Hi [[sim reasoning=10]]"))
	think["generationConfig"] = map[string]any{"maxOutputTokens": 5}
	resp = g.generate(t, "sim-chat", think)
	if path(resp, "candidates.0.content.parts") != nil || str(path(resp, "candidates.0.content.role")) != "model" || str(path(resp, "candidates.0.finishReason")) != "MAX_TOKENS" {
		t.Errorf("budget used by thinking: %v", path(resp, "candidates.0"))
	}
}

func TestGeminiAuthentication(t *testing.T) {
	g := newGemTarget(t, sim.Options{APIKey: "k-123"})
	body := gemRequest(gemUser("Hi"))
	cases := []struct {
		path   string
		header http.Header
		status int
		text   string
	}{
		{gemPath("m", "generateContent"), nil, 403, "Method doesn't allow unregistered callers"},
		{gemPath("m", "generateContent"), http.Header{"X-Goog-Api-Key": {"wrong"}}, 400, "API_KEY_INVALID"},
		{gemPath("m", "generateContent"), http.Header{"X-Goog-Api-Key": {"k-123"}}, 200, "candidates"},
		{gemPath("m", "generateContent") + "?key=k-123", nil, 200, "candidates"},
	}
	for _, c := range cases {
		resp, data := g.do(t, http.MethodPost, c.path, body, c.header)
		if resp.StatusCode != c.status || !strings.Contains(string(data), c.text) {
			t.Errorf("%s %v: %d %s", c.path, c.header, resp.StatusCode, data)
		}
	}
}

func TestGeminiFaults(t *testing.T) {
	g := newGemTarget(t, sim.Options{})
	cases := []struct {
		directive string
		status    int
		name      string
		text      string
	}{
		{"status=429 retry_after=2", 429, "RESOURCE_EXHAUSTED", `"retryDelay": "2s"`},
		{"status=503", 503, "UNAVAILABLE", "The model is overloaded. Please try again later."},
		{"status=500", 500, "INTERNAL", "An internal error has occurred."},
		{"status=400 code=context_length_exceeded", 400, "INVALID_ARGUMENT", "exceeds the maximum number of tokens allowed (1048576)"},
		{"status=404", 404, "NOT_FOUND", "models/sim-chat is not found"},
		{"status=504", 504, "DEADLINE_EXCEEDED", "Deadline expired"},
	}
	for _, c := range cases {
		for _, method := range []string{"generateContent", "streamGenerateContent"} {
			resp, data := g.do(t, http.MethodPost, gemPath("sim-chat", method), gemRequest(gemUser("Hi [[sim "+c.directive+"]]")), nil)
			wantCT := "application/json; charset=UTF-8"
			if method == "streamGenerateContent" {
				wantCT = "text/event-stream" // and yet plain JSON, as the real API sends it
			}
			if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != wantCT || !strings.Contains(string(data), `"status": "`+c.name+`"`) || !strings.Contains(string(data), c.text) {
				t.Errorf("%s %s: %d %q %s", c.directive, method, resp.StatusCode, resp.Header.Get("Content-Type"), data)
			}
			if !json.Valid(data) {
				t.Errorf("%s: the error body is not JSON", c.directive)
			}
		}
	}
	_, raw := g.stream(t, "sim-chat", gemRequest(gemUser("Hi [[sim error_after=1]]")))
	events := gemEvents(t, raw)
	if len(events) != 2 || !strings.HasPrefix(events[1], `{"error": {"code": 500,"message": "An internal error`) {
		t.Errorf("error_after: %q", events)
	}
	resp, data := g.do(t, http.MethodPost, gemPath("sim-chat", "streamGenerateContent"), gemRequest(gemUser("Hi [[sim malformed_after=1]]")), nil)
	if events := strings.Split(string(data), "\r\n\r\n"); resp.StatusCode != 200 || json.Valid([]byte(strings.TrimPrefix(events[1], "data: "))) {
		t.Errorf("malformed_after: %q", events)
	}
	_, data = g.do(t, http.MethodPost, gemPath("sim-chat", "streamGenerateContent"), gemRequest(gemUser("Hi [[sim disconnect_after=2]]")), nil)
	if n := strings.Count(string(data), "data: "); n != 2 || strings.Contains(string(data), "finishReason") {
		t.Errorf("disconnect_after: %d chunks: %q", n, data)
	}
}

func TestGeminiRefusesWhatTheRealAPIRefuses(t *testing.T) {
	g := newGemTarget(t, sim.Options{})
	cases := []struct {
		body any
		text string
	}{
		{map[string]any{"contents": []any{gemUser("hi")}, "temperature": 1}, `Unknown name \"temperature\": Cannot find field.`},
		{map[string]any{"contents": []any{}}, "contents is not specified"},
		{map[string]any{"contents": []any{map[string]any{"role": "assistant", "parts": []any{map[string]any{"text": "x"}}}}}, "Please use a valid role: user, model."},
		{gemRequest(gemUser("hi [[sim bogus=1]]")), "Invalid simulator directive"},
	}
	for _, c := range cases {
		resp, data := g.do(t, http.MethodPost, gemPath("sim-chat", "generateContent"), c.body, nil)
		if resp.StatusCode != 400 || !strings.Contains(string(data), c.text) || !strings.Contains(string(data), `"status": "INVALID_ARGUMENT"`) {
			t.Errorf("%v: %d %s", c.body, resp.StatusCode, data)
		}
	}
}

func TestGeminiEmbeddingsAndModels(t *testing.T) {
	g := newGemTarget(t, sim.Options{})
	batch := map[string]any{"requests": []any{
		map[string]any{"model": "models/sim-embed", "content": map[string]any{"parts": []any{map[string]any{"text": "first"}}}, "outputDimensionality": 8},
		map[string]any{"model": "models/sim-embed", "content": map[string]any{"parts": []any{map[string]any{"text": "second"}}}, "outputDimensionality": 8},
	}}
	resp, data := g.do(t, http.MethodPost, gemPath("sim-embed", "batchEmbedContents"), batch, nil)
	if resp.StatusCode != 200 || string(data) != prettyLayout(t, data) {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	embs := decodeObject(t, data)["embeddings"].([]any)
	first := floats(t, path(embs[0], "values"))
	if len(embs) != 2 || len(first) != 8 || norm(first) < 0.999 || norm(first) > 1.001 {
		t.Fatalf("embeddings = %v", embs)
	}
	_, data = g.do(t, http.MethodPost, gemPath("sim-embed", "embedContent"), map[string]any{"content": map[string]any{"parts": []any{map[string]any{"text": "first"}}}, "outputDimensionality": 8}, nil)
	if got := floats(t, path(decodeObject(t, data), "embedding.values")); !gemSame(t, got, first) {
		t.Errorf("the same text embeds differently: %v vs %v", got, first)
	}
	batch["requests"].([]any)[1].(map[string]any)["model"] = "models/other"
	if resp, data := g.do(t, http.MethodPost, gemPath("sim-embed", "batchEmbedContents"), batch, nil); resp.StatusCode != 400 {
		t.Errorf("a batch for another model: %d %s", resp.StatusCode, data)
	}

	resp, data = g.do(t, http.MethodGet, "/v1beta/models", nil, nil)
	models := decodeObject(t, data)["models"].([]any)
	if resp.StatusCode != 200 || len(models) != 3 || str(path(models[0], "name")) != "models/sim-chat" {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	resp, data = g.do(t, http.MethodGet, "/v1beta/models/gemini-2.5-flash", nil, nil)
	if resp.StatusCode != 200 || str(decodeObject(t, data)["name"]) != "models/gemini-2.5-flash" {
		t.Errorf("%d %s", resp.StatusCode, data)
	}
}

func TestGeminiJSONArrayStream(t *testing.T) {
	g := newGemTarget(t, sim.Options{})
	resp, data := g.do(t, http.MethodPost, "/v1beta/models/sim-chat:streamGenerateContent", gemRequest(gemUser("Hi")), nil)
	var chunks []wire.GenerateContentResponse
	if resp.StatusCode != 200 || json.Unmarshal(data, &chunks) != nil || len(chunks) < 2 {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	if chunks[len(chunks)-1].Candidates[0].FinishReason != "STOP" {
		t.Errorf("last chunk = %+v", chunks[len(chunks)-1])
	}
}
