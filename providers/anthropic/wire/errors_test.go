package wire_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
)

func errorBody(typ, msg string) []byte {
	return []byte(`{"type":"error","error":{"type":"` + typ + `","message":"` + msg + `"},"request_id":"req_1"}`)
}

func TestClassifyErrorByStatusAndType(t *testing.T) {
	cases := []struct {
		status int
		typ    string
		msg    string
		kind   llm.Kind
		code   string
	}{
		{400, "invalid_request_error", "messages: at least one message is required", llm.KindInvalidRequest, "invalid_request_error"},
		{400, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum", llm.KindContextTooLong, "context_length_exceeded"},
		{400, "invalid_request_error", "input length and `max_tokens` exceed context limit: 198000 + 8192 > 200000", llm.KindContextTooLong, "context_length_exceeded"},
		{401, "authentication_error", "invalid x-api-key", llm.KindUnauthenticated, "authentication_error"},
		{402, "billing_error", "Your credit balance is too low", llm.KindPermissionDenied, "billing_error"},
		{403, "permission_error", "Your API key does not have permission", llm.KindPermissionDenied, "permission_error"},
		{404, "not_found_error", "model: claude-9", llm.KindNotFound, "not_found_error"},
		{413, "request_too_large", "Request exceeds the maximum allowed number of bytes.", llm.KindPayloadTooLarge, "request_too_large"},
		{429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", llm.KindRateLimited, "rate_limit_error"},
		{500, "api_error", "Internal server error", llm.KindUpstream, "api_error"},
		{503, "overloaded_error", "Overloaded", llm.KindOverloaded, "overloaded_error"},
		{504, "timeout_error", "Request timed out", llm.KindTimeout, "timeout_error"},
		{529, "overloaded_error", "Overloaded", llm.KindOverloaded, "overloaded_error"},
		{418, "", "", llm.KindInvalidRequest, ""},
		{502, "", "", llm.KindUpstream, ""},
	}
	for _, c := range cases {
		e := wire.ClassifyError("anthropic", c.status, http.Header{}, errorBody(c.typ, c.msg))
		if e.Kind != c.kind || e.Status != c.status || e.Code != c.code || e.Provider != "anthropic" {
			t.Errorf("%d %s: kind %v status %d code %q, want %v %q", c.status, c.typ, e.Kind, e.Status, e.Code, c.kind, c.code)
		}
		// The same error type inside a 200 stream means the same.
		if c.typ != "" && c.status != 503 {
			s := wire.ClassifyError("anthropic", 0, nil, errorBody(c.typ, c.msg))
			if s.Kind != c.kind {
				t.Errorf("event %s: kind %v, want %v", c.typ, s.Kind, c.kind)
			}
		}
	}
}

func TestClassifyErrorNeverEchoesCredentials(t *testing.T) {
	body := errorBody("authentication_error", "invalid x-api-key sk-ant-api03-abcdefghijklmnop")
	e := wire.ClassifyError("anthropic", 401, nil, body)
	if strings.Contains(e.Error(), "sk-ant") || strings.Contains(e.Err.Error(), "abcdefghijklmnop") {
		t.Fatalf("key leaked: %q / %q", e.Error(), e.Err)
	}
	e = wire.ClassifyError("anthropic", 400, nil, errorBody("invalid_request_error", "bad key sk-ant-api03-abcdefghijklmnop here"))
	if strings.Contains(e.Message, "abcdefghijklmnop") || !strings.Contains(e.Message, "sk-***") {
		t.Fatalf("message = %q", e.Message)
	}
	e = wire.ClassifyError("anthropic", 502, nil, []byte("<html>Bad Gateway</html>"))
	if e.Kind != llm.KindUpstream || e.Message != "anthropic answered HTTP 502 Bad Gateway with a non-JSON body" {
		t.Fatalf("html body: %+v", e)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 4, 5, 10, 23, 0, 0, time.UTC)
	h := http.Header{}
	h.Set("retry-after", "13")
	if d, ok := wire.RetryAfter(h, now); !ok || d != 13*time.Second {
		t.Errorf("retry-after 13: %v %v", d, ok)
	}
	h.Set("retry-after-ms", "1500")
	if d, _ := wire.RetryAfter(h, now); d != 1500*time.Millisecond {
		t.Errorf("retry-after-ms: %v", d)
	}

	// A 429 without retry-after: the exhausted limit's reset.
	h = http.Header{}
	h.Set("anthropic-ratelimit-requests-remaining", "12")
	h.Set("anthropic-ratelimit-requests-reset", "2026-04-05T10:23:55Z")
	h.Set("anthropic-ratelimit-input-tokens-remaining", "0")
	h.Set("anthropic-ratelimit-input-tokens-reset", "2026-04-05T10:23:20Z")
	if d, ok := wire.RateLimitReset(h, now); !ok || d != 20*time.Second {
		t.Errorf("exhausted reset: %v %v", d, ok)
	}
	h.Set("anthropic-ratelimit-input-tokens-remaining", "5")
	if d, _ := wire.RateLimitReset(h, now); d != 55*time.Second {
		t.Errorf("latest reset: %v", d)
	}
	h.Set("anthropic-ratelimit-requests-reset", time.Now().Add(time.Minute).UTC().Format(time.RFC3339))
	e := wire.ClassifyError("anthropic", 429, h, errorBody("rate_limit_error", "slow down"))
	if e.RetryAfter <= 0 || e.RetryAfter > time.Minute {
		t.Errorf("429 from reset headers: retry after %v", e.RetryAfter)
	}

	// 529 carries x-should-retry and no retry-after: retryable, no delay.
	h = http.Header{}
	h.Set("x-should-retry", "true")
	e = wire.ClassifyError("anthropic", 529, h, errorBody("overloaded_error", "Overloaded"))
	if e.Kind != llm.KindOverloaded || !e.Kind.Retryable() || e.RetryAfter != 0 {
		t.Errorf("529: %+v", e)
	}
}

func TestErrorTypeForIsTheInverse(t *testing.T) {
	for _, k := range []llm.Kind{llm.KindInvalidRequest, llm.KindUnauthenticated, llm.KindPermissionDenied, llm.KindNotFound,
		llm.KindPayloadTooLarge, llm.KindRateLimited, llm.KindOverloaded, llm.KindTimeout, llm.KindUpstream} {
		status, typ := wire.ErrorTypeFor(k)
		if got := wire.ClassifyError("x", status, nil, errorBody(typ, "m")).Kind; got != k {
			t.Errorf("%v -> %d %s -> %v", k, status, typ, got)
		}
	}
}
