package anthropic_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic"
)

func TestCompleteReplaysRecordings(t *testing.T) {
	cases := []struct {
		name, text string
		calls      int
		finish     llm.FinishReason
		usage      llm.Usage
	}{
		{"messages-basic", "Hello! It's nice to meet you. How are you doing today?", 0, llm.FinishStop,
			llm.Usage{InputTokens: 9, OutputTokens: 18}},
		{"messages-cache-write-and-read", "Python is a beginner-friendly", 0, llm.FinishStop,
			llm.Usage{InputTokens: 1532, CachedInputTokens: 1111, CacheWriteTokens: 418, OutputTokens: 33}},
		{"messages-tool-use", "", 1, llm.FinishToolCalls, llm.Usage{InputTokens: 620, OutputTokens: 55}},
		{"messages-tool-result-followup", "The weather in Tokyo is currently sunny", 0, llm.FinishStop,
			llm.Usage{InputTokens: 701, OutputTokens: 22}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := fixtures.Load(t, "anthropic", c.name)
			u := newUpstream(t, replay(tr))
			p := newProvider(t, u.URL, func(cfg *anthropic.Config) {
				cfg.Beta = []string{"prompt-caching-2024-07-31", "interleaved-thinking-2025-05-14"}
				cfg.Headers = map[string]string{"X-Team": "search"}
			})
			resp, err := p.Complete(context.Background(), userRequest("claude-sonnet-4-5", "Hello"))
			if err != nil {
				t.Fatal(err)
			}
			ch := resp.Choices[0]
			if resp.Provider != "anthropic" || !strings.HasPrefix(ch.Message.Text(), c.text) || len(ch.Message.ToolCalls) != c.calls || ch.FinishReason != c.finish {
				t.Errorf("provider %q choice %+v", resp.Provider, ch)
			}
			if resp.Usage != c.usage {
				t.Errorf("usage = %+v, want %+v", resp.Usage, c.usage)
			}
			got := u.last(t)
			h := got.Header
			if got.Method != "POST" || got.Path != "/v1/messages" {
				t.Errorf("called %s %s", got.Method, got.Path)
			}
			if h.Get("X-Api-Key") != testKey || h.Get("Authorization") != "" || h.Get("Anthropic-Version") != "2023-06-01" ||
				h.Get("Anthropic-Beta") != "prompt-caching-2024-07-31,interleaved-thinking-2025-05-14" ||
				h.Get("Content-Type") != "application/json" || h.Get("X-Team") != "search" {
				t.Errorf("headers = %v", h)
			}
			body := decodeJSON(t, got.Body)
			if body["max_tokens"] != float64(4096) || body["model"] != "claude-sonnet-4-5" || body["stream"] != nil {
				t.Errorf("body = %s", got.Body)
			}
		})
	}
}

func TestErrorsAreClassifiedForCompleteAndStream(t *testing.T) {
	cases := []struct {
		name   string
		kind   llm.Kind
		status int
	}{
		{"error-400-invalid-request", llm.KindInvalidRequest, 400},
		{"error-401-authentication", llm.KindUnauthenticated, 401},
		{"error-529-overloaded", llm.KindOverloaded, 529},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := fixtures.Load(t, "anthropic", c.name)
			u := newUpstream(t, replay(tr))
			p := newProvider(t, u.URL)
			_, err := p.Complete(context.Background(), userRequest("m", "hi"))
			e := asLLMError(t, err)
			if e.Kind != c.kind || e.Status != c.status || e.Provider != "anthropic" {
				t.Errorf("Complete: %+v", e)
			}
			// An error to a stream request is plain JSON, returned by Stream.
			s, err := p.Stream(context.Background(), userRequest("m", "hi"))
			if s != nil {
				t.Fatal("Stream returned a stream with the error")
			}
			if e := asLLMError(t, err); e.Kind != c.kind || e.Status != c.status {
				t.Errorf("Stream: %+v", e)
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(e.Err.Error(), testKey) {
				t.Error("the key leaked into the error")
			}
		})
	}
}

func TestRateLimitRetryAfterAndEventStreamLabelledErrors(t *testing.T) {
	u := newUpstream(t, raw(429, map[string]string{"retry-after": "7", "content-type": "text/event-stream"},
		[]byte(`{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your per-minute rate limit"}}`)))
	p := newProvider(t, u.URL)
	_, err := p.Stream(context.Background(), userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindRateLimited || e.RetryAfter != 7*time.Second || !strings.Contains(e.Message, "rate limit") {
		t.Fatalf("429 = %+v", e)
	}
}

func TestRetryAfterOnSuccessIsNotAnError(t *testing.T) {
	tr := fixtures.Load(t, "anthropic", "messages-basic") // it carries retry-after: 13
	u := newUpstream(t, replay(tr))
	if _, err := newProvider(t, u.URL).Complete(context.Background(), userRequest("m", "hi")); err != nil {
		t.Fatal(err)
	}
}

func TestNewValidatesAndDefaults(t *testing.T) {
	bad := []anthropic.Config{
		{BaseURL: "ftp://x", APIKey: "k"},
		{BaseURL: "api.anthropic.com", APIKey: "k"},
		{},
		{APIKey: "k", Headers: map[string]string{"Bad Name": "v"}},
		{APIKey: "k", Beta: []string{"a,b"}},
		{APIKey: "k", DefaultMaxTokens: -1},
	}
	for _, cfg := range bad {
		if _, err := anthropic.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		} else if strings.Contains(err.Error(), "k\"") {
			t.Errorf("error names the key: %v", err)
		}
	}
	p, err := anthropic.New(anthropic.Config{APIKey: "k"})
	if err != nil || p.Name() != "anthropic" {
		t.Fatalf("defaults: %v %v", p, err)
	}
}

func TestBaseURLWithV1AndDefaultMaxTokens(t *testing.T) {
	tr := fixtures.Load(t, "anthropic", "messages-basic")
	u := newUpstream(t, replay(tr))
	p := newProvider(t, u.URL+"/v1/", func(c *anthropic.Config) { c.DefaultMaxTokens = 123; c.Version = "2024-01-01"; c.Name = "claude-eu" })
	resp, err := p.Complete(context.Background(), userRequest("m", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	got := u.last(t)
	if got.Path != "/v1/messages" || decodeJSON(t, got.Body)["max_tokens"] != float64(123) || got.Header.Get("Anthropic-Version") != "2024-01-01" {
		t.Errorf("path %s body %s version %s", got.Path, got.Body, got.Header.Get("Anthropic-Version"))
	}
	if resp.Provider != "claude-eu" {
		t.Errorf("provider = %q", resp.Provider)
	}
}

func TestCredentialFunction(t *testing.T) {
	tr := fixtures.Load(t, "anthropic", "messages-basic")
	u := newUpstream(t, replay(tr))
	p := newProvider(t, u.URL, func(c *anthropic.Config) {
		c.APIKey = ""
		c.Credential = func(context.Context) (string, error) { return "rotated-key", nil }
	})
	if _, err := p.Complete(context.Background(), userRequest("m", "hi")); err != nil {
		t.Fatal(err)
	}
	if k := u.last(t).Header.Get("X-Api-Key"); k != "rotated-key" {
		t.Errorf("x-api-key = %q", k)
	}
	p = newProvider(t, u.URL, func(c *anthropic.Config) {
		c.Credential = func(context.Context) (string, error) { return "", errors.New("vault sealed") }
	})
	_, err := p.Complete(context.Background(), userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindUnavailable {
		t.Errorf("credential failure = %+v", e)
	}
}

func TestTransportFailures(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {})
	url := u.URL
	u.Close()
	_, err := newProvider(t, url).Complete(context.Background(), userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindUnavailable || strings.Contains(e.Error(), testKey) {
		t.Errorf("closed port = %+v", e)
	}

	slow := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = newProvider(t, slow.URL).Complete(ctx, userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindTimeout {
		t.Errorf("deadline = %+v", e)
	}

	garbage := newUpstream(t, raw(200, map[string]string{"content-type": "application/json"}, []byte(`{"type":"message","content":[`)))
	_, err = newProvider(t, garbage.URL).Complete(context.Background(), userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream {
		t.Errorf("malformed body = %+v", e)
	}

	// An error object with status 200.
	errorObj := newUpstream(t, raw(200, map[string]string{"content-type": "application/json"},
		[]byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)))
	_, err = newProvider(t, errorObj.URL).Complete(context.Background(), userRequest("m", "hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindOverloaded {
		t.Errorf("error object with 200 = %+v", e)
	}
}

func TestInvalidRequestsFailBeforeAnyCall(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { t.Error("no call expected") })
	p := newProvider(t, u.URL)
	req := userRequest("m", "hi")
	req.Messages = append(req.Messages, llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "x", Name: "f", Arguments: "{oops"}}})
	_, err := p.Complete(context.Background(), req)
	if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || e.Provider != "anthropic" || e.Param != "messages[1].tool_calls[0].function.arguments" {
		t.Errorf("invalid arguments = %+v", e)
	}
}

func TestListModels(t *testing.T) {
	u := newUpstream(t, raw(200, map[string]string{"content-type": "application/json"}, []byte(
		`{"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"}],"has_more":false,"first_id":"claude-sonnet-4-5-20250929","last_id":"claude-sonnet-4-5-20250929"}`)))
	models, err := newProvider(t, u.URL).ListModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 1 || models[0].ID != "claude-sonnet-4-5-20250929" || models[0].OwnedBy != "anthropic" || models[0].Created != 1759104000 {
		t.Fatalf("models = %+v", models)
	}
	if got := u.last(t); got.Method != "GET" || got.Path != "/v1/models" || got.RawQuery != "limit=1000" || got.Header.Get("X-Api-Key") != testKey {
		t.Errorf("called %s %s?%s", got.Method, got.Path, got.RawQuery)
	}
}
