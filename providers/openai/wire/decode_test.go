package wire_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

func TestDecodeChatRequestErrors(t *testing.T) {
	cases := []struct {
		name, body string
		param      string
		message    string
	}{
		{"empty", ``, "", "request body is empty; expected a JSON object"},
		{"blank", "  \n", "", "request body is empty; expected a JSON object"},
		{"array", `[1,2]`, "", "request body must be a JSON object, got an array"},
		{"syntax", `{"model": "x",, }`, "", "invalid JSON at offset 15: invalid character ',' looking for beginning of object key string"},
		{"truncated", `{"model": "x"`, "", "invalid JSON at offset 13: unexpected end of JSON input"},
		{"temperature", `{"model":"m","temperature":"hot","messages":[]}`, "temperature", "temperature: expected a number, got a string"},
		{"content number", `{"model":"m","messages":[{"role":"user","content":42}]}`, "messages[0].content",
			"messages[0].content: expected a string or an array of content parts, got a number"},
		{"second message role", `{"messages":[{"role":"user","content":"hi"},{"role":7,"content":"x"}]}`, "messages[1].role",
			"messages[1].role: expected a string, got a number"},
		{"image_url string", `{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":"http://x/y.png"}]}]}`,
			"messages[0].content[1].image_url", "messages[0].content[1].image_url: expected an object, got a string"},
		{"messages object", `{"messages":{"role":"user"}}`, "messages", "messages: expected an array, got an object"},
		{"stop number", `{"stop":5}`, "stop", "stop: expected a string or an array of strings, got a number"},
		{"tool_choice number", `{"tool_choice":1}`, "tool_choice", `tool_choice: expected "none", "auto", "required" or {"type": "function", "function": {"name": ...}}, got a number`},
		{"n fraction", `{"n":1.5}`, "n", "n: expected an integer, got the number 1.5"},
		{"metadata value", `{"metadata":{"k":1}}`, "metadata.k", "metadata.k: expected a string, got a number"},
		{"tool arguments object", `{"messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":{"a":1}}}]}]}`,
			"messages[0].tool_calls[0].function.arguments", "messages[0].tool_calls[0].function.arguments: expected a string, got an object"},
		{"stream string", `{"stream":"yes"}`, "stream", "stream: expected a boolean, got a string"},
		{"tools parameters ok, name number", `{"tools":[{"type":"function","function":{"name":3,"parameters":{"type":"object"}}}]}`,
			"tools[0].function.name", "tools[0].function.name: expected a string, got a number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := wire.DecodeChatRequest([]byte(c.body))
			e := asLLMError(t, err)
			if e.Kind != llm.KindInvalidRequest {
				t.Errorf("kind = %v", e.Kind)
			}
			if e.Param != c.param || e.Message != c.message {
				t.Errorf("got param %q message %q\nwant param %q message %q", e.Param, e.Message, c.param, c.message)
			}
		})
	}
}

func TestDecodeChatRequestExtraFields(t *testing.T) {
	body := `{
		"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}],
		"logit_bias": {"50256": -100}, "logprobs": true, "top_logprobs": 2,
		"store": true, "service_tier": "flex",
		"prediction": {"type": "content", "content": "a \"quoted\" } brace"},
		"temperature": 0.2, "Stream": false, "stre\u0061m_options": null
	}`
	r, extra, err := wire.DecodeChatRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if r.Model != "gpt-4o" || *r.Temperature != 0.2 {
		t.Fatalf("typed fields = %q %v", r.Model, r.Temperature)
	}
	want := map[string]string{
		"logit_bias":   `{"50256": -100}`,
		"logprobs":     `true`,
		"top_logprobs": `2`,
		"store":        `true`,
		"service_tier": `"flex"`,
		"prediction":   `{"type": "content", "content": "a \"quoted\" } brace"}`,
	}
	if len(extra) != len(want) {
		t.Errorf("extra has %d fields: %v", len(extra), keys(extra))
	}
	for k, v := range want {
		if string(extra[k]) != v {
			t.Errorf("extra[%s] = %s, want %s", k, extra[k], v)
		}
	}
	// "Stream" is decoded by encoding/json's case-insensitive match and an
	// escaped known name is still known: neither is forwarded twice.
	if _, ok := extra["Stream"]; ok {
		t.Error("a case-variant of a typed field leaked into extra")
	}
	if len(r.Extra) != len(extra) {
		t.Error("ChatRequest.Extra does not hold the extra fields")
	}
}

func TestDecodeChatRequestNoExtra(t *testing.T) {
	_, extra, err := wire.DecodeChatRequest([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	if extra != nil {
		t.Errorf("extra = %v, want nil", extra)
	}
}

func TestDecodeEmbeddingRequestErrors(t *testing.T) {
	_, err := wire.DecodeEmbeddingRequest([]byte(`{"model": 5}`))
	if e := asLLMError(t, err); e.Message != "model: expected a string, got a number" {
		t.Errorf("message = %q", e.Message)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
