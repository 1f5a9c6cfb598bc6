package sim_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

const opening = "This is a simulated response."

func TestChatIsDeterministic(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	body := map[string]any{"model": "any-model-name", "messages": userMsg("Tell me about gateways.")}
	a, b := tg.chat(t, body), tg.chat(t, body)
	ca, cb := str(path(a, "choices.0.message.content")), str(path(b, "choices.0.message.content"))
	if ca != cb {
		t.Fatalf("same request, different answers:\n%q\n%q", ca, cb)
	}
	if !strings.HasPrefix(ca, opening) {
		t.Errorf("answer %q does not start with %q", ca, opening)
	}
	if got := str(a["model"]); got != "any-model-name" {
		t.Errorf("model = %q, want the request's model echoed", got)
	}
	if a["id"] == b["id"] {
		t.Errorf("two completions share the id %v", a["id"])
	}
	other := tg.chat(t, map[string]any{"model": "any-model-name", "messages": userMsg("Tell me about rivers.")})
	if str(path(other, "choices.0.message.content")) == ca {
		t.Errorf("different conversations got the same answer")
	}
	seeded := tg.chat(t, map[string]any{"model": "any-model-name", "messages": userMsg("Tell me about gateways."), "seed": 7})
	if str(path(seeded, "choices.0.message.content")) == ca {
		t.Errorf("a seed did not change the answer")
	}
}

func TestStreamAccumulatesToUnary(t *testing.T) {
	weather := map[string]any{"type": "function", "function": map[string]any{
		"name": "get_weather", "parameters": json.RawMessage(`{"type":"object","properties":{"location":{"type":"string"},"unit":{"enum":["celsius","fahrenheit"]}},"required":["location"]}`),
	}}
	clock := map[string]any{"type": "function", "function": map[string]any{
		"name": "get_time", "parameters": json.RawMessage(`{"type":"object","properties":{"zone":{"type":"string"}},"required":["zone"]}`),
	}}
	cases := map[string]map[string]any{
		"text":     {"messages": userMsg("Hello!")},
		"n=3":      {"messages": userMsg("Hello!"), "n": 3},
		"tools":    {"messages": userMsg("Call get_time and get_weather please."), "tools": []any{weather, clock}},
		"forced":   {"messages": userMsg("Hi"), "tools": []any{weather}, "tool_choice": map[string]any{"type": "function", "function": map[string]any{"name": "get_weather"}}, "n": 2},
		"json":     {"messages": userMsg("Answer in JSON."), "response_format": map[string]any{"type": "json_object"}},
		"max":      {"messages": userMsg("Hello!"), "max_tokens": 7},
		"chunks>1": {"messages": userMsg("Hello!")},
	}
	for _, tg := range targets(t, sim.Options{}) {
		for name, body := range cases {
			body["model"] = "sim-chat"
			body["stream_options"] = map[string]any{"include_usage": true}
			unaryBody := map[string]any{}
			for k, v := range body {
				if k != "stream_options" {
					unaryBody[k] = v
				}
			}
			t.Run(tg.name+"/"+name, func(t *testing.T) {
				u := tg.chat(t, unaryBody)
				chunks, _ := tg.streamChat(t, body)
				acc := accumulate(t, chunks)
				choices := u["choices"].([]any)
				if len(acc.finish) != len(choices) {
					t.Fatalf("stream has %d choices, unary %d", len(acc.finish), len(choices))
				}
				for i := range choices {
					msg := path(u, "choices."+itoa(i)+".message").(map[string]any)
					if c, _ := msg["content"].(string); c != acc.content[i] {
						t.Errorf("choice %d: streamed %q, unary %q", i, acc.content[i], c)
					}
					var calls []any
					if tc, ok := msg["tool_calls"].([]any); ok {
						calls = tc
					}
					if len(calls) != len(acc.calls[i]) {
						t.Fatalf("choice %d: streamed %d calls, unary %d", i, len(acc.calls[i]), len(calls))
					}
					for k, cv := range calls {
						got := acc.calls[i][k]
						want := call{id: str(path(cv, "id")), name: str(path(cv, "function.name")), args: str(path(cv, "function.arguments"))}
						if *got != want {
							t.Errorf("choice %d call %d: streamed %+v, unary %+v", i, k, *got, want)
						}
					}
					if f := str(path(u, "choices."+itoa(i)+".finish_reason")); f != acc.finish[i] {
						t.Errorf("choice %d: streamed finish %q, unary %q", i, acc.finish[i], f)
					}
				}
				if !reflect.DeepEqual(acc.usage, u["usage"]) {
					t.Errorf("usage differs:\nstream %v\nunary  %v", acc.usage, u["usage"])
				}
			})
		}
	}
}

func TestWordsPerChunk(t *testing.T) {
	one := memTarget(t, sim.Options{})
	three := memTarget(t, sim.Options{WordsPerChunk: 3})
	body := map[string]any{"model": "m", "messages": userMsg("Hello!")}
	c1, _ := one.streamChat(t, body)
	c3, _ := three.streamChat(t, body)
	if a, b := accumulate(t, c1).content[0], accumulate(t, c3).content[0]; a != b {
		t.Fatalf("chunking changed the content: %q vs %q", a, b)
	}
	if len(c3) >= len(c1) {
		t.Errorf("3 tokens per chunk gave %d chunks, 1 per chunk gave %d", len(c3), len(c1))
	}
	// Every content chunk but the last carries exactly three tokens.
	var frags []string
	for _, c := range c3 {
		if s, ok := path(c, "choices.0.delta.content").(string); ok && s != "" {
			frags = append(frags, s)
		}
	}
	for _, f := range frags[:len(frags)-1] {
		if n := sim.CountTokens(f); n != 3 {
			t.Errorf("fragment %q has %d tokens", f, n)
		}
	}
}

func TestIncludeUsageFraming(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	body := map[string]any{"model": "m", "messages": userMsg("Hello!"), "stream_options": map[string]any{"include_usage": true}}
	chunks, raw := tg.streamChat(t, body)
	events, _ := sseData(t, raw)
	last := len(chunks) - 1
	for i, e := range events {
		if i < last && !strings.Contains(e, `"usage":null`) {
			t.Errorf("chunk %d lacks \"usage\":null: %s", i, e)
		}
	}
	if n := len(chunks[last]["choices"].([]any)); n != 0 {
		t.Errorf("usage chunk has %d choices, want []", n)
	}
	if chunks[last]["usage"] == nil {
		t.Errorf("last chunk has no usage")
	}
	if f := path(chunks[last-1], "choices.0.finish_reason"); f != "stop" {
		t.Errorf("chunk before usage has finish_reason %v, want stop", f)
	}
	if d := path(chunks[last-1], "choices.0.delta").(map[string]any); len(d) != 0 {
		t.Errorf("finish chunk delta = %v, want {}", d)
	}
	first := path(chunks[0], "choices.0.delta").(map[string]any)
	if first["role"] != "assistant" || first["content"] != "" {
		t.Errorf("first delta = %v, want role assistant and content \"\"", first)
	}
	for i, c := range chunks {
		if str(c["obfuscation"]) == "" && !strings.Contains(events[i], `"obfuscation":""`) {
			t.Errorf("chunk %d has no obfuscation field", i)
		}
	}

	// Without include_usage: no usage anywhere.
	delete(body, "stream_options")
	chunks, raw = tg.streamChat(t, body)
	if strings.Contains(raw, `"usage"`) {
		t.Errorf("usage sent without include_usage")
	}
	if f := path(chunks[len(chunks)-1], "choices.0.finish_reason"); f != "stop" {
		t.Errorf("last chunk finish_reason = %v", f)
	}
}

func TestUsageIsCounted(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	msgs := []any{
		map[string]any{"role": "system", "content": "Be brief."},
		map[string]any{"role": "user", "content": "Hello there, simulator!"},
	}
	u := tg.chat(t, map[string]any{"model": "m", "messages": msgs})
	content := str(path(u, "choices.0.message.content"))
	wantPrompt := int64(3 + (3 + sim.CountTokens("Be brief.")) + (3 + sim.CountTokens("Hello there, simulator!")))
	if got := num(t, path(u, "usage.prompt_tokens")); got != wantPrompt {
		t.Errorf("prompt_tokens = %d, want %d", got, wantPrompt)
	}
	if got, want := num(t, path(u, "usage.completion_tokens")), int64(sim.CountTokens(content)); got != want {
		t.Errorf("completion_tokens = %d, want %d (tokens of %q)", got, want, content)
	}
	if num(t, path(u, "usage.total_tokens")) != num(t, path(u, "usage.prompt_tokens"))+num(t, path(u, "usage.completion_tokens")) {
		t.Errorf("total_tokens is not prompt + completion: %v", u["usage"])
	}
}

func TestMaxTokensCutsWithLength(t *testing.T) {
	for _, field := range []string{"max_tokens", "max_completion_tokens"} {
		tg := memTarget(t, sim.Options{})
		full := str(path(tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Hello!")}), "choices.0.message.content"))
		body := map[string]any{"model": "m", "messages": userMsg("Hello!"), field: 5}
		u := tg.chat(t, body)
		got := str(path(u, "choices.0.message.content"))
		if f := path(u, "choices.0.finish_reason"); f != "length" {
			t.Errorf("%s: finish_reason = %v, want length", field, f)
		}
		if n := sim.CountTokens(got); n != 5 || !strings.HasPrefix(full, got) {
			t.Errorf("%s: content %q (%d tokens) is not the first 5 tokens of %q", field, got, n, full)
		}
		if c := num(t, path(u, "usage.completion_tokens")); c != 5 {
			t.Errorf("%s: completion_tokens = %d, want 5", field, c)
		}
		chunks, _ := tg.streamChat(t, body)
		if acc := accumulate(t, chunks); acc.content[0] != got || acc.finish[0] != "length" {
			t.Errorf("%s: stream gave %q/%s, unary %q/length", field, acc.content[0], acc.finish[0], got)
		}
	}
	// A long enough budget changes nothing.
	tg := memTarget(t, sim.Options{})
	u := tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Hello!"), "max_tokens": 4096})
	if f := path(u, "choices.0.finish_reason"); f != "stop" {
		t.Errorf("finish_reason = %v with a large budget", f)
	}
}

func TestStopSequences(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	for _, stop := range []any{"STOP", []any{"never", "STOP", "gamma"}} {
		body := map[string]any{"model": "m", "messages": userMsg(`Go. [[sim reply="alpha beta STOP gamma delta"]]`), "stop": stop}
		u := tg.chat(t, body)
		if got := str(path(u, "choices.0.message.content")); got != "alpha beta " {
			t.Errorf("stop %v: content = %q, want %q", stop, got, "alpha beta ")
		}
		if f := path(u, "choices.0.finish_reason"); f != "stop" {
			t.Errorf("stop %v: finish_reason = %v", stop, f)
		}
		if c := num(t, path(u, "usage.completion_tokens")); c != int64(sim.CountTokens("alpha beta ")) {
			t.Errorf("stop %v: completion_tokens = %d", stop, c)
		}
		chunks, _ := tg.streamChat(t, body)
		if acc := accumulate(t, chunks); acc.content[0] != "alpha beta " {
			t.Errorf("stop %v: streamed %q", stop, acc.content[0])
		}
	}
}

func TestReplyDirectiveAndNotEchoed(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	plain := str(path(tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Hello!")}), "choices.0.message.content"))
	withTiming := str(path(tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Hello! [[sim latency=1ms]]")}), "choices.0.message.content"))
	if withTiming != plain {
		t.Errorf("a timing directive changed the answer: %q vs %q", withTiming, plain)
	}
	if strings.Contains(withTiming, "[[sim") {
		t.Errorf("directive echoed: %q", withTiming)
	}
	u := tg.chat(t, map[string]any{"model": "m", "messages": userMsg(`[[sim reply="Exactly this."]] Say something.`)})
	if got := str(path(u, "choices.0.message.content")); got != "Exactly this." {
		t.Errorf("reply directive: content = %q", got)
	}
}

func TestNChoices(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	u := tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Hello!"), "n": 3})
	choices := u["choices"].([]any)
	if len(choices) != 3 {
		t.Fatalf("%d choices, want 3", len(choices))
	}
	seen := map[string]bool{}
	var total int64
	for i, c := range choices {
		if num(t, path(c, "index")) != int64(i) {
			t.Errorf("choice %d has index %v", i, path(c, "index"))
		}
		content := str(path(c, "message.content"))
		seen[content] = true
		total += int64(sim.CountTokens(content))
	}
	if len(seen) != 3 {
		t.Errorf("choices are not distinct: %v", seen)
	}
	if got := num(t, path(u, "usage.completion_tokens")); got != total {
		t.Errorf("completion_tokens = %d, want the sum over choices %d", got, total)
	}
}

func TestReasoningAndCachedTokens(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	u := tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Think. [[sim reasoning=50 cached=4]]")})
	content := str(path(u, "choices.0.message.content"))
	if got := num(t, path(u, "usage.completion_tokens_details.reasoning_tokens")); got != 50 {
		t.Errorf("reasoning_tokens = %d", got)
	}
	if got, want := num(t, path(u, "usage.completion_tokens")), int64(50+sim.CountTokens(content)); got != want {
		t.Errorf("completion_tokens = %d, want %d (reasoning included)", got, want)
	}
	if got := num(t, path(u, "usage.prompt_tokens_details.cached_tokens")); got != 4 {
		t.Errorf("cached_tokens = %d", got)
	}
	// Cached tokens never exceed the prompt.
	u = tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Hi [[sim cached=100000]]")})
	if c, p := num(t, path(u, "usage.prompt_tokens_details.cached_tokens")), num(t, path(u, "usage.prompt_tokens")); c != p {
		t.Errorf("cached_tokens = %d, prompt_tokens = %d", c, p)
	}
	// A requested effort spends reasoning tokens like a reasoning model.
	u = tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Think hard."), "reasoning_effort": "high"})
	if got := num(t, path(u, "usage.completion_tokens_details.reasoning_tokens")); got != 256 {
		t.Errorf("reasoning_effort high: reasoning_tokens = %d", got)
	}
	// Reasoning spends the budget first.
	u = tg.chat(t, map[string]any{"model": "m", "messages": userMsg("Think. [[sim reasoning=50]]"), "max_completion_tokens": 20})
	if c := str(path(u, "choices.0.message.content")); c != "" || path(u, "choices.0.finish_reason") != "length" {
		t.Errorf("budget below reasoning: content %q, finish %v", c, path(u, "choices.0.finish_reason"))
	}
}

func TestAPIKey(t *testing.T) {
	const key = "sk-sim-test-0123456789abcdef"
	tg := memTarget(t, sim.Options{APIKey: key})
	body := map[string]any{"model": "m", "messages": userMsg("Hi")}
	for name, auth := range map[string]string{"missing": "", "wrong": "Bearer sk-wrong-key-0123456789XYZW"} {
		h := http.Header{}
		if auth != "" {
			h.Set("Authorization", auth)
		}
		resp, data, err := tg.do(t, http.MethodPost, "/chat/completions", body, h)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s key: status %d", name, resp.StatusCode)
		}
		e := decodeObject(t, data)
		if path(e, "error.type") != "invalid_request_error" {
			t.Errorf("%s key: %s", name, data)
		}
		if name == "wrong" && (path(e, "error.code") != "invalid_api_key" || strings.Contains(string(data), "sk-wrong-key-0123456789XYZW")) {
			t.Errorf("wrong key: %s", data)
		}
	}
	h := http.Header{"Authorization": {"Bearer " + key}}
	for _, p := range []string{"/chat/completions", "/embeddings"} {
		b := any(body)
		if p == "/embeddings" {
			b = map[string]any{"model": "sim-embed", "input": "hi"}
		}
		if resp, data, err := tg.do(t, http.MethodPost, p, b, h); err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("%s with the right key: %v %s", p, err, data)
		}
	}
	if resp, _, _ := tg.do(t, http.MethodGet, "/models", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/models without a key: %d", resp.StatusCode)
	}
}

func TestModels(t *testing.T) {
	tg := memTarget(t, sim.Options{})
	resp, data, err := tg.do(t, http.MethodGet, "/models", nil, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%v %s", err, data)
	}
	list := decodeObject(t, data)
	ids := map[string]bool{}
	for _, m := range list["data"].([]any) {
		ids[str(path(m, "id"))] = true
	}
	for _, want := range []string{"sim-chat", "sim-embed"} {
		if !ids[want] {
			t.Errorf("models list lacks %s: %s", want, data)
		}
	}
	resp, data, _ = tg.do(t, http.MethodGet, "/models/sim-chat", nil, nil)
	if resp.StatusCode != http.StatusOK || path(decodeObject(t, data), "id") != "sim-chat" {
		t.Errorf("GET /models/sim-chat: %d %s", resp.StatusCode, data)
	}
}

func itoa(i int) string { return string(rune('0' + i)) }
