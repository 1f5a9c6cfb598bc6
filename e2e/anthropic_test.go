package e2e_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The Anthropic-shaped front door end to end: real gateway, real keys, each
// alias reaching the simulator through its provider's translator, spoken to
// as the Anthropic SDKs speak (x-api-key, anthropic-version, the Messages
// event stream). The official SDKs themselves are driven from the
// TypeScript and Python suites (clients/ts, clients/python).

// anthropicPost sends a Messages request with key in x-api-key.
func (g *gw) anthropicPost(t *testing.T, path, key, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, g.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	req.Header.Set("Anthropic-Version", "2023-06-01")
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.http1.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

type anthropicBlock struct {
	Type  string          `json:"type"`
	Text  string          `json:"text,omitempty"`
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
}

type anthropicMessage struct {
	ID         string           `json:"id"`
	Type       string           `json:"type"`
	Role       string           `json:"role"`
	Content    []anthropicBlock `json:"content"`
	StopReason string           `json:"stop_reason"`
	Usage      struct {
		InputTokens  int64 `json:"input_tokens"`
		OutputTokens int64 `json:"output_tokens"`
	} `json:"usage"`
}

func (m *anthropicMessage) text() string {
	var b strings.Builder
	for _, c := range m.Content {
		b.WriteString(c.Text)
	}
	return b.String()
}

func anthropicOK(t *testing.T, resp *http.Response) anthropicMessage {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var m anthropicMessage
	if err := json.Unmarshal(b, &m); err != nil || m.Type != "message" || m.Role != "assistant" || !strings.HasPrefix(m.ID, "msg_") {
		t.Fatalf("not a message (%v): %s", err, b)
	}
	return m
}

func anthropicErr(t *testing.T, resp *http.Response, status int, typ string) string {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	var e struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
		RequestID string `json:"request_id"`
	}
	if resp.StatusCode != status || json.Unmarshal(b, &e) != nil || e.Type != "error" || e.Error.Type != typ || e.RequestID == "" {
		t.Fatalf("want %d %s in Anthropic's error shape, got %d: %s", status, typ, resp.StatusCode, b)
	}
	return e.Error.Message
}

// streamedMessage assembles a Messages event stream the way the SDKs do,
// checking the event order.
func streamedMessage(t *testing.T, resp *http.Response) (anthropicMessage, []string) {
	t.Helper()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	var m anthropicMessage
	var names []string
	partial := map[int]*strings.Builder{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var ev struct {
			Type         string          `json:"type"`
			Index        int             `json:"index"`
			Message      json.RawMessage `json:"message"`
			ContentBlock anthropicBlock  `json:"content_block"`
			Delta        struct {
				Type        string `json:"type"`
				Text        string `json:"text"`
				PartialJSON string `json:"partial_json"`
				StopReason  string `json:"stop_reason"`
			} `json:"delta"`
			Usage struct {
				InputTokens  int64 `json:"input_tokens"`
				OutputTokens int64 `json:"output_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			t.Fatalf("event %q: %v", data, err)
		}
		names = append(names, ev.Type)
		switch ev.Type {
		case "message_start":
			if err := json.Unmarshal(ev.Message, &m); err != nil {
				t.Fatal(err)
			}
		case "content_block_start":
			if ev.Index != len(m.Content) {
				t.Fatalf("block %d started after %d blocks", ev.Index, len(m.Content))
			}
			m.Content = append(m.Content, ev.ContentBlock)
			partial[ev.Index] = &strings.Builder{}
		case "content_block_delta":
			switch ev.Delta.Type {
			case "text_delta":
				m.Content[ev.Index].Text += ev.Delta.Text
			case "input_json_delta":
				partial[ev.Index].WriteString(ev.Delta.PartialJSON)
			}
		case "content_block_stop":
			if m.Content[ev.Index].Type == "tool_use" {
				in := partial[ev.Index].String()
				if in == "" {
					in = "{}"
				}
				m.Content[ev.Index].Input = json.RawMessage(in)
			}
		case "message_delta":
			m.StopReason = ev.Delta.StopReason
			m.Usage.OutputTokens = ev.Usage.OutputTokens
			m.Usage.InputTokens = ev.Usage.InputTokens
		}
	}
	if len(names) < 2 || names[0] != "message_start" || names[len(names)-1] != "message_stop" {
		t.Fatalf("events %v", names)
	}
	return m, names
}

const anthropicWeatherTool = `{"name":"get_weather","description":"Current weather in a city","input_schema":{"type":"object",` +
	`"properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["c","f"]}},"required":["city","unit"],"additionalProperties":false}}`

func TestAnthropicFrontDoor(t *testing.T) {
	g := startGateway(t)
	_, secret := g.createKey(t, "anthropic-e2e")
	plain := `{"model":"demo","max_tokens":256,"system":"You are terse.","messages":[{"role":"user","content":"Say hello."}]}`

	var unary anthropicMessage
	t.Run("plain", func(t *testing.T) {
		unary = anthropicOK(t, g.anthropicPost(t, "/v1/messages", secret, plain))
		if unary.text() == "" || unary.StopReason != "end_turn" || unary.Usage.InputTokens == 0 || unary.Usage.OutputTokens == 0 {
			t.Fatalf("message %+v", unary)
		}
	})

	t.Run("streaming", func(t *testing.T) {
		body := strings.Replace(plain, `"max_tokens":256`, `"max_tokens":256,"stream":true`, 1)
		m, names := streamedMessage(t, g.anthropicPost(t, "/v1/messages", secret, body))
		if names[1] != "content_block_start" || names[2] != "ping" || names[len(names)-2] != "message_delta" {
			t.Fatalf("events %v", names)
		}
		if m.text() != unary.text() || m.StopReason != "end_turn" || m.Usage.OutputTokens != unary.Usage.OutputTokens {
			t.Fatalf("streamed %+v, unary %+v", m, unary)
		}
	})

	t.Run("tool round trip", func(t *testing.T) {
		perDialect(t, func(t *testing.T, alias string) bool {
			ask := `{"role":"user","content":"What is the weather in Paris?"}`
			body := `{"model":"` + alias + `","max_tokens":256,"tools":[` + anthropicWeatherTool + `],` +
				`"tool_choice":{"type":"tool","name":"get_weather"},"messages":[` + ask + `]}`
			m := anthropicOK(t, g.anthropicPost(t, "/v1/messages", secret, body))
			var call *anthropicBlock
			for i := range m.Content {
				if m.Content[i].Type == "tool_use" {
					call = &m.Content[i]
				}
			}
			if call == nil || m.StopReason != "tool_use" || call.Name != "get_weather" || !strings.HasPrefix(call.ID, "toolu_") {
				t.Fatalf("message %+v", m)
			}
			var args map[string]any
			if err := json.Unmarshal(call.Input, &args); err != nil || args["city"] == nil || (args["unit"] != "c" && args["unit"] != "f") {
				t.Fatalf("input %s does not match the schema", call.Input)
			}

			// The same call, streamed as input_json_delta fragments.
			sm, _ := streamedMessage(t, g.anthropicPost(t, "/v1/messages", secret, strings.Replace(body, `"max_tokens":256`, `"max_tokens":256,"stream":true`, 1)))
			var scall *anthropicBlock
			for i := range sm.Content {
				if sm.Content[i].Type == "tool_use" {
					scall = &sm.Content[i]
				}
			}
			if scall == nil || scall.ID != call.ID || string(scall.Input) != string(call.Input) || sm.StopReason != "tool_use" {
				t.Fatalf("streamed %+v, unary call %+v", sm, call)
			}

			// The result goes back as a tool_result naming the call.
			assistant, _ := json.Marshal(m.Content)
			next := `{"model":"` + alias + `","max_tokens":256,"tools":[` + anthropicWeatherTool + `],"messages":[` + ask +
				`,{"role":"assistant","content":` + string(assistant) + `},` +
				`{"role":"user","content":[{"type":"tool_result","tool_use_id":` + quote(call.ID) + `,"content":"18 degrees"}]}]}`
			answer := anthropicOK(t, g.anthropicPost(t, "/v1/messages", secret, next))
			if answer.text() == "" || answer.StopReason != "end_turn" {
				t.Fatalf("after the tool result: %+v", answer)
			}
			return true
		})
	})

	t.Run("count_tokens", func(t *testing.T) {
		resp := g.anthropicPost(t, "/v1/messages/count_tokens", secret, `{"model":"demo-gemini","messages":[{"role":"user","content":"Count me."}]}`)
		b, _ := io.ReadAll(resp.Body)
		var out struct {
			InputTokens int64 `json:"input_tokens"`
		}
		if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &out) != nil || out.InputTokens <= 0 {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
	})

	t.Run("errors", func(t *testing.T) {
		anthropicErr(t, g.anthropicPost(t, "/v1/messages", "sk-sb-not-a-key", plain), 401, "authentication_error")
		anthropicErr(t, g.anthropicPost(t, "/v1/messages", secret, strings.Replace(plain, `"demo"`, `"no-such-alias"`, 1)), 404, "not_found_error")
		msg := anthropicErr(t, g.anthropicPost(t, "/v1/messages", secret, strings.Replace(plain, `"max_tokens":256,`, ``, 1)), 400, "invalid_request_error")
		if !strings.Contains(msg, "max_tokens") {
			t.Fatalf("message %q", msg)
		}
		anthropicErr(t, g.anthropicPost(t, "/v1/messages/count_tokens", secret, `{"model":"no-such-alias","messages":[{"role":"user","content":"x"}]}`), 404, "not_found_error")
		// Upstream failures, provoked in the simulator, in Anthropic's shape.
		for _, stream := range []string{"false", "true"} {
			body := `{"model":"demo-anthropic","max_tokens":64,"stream":` + stream + `,"messages":[{"role":"user","content":"Hi [[sim status=429 retry_after=2]]"}]}`
			resp := g.anthropicPost(t, "/v1/messages", secret, body)
			if resp.Header.Get("Retry-After") != "2" {
				t.Fatalf("retry-after %q", resp.Header.Get("Retry-After"))
			}
			anthropicErr(t, resp, 429, "rate_limit_error")
		}
		overloaded := `{"model":"demo-gemini","max_tokens":64,"messages":[{"role":"user","content":"Hi [[sim status=503]]"}]}`
		anthropicErr(t, g.anthropicPost(t, "/v1/messages", secret, overloaded), 529, "overloaded_error")
		g.stillServes(t, secret)
	})
}
