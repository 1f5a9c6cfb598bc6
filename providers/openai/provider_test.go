package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai"
)

func TestCompleteReplaysFixtures(t *testing.T) {
	cases := []struct {
		name, model string
		text        string
		calls       int
		finish      llm.FinishReason
		usage       llm.Usage
	}{
		{"chat-basic", "gpt-5-nano", "Hi there! How can I help you today?", 0, llm.FinishStop,
			llm.Usage{InputTokens: 8, OutputTokens: 377, ReasoningTokens: 320}},
		{"chat-cached-tokens", "gpt-4.1", "Hello!", 0, llm.FinishStop,
			llm.Usage{InputTokens: 1144, CachedInputTokens: 1024, OutputTokens: 2}},
		{"chat-tool-call", "gpt-5-nano", "", 1, llm.FinishToolCalls,
			llm.Usage{InputTokens: 162, OutputTokens: 287, ReasoningTokens: 256}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := fixtures.Load(t, "openai", c.name)
			u := newUpstream(t, replay(tr))
			p := newProvider(t, u)
			resp, err := p.Complete(context.Background(), userRequest(c.model, "Hello!"))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Provider != "openai" || len(resp.Choices) != 1 {
				t.Fatalf("provider %q choices %d", resp.Provider, len(resp.Choices))
			}
			ch := resp.Choices[0]
			if !strings.HasPrefix(ch.Message.Text(), c.text) || len(ch.Message.ToolCalls) != c.calls || ch.FinishReason != c.finish {
				t.Errorf("choice = %+v", ch)
			}
			if resp.Usage != c.usage {
				t.Errorf("usage = %+v, want %+v", resp.Usage, c.usage)
			}
			got := u.last(t)
			if got.Method != "POST" || got.Path != "/v1/chat/completions" {
				t.Errorf("called %s %s", got.Method, got.Path)
			}
			if got.Header.Get("Authorization") != "Bearer "+testKey || got.Header.Get("Content-Type") != "application/json" {
				t.Errorf("headers = %v", got.Header)
			}
			body := decodeJSON(t, got.Body)
			if body["model"] != c.model || body["stream"] != nil {
				t.Errorf("sent body = %s", got.Body)
			}
		})
	}
}

func TestStreamReplaysFixtures(t *testing.T) {
	t.Run("chat-stream-basic", func(t *testing.T) {
		tr := fixtures.Load(t, "openai", "chat-stream-basic")
		u := newUpstream(t, replay(tr))
		p := newProvider(t, u)
		s, err := p.Stream(context.Background(), userRequest("gpt-5-nano", "Hello!"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := llm.Collect(s)
		if err != nil {
			t.Fatal(err)
		}
		text := resp.Choices[0].Message.Text()
		if !strings.HasPrefix(text, "Hi there! How can I help today?") || !strings.HasSuffix(text, "curious about.") {
			t.Errorf("text = %q", text)
		}
		if resp.Choices[0].FinishReason != llm.FinishStop || resp.Provider != "openai" {
			t.Errorf("finish %q provider %q", resp.Choices[0].FinishReason, resp.Provider)
		}
		sent := decodeJSON(t, u.last(t).Body)
		if sent["stream"] != true || fmt.Sprint(sent["stream_options"]) != "map[include_usage:true]" {
			t.Errorf("stream request = %s", u.last(t).Body)
		}
		if u.last(t).Header.Get("Accept") != "text/event-stream" {
			t.Errorf("accept = %q", u.last(t).Header.Get("Accept"))
		}
	})
	t.Run("chat-stream-tool-call-include-usage", func(t *testing.T) {
		tr := fixtures.Load(t, "openai", "chat-stream-tool-call-include-usage")
		u := newUpstream(t, replay(tr))
		p := newProvider(t, u)
		s, err := p.Stream(context.Background(), userRequest("gpt-4o-mini", "What is the capital of the UK?"))
		if err != nil {
			t.Fatal(err)
		}
		var chunks []llm.Chunk
		for {
			c, err := s.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					t.Fatal(err)
				}
				break
			}
			chunks = append(chunks, c)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		var acc llm.Accumulator
		for _, c := range chunks {
			acc.Add(c)
		}
		resp := acc.Response()
		calls := resp.Choices[0].Message.ToolCalls
		if len(calls) != 1 || calls[0].ID != "call_ZR5UUuTt3pf61kjwAJIYdVMj" || calls[0].Name != "get_capital" || calls[0].Arguments != `{"country":"UK"}` {
			t.Errorf("calls = %+v", calls)
		}
		if resp.Usage != (llm.Usage{InputTokens: 53, OutputTokens: 15}) {
			t.Errorf("usage = %+v", resp.Usage)
		}
		if last := chunks[len(chunks)-1]; last.Usage == nil {
			t.Error("usage is not on the last chunk")
		}
		if first := chunks[0]; first.ToolCalls[0].ID == "" || first.ToolCalls[0].Name != "get_capital" {
			t.Errorf("first chunk = %+v", first)
		}
	})
}

func TestEmbedReplaysFixture(t *testing.T) {
	tr := fixtures.Load(t, "openai", "embeddings-float")
	u := newUpstream(t, replay(tr))
	p := newProvider(t, u)
	resp, err := p.Embed(context.Background(), &llm.EmbedRequest{Model: "text-embedding-3-small", Inputs: []string{"How do I reset my password?"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Embeddings) != 1 || len(resp.Embeddings[0]) != 1536 || resp.Usage.InputTokens != 7 || resp.Provider != "openai" {
		t.Fatalf("embeddings %d, usage %+v, provider %q", len(resp.Embeddings), resp.Usage, resp.Provider)
	}
	got := u.last(t)
	if got.Path != "/v1/embeddings" {
		t.Errorf("path = %s", got.Path)
	}
	if body := decodeJSON(t, got.Body); body["input"] != "How do I reset my password?" || body["model"] != "text-embedding-3-small" {
		t.Errorf("sent = %s", got.Body)
	}
}

func TestEmbedBase64(t *testing.T) {
	// float32 1.0, -2.5 little-endian, base64: what OpenAI returns for encoding_format=base64.
	body := `{"object":"list","data":[{"object":"embedding","index":1,"embedding":"AAAgwAAAgD8="},{"object":"embedding","index":0,"embedding":"AACAPwAAIMA="}],"model":"m","usage":{"prompt_tokens":4,"total_tokens":4}}`
	u := newUpstream(t, raw(200, map[string]string{"content-type": "application/json"}, []byte(body)))
	p := newProvider(t, u, func(c *openai.Config) { c.EmbeddingEncoding = "base64" })
	resp, err := p.Embed(context.Background(), &llm.EmbedRequest{Model: "m", Inputs: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(resp.Embeddings) != "[[1 -2.5] [-2.5 1]]" {
		t.Errorf("vectors = %v", resp.Embeddings)
	}
	if sent := decodeJSON(t, u.last(t).Body); sent["encoding_format"] != "base64" || fmt.Sprint(sent["input"]) != "[a b]" {
		t.Errorf("sent = %s", u.last(t).Body)
	}
}

func TestListModelsReplaysFixture(t *testing.T) {
	tr := fixtures.Load(t, "openai", "models-list")
	u := newUpstream(t, replay(tr))
	p := newProvider(t, u)
	models, err := p.ListModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 3 || models[2].ID != "model-id-2" || models[2].OwnedBy != "openai" {
		t.Errorf("models = %+v", models)
	}
	if got := u.last(t); got.Method != "GET" || got.Path != "/v1/models" {
		t.Errorf("called %s %s", got.Method, got.Path)
	}
}

func TestErrorFixturesThroughProvider(t *testing.T) {
	want := map[string]llm.Kind{
		"error-400-context-length-exceeded": llm.KindContextTooLong,
		"error-400-unsupported-parameter":   llm.KindInvalidRequest,
		"error-401-invalid-api-key":         llm.KindUnauthenticated,
		"error-404-model-not-found":         llm.KindNotFound,
	}
	for name, kind := range want {
		t.Run(name, func(t *testing.T) {
			tr := fixtures.Load(t, "openai", name)
			u := newUpstream(t, replay(tr))
			p := newProvider(t, u)
			for _, stream := range []bool{false, true} {
				var err error
				if stream {
					_, err = p.Stream(context.Background(), userRequest("m", "hi"))
				} else {
					_, err = p.Complete(context.Background(), userRequest("m", "hi"))
				}
				e := asLLMError(t, err)
				if e.Kind != kind || e.Status != tr.Response.Status || e.Provider != "openai" {
					t.Errorf("stream=%v: kind %v status %d provider %q", stream, e.Kind, e.Status, e.Provider)
				}
				full := fmt.Sprintf("%v %+v %v", err, e, e.Err)
				if strings.Contains(full, "XXXXX") || strings.Contains(full, testKey) {
					t.Errorf("secret in error: %s", full)
				}
			}
		})
	}
}

func TestRateLimitRetryAfter(t *testing.T) {
	u := newUpstream(t, raw(429, map[string]string{
		"content-type":                   "application/json",
		"retry-after":                    "7",
		"x-ratelimit-remaining-requests": "0",
		"x-ratelimit-reset-requests":     "6m0s",
	}, []byte(`{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}`)))
	p := newProvider(t, u)
	_, err := p.Complete(context.Background(), userRequest("m", "hi"))
	e := asLLMError(t, err)
	if e.Kind != llm.KindRateLimited || e.RetryAfter != 7*time.Second || e.Code != "rate_limit_exceeded" || !e.Kind.Retryable() {
		t.Errorf("got %v retry %v code %q", e.Kind, e.RetryAfter, e.Code)
	}
}

func TestCompleteFailures(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		kind    llm.Kind
		message string
	}{
		{"malformed JSON", raw(200, map[string]string{"content-type": "application/json"}, []byte(`{"id": "x", "choices": [`)),
			llm.KindUpstream, "malformed response from openai"},
		{"error object with 200", raw(200, map[string]string{"content-type": "application/json"},
			[]byte(`{"error":{"message":"Rate limit exceeded: free-models-per-day","code":429}}`)),
			llm.KindRateLimited, "free-models-per-day"},
		{"no choices", raw(200, map[string]string{"content-type": "application/json"}, []byte(`{"id":"x","object":"chat.completion","choices":[]}`)),
			llm.KindUpstream, "no choices"},
		{"HTML 502", raw(502, map[string]string{"content-type": "text/html"}, []byte("<html>bad gateway</html>")),
			llm.KindUpstream, "HTTP 502"},
		{"503", raw(503, nil, []byte(`{"error":{"message":"overloaded","type":"server_error"}}`)), llm.KindOverloaded, "overloaded"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newProvider(t, newUpstream(t, c.handler))
			_, err := p.Complete(context.Background(), userRequest("m", "hi"))
			e := asLLMError(t, err)
			if e.Kind != c.kind || !strings.Contains(e.Message, c.message) || e.Provider != "openai" {
				t.Errorf("got kind %v message %q provider %q", e.Kind, e.Message, e.Provider)
			}
		})
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	p, err := openai.New(openai.Config{Name: "vllm", BaseURL: "http://" + addr + "/v1", AuthStyle: openai.AuthNone})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Complete(context.Background(), userRequest("m", "hi"))
	e := asLLMError(t, err)
	if e.Kind != llm.KindUnavailable || e.Provider != "vllm" || !strings.Contains(e.Message, "connection refused") {
		t.Errorf("got %v: %q", e.Kind, e.Message)
	}
	if strings.Contains(e.Message, addr) {
		t.Errorf("message exposes the upstream address: %q", e.Message)
	}
	if _, err := p.Stream(context.Background(), userRequest("m", "hi")); llm.KindOf(err) != llm.KindUnavailable {
		t.Errorf("stream: %v", err)
	}
}

func TestDeadlineAndCancelBeforeAnswer(t *testing.T) {
	release := make(chan struct{})
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	p := newProvider(t, u)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := p.Complete(ctx, userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindTimeout {
		t.Errorf("deadline: %v", e.Kind)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = p.Complete(ctx, userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindCanceled {
		t.Errorf("cancel: %v", e.Kind)
	}
}

func TestAuthStyles(t *testing.T) {
	u := newUpstream(t, replay(fixtures.Load(t, "openai", "chat-basic")))
	cases := []struct {
		name   string
		mutate func(*openai.Config)
		check  func(h http.Header) bool
	}{
		{"bearer", func(c *openai.Config) {}, func(h http.Header) bool {
			return h.Get("Authorization") == "Bearer "+testKey && h.Get("Api-Key") == ""
		}},
		{"api-key header", func(c *openai.Config) { c.AuthStyle = openai.AuthAPIKeyHeader }, func(h http.Header) bool {
			return h.Get("Api-Key") == testKey && h.Get("Authorization") == ""
		}},
		{"none", func(c *openai.Config) { c.AuthStyle = openai.AuthNone; c.APIKey = "" }, func(h http.Header) bool {
			return h.Get("Authorization") == "" && h.Get("Api-Key") == ""
		}},
		{"credential wins", func(c *openai.Config) {
			c.Credential = func(context.Context) (string, error) { return "sk-from-vault", nil }
		}, func(h http.Header) bool { return h.Get("Authorization") == "Bearer sk-from-vault" }},
		{"extra headers", func(c *openai.Config) {
			c.Headers = map[string]string{"OpenAI-Organization": "org-1", "HTTP-Referer": "https://example.com"}
		}, func(h http.Header) bool {
			return h.Get("Openai-Organization") == "org-1" && h.Get("Http-Referer") == "https://example.com" && h.Get("Authorization") != ""
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newProvider(t, u, c.mutate)
			if _, err := p.Complete(context.Background(), userRequest("gpt-5-nano", "Hello!")); err != nil {
				t.Fatal(err)
			}
			if h := u.last(t).Header; !c.check(h) {
				t.Errorf("headers = %v", h)
			}
		})
	}
}

func TestCredentialFailure(t *testing.T) {
	u := newUpstream(t, replay(fixtures.Load(t, "openai", "chat-basic")))
	p := newProvider(t, u, func(c *openai.Config) {
		c.Credential = func(context.Context) (string, error) { return "", fmt.Errorf("vault sealed") }
	})
	_, err := p.Complete(context.Background(), userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindUnavailable || !strings.Contains(e.Message, "credentials") {
		t.Errorf("got %v %q", e.Kind, e.Message)
	}
	if u.count() != 0 {
		t.Error("the call was sent without credentials")
	}
}

func TestBaseURLQueryKept(t *testing.T) {
	u := newUpstream(t, replay(fixtures.Load(t, "openai", "chat-basic")))
	p := newProvider(t, u, func(c *openai.Config) { c.BaseURL = u.URL + "/openai/v1/?api-version=preview" })
	if _, err := p.Complete(context.Background(), userRequest("m", "hi")); err != nil {
		t.Fatal(err)
	}
	if got := u.last(t); got.Path != "/openai/v1/chat/completions" || got.RawQuery != "api-version=preview" {
		t.Errorf("called %s?%s", got.Path, got.RawQuery)
	}
}

func TestNewValidates(t *testing.T) {
	cases := []openai.Config{
		{BaseURL: "https://api.openai.com/v1", APIKey: "k"},
		{Name: "x", BaseURL: "api.openai.com/v1", APIKey: "k"},
		{Name: "x", BaseURL: "ftp://host/v1", APIKey: "k"},
		{Name: "x", BaseURL: "https://api.openai.com/v1"},
		{Name: "x", BaseURL: "https://api.openai.com/v1", APIKey: "k", AuthStyle: 9},
		{Name: "x", BaseURL: "https://api.openai.com/v1", APIKey: "k", Request: wireOptions("max_output_tokens")},
		{Name: "x", BaseURL: "https://api.openai.com/v1", APIKey: "k", Headers: map[string]string{"Bad Header": "v"}},
		{Name: "x", BaseURL: "https://api.openai.com/v1", APIKey: "k", EmbeddingEncoding: "int8"},
	}
	for i, cfg := range cases {
		if _, err := openai.New(cfg); err == nil {
			t.Errorf("case %d: New accepted %+v", i, cfg)
		} else if strings.Contains(err.Error(), "k\"") {
			t.Errorf("case %d: error shows the key: %v", i, err)
		}
	}
}

func TestPresets(t *testing.T) {
	for _, vendor := range openai.Presets() {
		cfg, ok := openai.Preset(vendor)
		if !ok || cfg.Name != vendor || cfg.BaseURL == "" {
			t.Fatalf("preset %s = %+v, %v", vendor, cfg, ok)
		}
		cfg.APIKey = "k"
		if _, err := openai.New(cfg); err != nil {
			t.Errorf("preset %s does not validate: %v", vendor, err)
		}
	}
	if _, ok := openai.Preset("nope"); ok {
		t.Error("unknown vendor has a preset")
	}
}

// TestPresetRequestDifferences checks the vendor differences reach the wire.
func TestPresetRequestDifferences(t *testing.T) {
	tr := fixtures.Load(t, "openai", "chat-stream-basic")
	u := newUpstream(t, replay(tr))
	for vendor, want := range map[string]string{
		"openai":  `"max_completion_tokens":5`,
		"mistral": `"max_tokens":5`,
	} {
		cfg, _ := openai.Preset(vendor)
		cfg.BaseURL, cfg.APIKey = u.URL+"/v1", "k"
		p, err := openai.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		req := userRequest("m", "hi")
		req.MaxTokens = new(int64)
		*req.MaxTokens = 5
		s, err := p.Stream(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := llm.Collect(s); err != nil {
			t.Fatal(err)
		}
		body := string(u.last(t).Body)
		if !strings.Contains(body, want) {
			t.Errorf("%s: body %s lacks %s", vendor, body, want)
		}
		if hasUsage := strings.Contains(body, "include_usage"); hasUsage != (vendor == "openai") {
			t.Errorf("%s: include_usage sent = %v", vendor, hasUsage)
		}
	}
}

func TestProviderOptionsByInstanceName(t *testing.T) {
	u := newUpstream(t, replay(fixtures.Load(t, "openai", "chat-basic")))
	p := newProvider(t, u, func(c *openai.Config) { c.Name = "groq" })
	req := userRequest("m", "hi")
	req.ProviderOptions = map[string]json.RawMessage{
		"openai": json.RawMessage(`{"service_tier":"flex","logprobs":true}`),
		"groq":   json.RawMessage(`{"service_tier":"on_demand"}`),
	}
	resp, err := p.Complete(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Provider != "groq" {
		t.Errorf("provider = %q", resp.Provider)
	}
	sent := decodeJSON(t, u.last(t).Body)
	if sent["service_tier"] != "on_demand" || sent["logprobs"] != true {
		t.Errorf("sent = %s", u.last(t).Body)
	}
}
