package sim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

func anthError(t *testing.T, resp *http.Response, data []byte, status int, typ, msgPart string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, data)
	}
	got := decodeObject(t, data)
	if got["type"] != "error" || path(got, "error.type") != typ || !strings.Contains(str(path(got, "error.message")), msgPart) {
		t.Fatalf("error %s, want %s containing %q", data, typ, msgPart)
	}
	if !strings.HasPrefix(str(got["request_id"]), "req_") || resp.Header.Get("Request-Id") != got["request_id"] {
		t.Errorf("request id %v / %q", got["request_id"], resp.Header.Get("Request-Id"))
	}
}

func TestAnthropicVersionAndKeyAreRequired(t *testing.T) {
	tg := newAnthTarget(sim.Options{APIKey: "sk-ant-sim-key"})
	body := map[string]any{"model": "claude-x", "max_tokens": 10, "messages": anthUser("hi")}

	resp, data := tg.send(t, http.MethodPost, "/v1/messages", body, http.Header{"X-Api-Key": {"sk-ant-sim-key"}})
	anthError(t, resp, data, 400, "invalid_request_error", "anthropic-version: header is required")

	resp, data = tg.messages(t, body)
	anthError(t, resp, data, 401, "authentication_error", "x-api-key header is required")

	h := anthHeaders()
	h.Set("X-Api-Key", "sk-ant-wrong")
	resp, data = tg.send(t, http.MethodPost, "/v1/messages", body, h)
	anthError(t, resp, data, 401, "authentication_error", "invalid x-api-key")
	if strings.Contains(string(data), "sk-ant-wrong") || resp.Header.Get("X-Should-Retry") != "false" {
		t.Errorf("401: %s %v", data, resp.Header)
	}

	h.Set("X-Api-Key", "sk-ant-sim-key")
	if resp, data := tg.send(t, http.MethodPost, "/v1/messages", body, h); resp.StatusCode != 200 {
		t.Fatalf("with key: %d %s", resp.StatusCode, data)
	}
}

func TestAnthropicModelsAndOpenAIModelsShareThePath(t *testing.T) {
	tg := newAnthTarget(sim.Options{})
	resp, data := tg.send(t, http.MethodGet, "/v1/models", nil, anthHeaders())
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	got := decodeObject(t, data)
	if path(got, "data.0.type") != "model" || path(got, "data.0.created_at") == nil || got["has_more"] != false {
		t.Errorf("anthropic models = %s", data)
	}
	_, data = tg.send(t, http.MethodGet, "/v1/models", nil, http.Header{})
	if got := decodeObject(t, data); got["object"] != "list" {
		t.Errorf("openai models = %s", data)
	}
}

func TestAnthropicValidation(t *testing.T) {
	tg := newAnthTarget(sim.Options{})
	tool := map[string]any{"name": "lookup", "input_schema": map[string]any{"type": "object", "properties": map[string]any{}}}
	toolUse := map[string]any{"role": "assistant", "content": []any{map[string]any{"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": map[string]any{}}}}
	cases := []struct {
		name string
		body string
		msg  string
	}{
		{"max_tokens", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, "max_tokens: Field required"},
		{"model", `{"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`, "model: Field required"},
		{"messages", `{"model":"m","max_tokens":5,"messages":[]}`, "messages: at least one message is required"},
		{"role", `{"model":"m","max_tokens":5,"messages":[{"role":"system","content":"hi"}]}`, "messages.0.role: Input should be 'user' or 'assistant'"},
		{"temperature", `{"model":"m","max_tokens":5,"temperature":1.5,"messages":[{"role":"user","content":"hi"}]}`, "temperature: Input should be less than or equal to 1"},
		{"budget", `{"model":"m","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":2000},"messages":[{"role":"user","content":"hi"}]}`, "`max_tokens` must be greater than `thinking.budget_tokens`"},
		{"temperature with thinking", `{"model":"m","max_tokens":3000,"temperature":0.5,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"hi"}]}`,
			"`temperature` may only be set to 1 when thinking is enabled"},
		{"forced with thinking", mustJSON(t, map[string]any{"model": "m", "max_tokens": 3000, "thinking": map[string]any{"type": "enabled", "budget_tokens": 1024},
			"tools": []any{tool}, "tool_choice": map[string]any{"type": "any"}, "messages": anthUser("hi")}), "Thinking may not be enabled when tool_choice forces tool use."},
		{"unanswered tool_use", mustJSON(t, map[string]any{"model": "m", "max_tokens": 5, "tools": []any{tool},
			"messages": []any{anthUser("hi")[0], toolUse, anthUser("well?")[0]}}), "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1"},
		{"orphan tool_result", mustJSON(t, map[string]any{"model": "m", "max_tokens": 5, "tools": []any{tool},
			"messages": []any{map[string]any{"role": "user", "content": []any{map[string]any{"type": "tool_result", "tool_use_id": "toolu_9", "content": "x"}}}}}),
			"messages.0.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_9"},
		{"bad signature", mustJSON(t, map[string]any{"model": "m", "max_tokens": 5, "messages": []any{anthUser("hi")[0],
			map[string]any{"role": "assistant", "content": []any{map[string]any{"type": "thinking", "thinking": "hmm", "signature": "forged"}, map[string]any{"type": "text", "text": "ok"}}},
			anthUser("and?")[0]}}), "messages.1.content.0: Invalid `signature` in `thinking` block"},
		{"directive", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi [[sim bogus=1]]"}]}`, "Invalid simulator directive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, data := tg.messages(t, c.body)
			anthError(t, resp, data, 400, "invalid_request_error", c.msg)
		})
	}
	// A tool result answering the call in the next message passes.
	ok := map[string]any{"model": "m", "max_tokens": 50, "tools": []any{tool}, "messages": []any{anthUser("hi")[0], toolUse,
		map[string]any{"role": "user", "content": []any{map[string]any{"type": "tool_result", "tool_use_id": "toolu_1", "content": "42"}}}}}
	got := tg.message(t, ok)
	if !strings.Contains(str(path(got, "content.0.text")), "lookup returned 42") {
		t.Errorf("answer after the tool result = %v", path(got, "content.0.text"))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAnthropicStopSequencesAndMaxTokens(t *testing.T) {
	tg := newAnthTarget(sim.Options{})
	got := tg.message(t, map[string]any{"model": "m", "max_tokens": 100, "stop_sequences": []any{"simulated"}, "messages": anthUser("hi")})
	if got["stop_reason"] != "stop_sequence" || got["stop_sequence"] != "simulated" || path(got, "content.0.text") != "This is a " {
		t.Errorf("stop sequence: %v %v %q", got["stop_reason"], got["stop_sequence"], path(got, "content.0.text"))
	}
	got = tg.message(t, map[string]any{"model": "m", "max_tokens": 3, "messages": anthUser("hi")})
	if got["stop_reason"] != "max_tokens" || got["stop_sequence"] != nil || num(t, path(got, "usage.output_tokens")) != 3 {
		t.Errorf("max tokens: %v %v", got["stop_reason"], path(got, "usage"))
	}
	got = tg.message(t, map[string]any{"model": "m", "max_tokens": 100, "messages": anthUser("hi")})
	if got["stop_reason"] != "end_turn" || got["stop_sequence"] != nil {
		t.Errorf("natural end: %v %v", got["stop_reason"], got["stop_sequence"])
	}
}

func TestAnthropicCacheDirectives(t *testing.T) {
	tg := newAnthTarget(sim.Options{})
	plain := tg.message(t, map[string]any{"model": "m", "max_tokens": 10, "messages": anthUser("What is the prompt cache?")})
	total := num(t, path(plain, "usage.input_tokens"))
	got := tg.message(t, map[string]any{"model": "m", "max_tokens": 10, "messages": anthUser("What is the prompt cache? [[sim cached=4 cache_write=3]]")})
	u := path(got, "usage").(map[string]any)
	// The directive is removed from the text but counts as prompt tokens.
	in, read, write := num(t, u["input_tokens"]), num(t, u["cache_read_input_tokens"]), num(t, u["cache_creation_input_tokens"])
	if read != 4 || write != 3 || num(t, path(u, "cache_creation.ephemeral_5m_input_tokens")) != 3 || in+read+write <= total {
		t.Errorf("usage = %v (plain input %d)", u, total)
	}
	// A 1-hour breakpoint reports the write in that bucket.
	got = tg.message(t, map[string]any{"model": "m", "max_tokens": 10, "messages": []any{map[string]any{"role": "user", "content": []any{
		map[string]any{"type": "text", "text": "long document [[sim cache_write=5]]", "cache_control": map[string]any{"type": "ephemeral", "ttl": "1h"}}}}}})
	if num(t, path(got, "usage.cache_creation.ephemeral_1h_input_tokens")) != 5 || num(t, path(got, "usage.cache_creation.ephemeral_5m_input_tokens")) != 0 {
		t.Errorf("1h write: %v", path(got, "usage"))
	}
}

func TestAnthropicThinkingAndItsSignatureRoundTrip(t *testing.T) {
	tg := newAnthTarget(sim.Options{})
	req := map[string]any{"model": "m", "max_tokens": 2000, "thinking": map[string]any{"type": "enabled", "budget_tokens": 1024}, "messages": anthUser("think first")}
	got := tg.message(t, req)
	if path(got, "content.0.type") != "thinking" || path(got, "content.1.type") != "text" || str(path(got, "content.0.signature")) == "" {
		t.Fatalf("content = %v", got["content"])
	}
	thinking := path(got, "content.0").(map[string]any)
	if strings.Count(str(thinking["thinking"]), " ")+1 < 50 {
		t.Errorf("thinking is too short for 256 tokens: %q", thinking["thinking"])
	}
	// Sent back verbatim, it verifies; altered, it does not.
	next := map[string]any{"model": "m", "max_tokens": 2000, "thinking": req["thinking"], "messages": []any{
		anthUser("think first")[0], map[string]any{"role": "assistant", "content": got["content"]}, anthUser("go on")[0]}}
	tg.message(t, next)
	thinking["thinking"] = str(thinking["thinking"]) + " (edited)"
	resp, data := tg.messages(t, next)
	anthError(t, resp, data, 400, "invalid_request_error", "Invalid `signature` in `thinking` block")

	// The stream carries the same thinking, then its signature.
	req["stream"] = true
	_, raw := tg.messages(t, req)
	var text, sig string
	for _, ev := range anthEvents(t, string(raw)) {
		switch eventKind(ev) {
		case "content_block_delta/thinking_delta":
			text += str(path(ev.data, "delta.thinking"))
		case "content_block_delta/signature_delta":
			sig = str(path(ev.data, "delta.signature"))
		}
	}
	if sig == "" || len(text) < 100 {
		t.Errorf("streamed thinking %q signature %q", text, sig)
	}
}

func TestAnthropicNativeJSONOutputIsValid(t *testing.T) {
	tg := newAnthTarget(sim.Options{})
	schema := map[string]any{"type": "object", "properties": map[string]any{
		"city": map[string]any{"type": "string"}, "days": map[string]any{"type": "integer", "minimum": 1, "maximum": 7}},
		"required": []any{"city", "days"}, "additionalProperties": false}
	got := tg.message(t, map[string]any{"model": "m", "max_tokens": 200, "messages": anthUser("plan a trip"),
		"output_config": map[string]any{"format": map[string]any{"type": "json_schema", "schema": schema}}})
	var answer map[string]any
	if err := json.Unmarshal([]byte(str(path(got, "content.0.text"))), &answer); err != nil {
		t.Fatalf("answer is not JSON: %v %v", err, path(got, "content.0.text"))
	}
	if _, ok := answer["city"].(string); !ok || len(answer) != 2 {
		t.Errorf("answer = %v", answer)
	}
}

func TestAnthropicStatusFaults(t *testing.T) {
	tg := newAnthTarget(sim.Options{})
	cases := []struct {
		fault, typ, msg string
		status          int
		retryAfter      string
		shouldRetry     string
	}{
		{"status=429 retry_after=3", "rate_limit_error", "rate limit", 429, "3", "true"},
		{"status=529", "overloaded_error", "Overloaded", 529, "", "true"},
		{"status=500", "api_error", "Internal server error", 500, "", "true"},
		{"status=401", "authentication_error", "invalid x-api-key", 401, "", "false"},
		{"status=403", "permission_error", "permission", 403, "", "false"},
		{"status=404", "not_found_error", "model: claude-x", 404, "", "false"},
		{"status=400 code=context_length_exceeded", "invalid_request_error", "prompt is too long: ", 400, "", "false"},
	}
	for _, c := range cases {
		resp, data := tg.messages(t, map[string]any{"model": "claude-x", "max_tokens": 10, "messages": anthUser("hi [[sim " + c.fault + "]]")})
		anthError(t, resp, data, c.status, c.typ, c.msg)
		if resp.Header.Get("Retry-After") != c.retryAfter || resp.Header.Get("X-Should-Retry") != c.shouldRetry {
			t.Errorf("%s: retry-after %q x-should-retry %q", c.fault, resp.Header.Get("Retry-After"), resp.Header.Get("X-Should-Retry"))
		}
		if c.status == 429 && resp.Header.Get("Anthropic-Ratelimit-Requests-Remaining") != "0" {
			t.Errorf("429 rate-limit headers: %v", resp.Header)
		}
	}
}

func TestAnthropicStreamFaults(t *testing.T) {
	tg := newAnthTarget(sim.Options{})
	body := func(fault string) map[string]any {
		return map[string]any{"model": "m", "max_tokens": 100, "stream": true, "messages": anthUser("hi [[sim " + fault + "]]")}
	}
	resp, data := tg.messages(t, body("error_after=3"))
	events := anthEvents(t, string(data))
	last := events[len(events)-1]
	if resp.StatusCode != 200 || last.name != "error" || path(last.data, "error.type") != "overloaded_error" || len(events) != 4 {
		t.Errorf("error_after: %d events, last %v", len(events), last.raw)
	}

	resp, data = tg.messages(t, body("malformed_after=2"))
	text := string(data)
	if resp.StatusCode != 200 || !strings.Contains(text, `"text":"`+"\n\n") || !strings.Contains(text, "event: message_stop\n") {
		t.Errorf("malformed_after: %q", anthTail(text))
	}

	req := body("disconnect_after=2")
	j, _ := json.Marshal(req)
	hreq, _ := http.NewRequest(http.MethodPost, "http://sim.invalid/v1/messages", strings.NewReader(string(j)))
	hreq.Header = anthHeaders()
	r, err := tg.client.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(r.Body)
	r.Body.Close()
	if err == nil || !isCut(err) {
		t.Errorf("disconnect_after: read error %v, want a cut connection", err)
	}
	if got := tg.srv.Served(); got.Errors < 2 || got.Requests != 3 {
		t.Errorf("served = %+v", got)
	}
}
