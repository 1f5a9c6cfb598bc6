package sim_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// The simulator must send what the real API sends: the same keys at the
// same places as the recorded transcripts. Recorded requests are replayed
// against it; only what a recording cannot decide (which tool to call) is
// adjusted.

// recordedRequest returns a fixture's request body as a map.
func recordedRequest(t *testing.T, tr *fixtures.Transcript) map[string]any {
	t.Helper()
	return decodeObject(t, tr.Request.Body)
}

func recordedBody(t *testing.T, tr *fixtures.Transcript) map[string]any {
	t.Helper()
	return decodeObject(t, tr.Response.Body)
}

// recordedChunks parses a recorded SSE stream.
func recordedChunks(t *testing.T, tr *fixtures.Transcript) []map[string]any {
	t.Helper()
	events, done := sseData(t, tr.Response.BodyText())
	if !done {
		t.Fatalf("%s: recording has no [DONE]", tr.Case)
	}
	out := make([]map[string]any, len(events))
	for i, e := range events {
		out[i] = decodeObject(t, []byte(e))
	}
	return out
}

func TestUnaryShapeMatchesRecordings(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	for _, name := range []string{"chat-basic", "chat-cached-tokens"} {
		tr := fixtures.Load(t, "openai", name)
		got := tg.chat(t, recordedRequest(t, tr))
		// gpt-5-nano's recording omits logprobs; gpt-4.1's has it.
		sameKeys(t, name, got, recordedBody(t, tr), "choices[].logprobs")
		if got["object"] != "chat.completion" || !strings.HasPrefix(str(got["id"]), "chatcmpl-") {
			t.Errorf("%s: object %v id %v", name, got["object"], got["id"])
		}
	}

	tr := fixtures.Load(t, "openai", "chat-tool-call")
	req := recordedRequest(t, tr)
	req["tool_choice"] = "required" // the recorded prompt does not name the tool
	got := tg.chat(t, req)
	sameKeys(t, "chat-tool-call", got, recordedBody(t, tr), "choices[].logprobs")
	if path(got, "choices.0.finish_reason") != "tool_calls" || path(got, "choices.0.message.content") != nil {
		t.Errorf("tool call: finish %v content %v", path(got, "choices.0.finish_reason"), path(got, "choices.0.message.content"))
	}
}

// chunkRole names a chunk by what it carries, so that recorded and simulated
// chunks of the same role can be compared.
func chunkRole(c map[string]any) string {
	choices, _ := c["choices"].([]any)
	if len(choices) == 0 {
		return "usage"
	}
	d, _ := path(c, "choices.0.delta").(map[string]any)
	switch {
	case d["role"] != nil:
		return "open"
	case path(c, "choices.0.finish_reason") != nil:
		return "finish"
	case d["tool_calls"] != nil:
		return "arguments"
	}
	return "content"
}

// topKeyOrder lists an object's keys in wire order.
func topKeyOrder(t *testing.T, raw string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(raw))
	var keys []string
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestStreamShapeMatchesRecordings(t *testing.T) {
	for _, tg := range targets(t, sim.Options{}) {
		for _, name := range []string{"chat-stream-basic", "chat-stream-tool-call-include-usage"} {
			tr := fixtures.Load(t, "openai", name)
			req := recordedRequest(t, tr)
			if _, ok := req["tools"]; ok {
				req["tool_choice"] = "required"
			}
			resp, data := tg.post(t, "/chat/completions", req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", name, resp.StatusCode, data)
			}
			if ct, want := resp.Header.Get("Content-Type"), tr.Response.Headers["content-type"]; ct != want {
				t.Errorf("%s: content-type %q, recorded %q", name, ct, want)
			}
			events, done := sseData(t, string(data))
			if !done || !bytes.HasSuffix(data, []byte("data: [DONE]\n\n")) {
				t.Fatalf("%s: stream does not end with data: [DONE]", name)
			}
			recorded := recordedChunks(t, tr)
			byRole := map[string]map[string]any{}
			for _, c := range recorded {
				if r := chunkRole(c); byRole[r] == nil {
					byRole[r] = c
				}
			}
			recEvents, _ := sseData(t, tr.Response.BodyText())
			wantOrder := strings.Join(topKeyOrder(t, recEvents[0]), ",")
			var roles []string
			for i, e := range events {
				c := decodeObject(t, []byte(e))
				role := chunkRole(c)
				roles = append(roles, role)
				want, ok := byRole[role]
				if !ok {
					t.Errorf("%s: chunk %d is a %q chunk, which the recording does not have", name, i, role)
					continue
				}
				sameKeys(t, name+" "+role+" chunk", c, want, "choices[].logprobs")
				if role != "usage" {
					if got := strings.Join(topKeyOrder(t, e), ","); got != wantOrder {
						t.Errorf("%s: chunk %d keys in order %s, recorded %s", name, i, got, wantOrder)
					}
				}
			}
			// The roles come in the recorded order.
			var recRoles []string
			for _, c := range recorded {
				recRoles = append(recRoles, chunkRole(c))
			}
			if compress(roles) != compress(recRoles) {
				t.Errorf("%s: chunk sequence %s, recorded %s", name, compress(roles), compress(recRoles))
			}
		}
	}
}

// compress collapses runs: open,content,content,finish -> open,content,finish.
func compress(roles []string) string {
	var out []string
	for _, r := range roles {
		if len(out) == 0 || out[len(out)-1] != r {
			out = append(out, r)
		}
	}
	return strings.Join(out, ",")
}

func TestEmbeddingsShapeMatchesRecording(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	tr := fixtures.Load(t, "openai", "embeddings-float")
	resp, data := tg.post(t, "/embeddings", recordedRequest(t, tr))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	got := decodeObject(t, data)
	want := recordedBody(t, tr)
	sameKeys(t, "embeddings", got, want)
	if n, m := len(path(got, "data.0.embedding").([]any)), len(path(want, "data.0.embedding").([]any)); n != m {
		t.Errorf("%d dimensions, recorded %d", n, m)
	}
	if p, w := path(got, "usage.prompt_tokens"), path(want, "usage.prompt_tokens"); p != w {
		t.Errorf("prompt_tokens %v, recorded %v (same input)", p, w)
	}
}

func TestModelsShapeMatchesDocumentation(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	tr := fixtures.Load(t, "openai", "models-list")
	_, data, err := tg.do(t, http.MethodGet, "/models", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameKeys(t, "models", decodeObject(t, data), recordedBody(t, tr))
}

func TestErrorShapesMatchRecordings(t *testing.T) {
	tg := memTarget(t, sim.Options{APIKey: "sk-sim-secret-0123456789"})
	auth := http.Header{"Authorization": {"Bearer sk-sim-secret-0123456789"}}
	cases := []struct {
		fixture string
		header  http.Header
		fault   string
	}{
		{"error-400-context-length-exceeded", auth, "status=400 code=context_length_exceeded"},
		{"error-404-model-not-found", auth, "status=404"},
		{"error-401-invalid-api-key", http.Header{"Authorization": {"Bearer sk-not-the-right-key-0000"}}, ""},
	}
	for _, c := range cases {
		tr := fixtures.Load(t, "openai", c.fixture)
		h := c.header.Clone()
		if c.fault != "" {
			h.Set("X-Sim-Fault", c.fault)
		}
		resp, data, err := tg.do(t, http.MethodPost, "/chat/completions", map[string]any{"model": "gpt-4.1-nano-wrong", "messages": userMsg("Hello!")}, h)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tr.Response.Status {
			t.Errorf("%s: status %d, recorded %d", c.fixture, resp.StatusCode, tr.Response.Status)
		}
		got, want := decodeObject(t, data), recordedBody(t, tr)
		sameKeys(t, c.fixture, got, want)
		for _, f := range []string{"error.type", "error.code", "error.param"} {
			if path(got, f) != path(want, f) {
				t.Errorf("%s: %s = %v, recorded %v", c.fixture, f, path(got, f), path(want, f))
			}
		}
		if c.fixture == "error-404-model-not-found" && path(got, "error.message") != path(want, "error.message") {
			t.Errorf("404 message %q, recorded %q", path(got, "error.message"), path(want, "error.message"))
		}
		if !bytes.HasPrefix(data, []byte("{\n    \"error\": {\n")) || !bytes.HasSuffix(data, []byte("}\n")) {
			t.Errorf("%s: not indented like the real API:\n%s", c.fixture, data)
		}
	}
}
