package wire_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

func headers(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestClassifyError(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		h       http.Header
		body    string
		kind    llm.Kind
		code    string
		param   string
		message string
		status2 int // expected Status when it differs from status
	}{
		{name: "context by message only", status: 400,
			body: `{"error":{"message":"This model's maximum context length is 8192 tokens, however you requested 9000 tokens.","type":"invalid_request_error","param":null,"code":null}}`,
			kind: llm.KindContextTooLong, message: "maximum context length is 8192"},
		{name: "content filter (Azure)", status: 400,
			body: `{"error":{"message":"The response was filtered","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation"}}}`,
			kind: llm.KindContentFiltered, code: "content_filter", param: "prompt", message: "The response was filtered"},
		{name: "content policy", status: 400,
			body: `{"error":{"message":"Your request was rejected by the safety system.","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}`,
			kind: llm.KindContentFiltered, code: "content_policy_violation"},
		{name: "plain 400 with param", status: 400,
			body: `{"error":{"message":"Invalid type for 'temperature'","type":"invalid_request_error","param":"temperature","code":"invalid_type"}}`,
			kind: llm.KindInvalidRequest, code: "invalid_type", param: "temperature", message: "Invalid type for 'temperature'"},
		{name: "422 Mistral object message", status: 422,
			body: `{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","stream_options","include_usage"],"msg":"Extra inputs are not permitted","input":true}]},"type":"invalid_request_error","param":null,"code":null}`,
			kind: llm.KindInvalidRequest, message: "Extra inputs are not permitted"},
		{name: "Mistral numeric code", status: 422,
			body: `{"object":"Error","message":"bad tools","type":"invalid_request_error","code":3001}`,
			kind: llm.KindInvalidRequest, code: "3001", message: "bad tools"},
		{name: "413", status: 413, body: `{"error":{"message":"Request too large","type":"invalid_request_error"}}`,
			kind: llm.KindInvalidRequest, message: "Request too large"},
		{name: "403", status: 403,
			body: `{"error":{"message":"Project proj_123 does not have access to model gpt-5","type":"invalid_request_error","code":"model_not_found"}}`,
			kind: llm.KindPermissionDenied, code: "model_not_found", message: "refused the gateway's credentials"},
		{name: "404 Ollama string error", status: 404, body: `{"error":"model \"llama9\" not found, try pulling it first"}`,
			kind: llm.KindNotFound, message: `model "llama9" not found`},
		{name: "408", status: 408, body: ``, kind: llm.KindTimeout, message: "openai answered HTTP 408 Request Timeout with a non-JSON body"},
		{name: "429 quota", status: 429,
			body: `{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`,
			kind: llm.KindRateLimited, code: "insufficient_quota", message: "exceeded your current quota"},
		{name: "500", status: 500, body: `{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}`,
			kind: llm.KindUpstream, message: "The server had an error"},
		{name: "502 HTML from a proxy", status: 502, h: headers("Content-Type", "text/html"),
			body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>",
			kind: llm.KindUpstream, message: "openai answered HTTP 502 Bad Gateway with a non-JSON body"},
		{name: "503", status: 503, body: `{"error":{"message":"The engine is currently overloaded, please try again later","type":"server_error"}}`,
			kind: llm.KindOverloaded, message: "overloaded"},
		{name: "529", status: 529, body: `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
			kind: llm.KindOverloaded, message: "Overloaded"},
		{name: "504", status: 504, body: `upstream request timeout`, kind: llm.KindTimeout},
		{name: "other 5xx", status: 520, body: ``, kind: llm.KindUpstream},
		{name: "other 4xx", status: 409, body: `{"error":{"message":"conflict"}}`, kind: llm.KindInvalidRequest, message: "conflict"},
		{name: "vLLM numeric code", status: 400, body: `{"object":"error","message":"This model's maximum context length is 4096 tokens.","type":"BadRequestError","param":null,"code":400}`,
			kind: llm.KindContextTooLong, code: "400"},

		// Error objects met outside an error status (in a stream, or in a 200 body).
		{name: "in-stream server error", status: 0,
			body: `{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`,
			kind: llm.KindUpstream, message: "The server had an error"},
		{name: "in-stream rate limit", status: 0,
			body: `{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`,
			kind: llm.KindRateLimited, code: "rate_limit_exceeded", status2: 429},
		{name: "OpenRouter numeric status in 200 body", status: 200,
			body: `{"error":{"code":502,"message":"Provider returned error","metadata":{"provider_name":"X"}}}`,
			kind: llm.KindUpstream, code: "502", status2: 502, message: "Provider returned error"},
		{name: "in-stream context", status: 0,
			body: `{"error":{"message":"too long","type":"invalid_request_error","code":"context_length_exceeded"}}`,
			kind: llm.KindContextTooLong, code: "context_length_exceeded"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := wire.ClassifyError("openai", c.status, c.h, []byte(c.body))
			wantStatus := c.status
			if c.status2 != 0 || c.status < 400 {
				wantStatus = c.status2
			}
			if e.Kind != c.kind || e.Code != c.code || e.Param != c.param || e.Status != wantStatus || e.Provider != "openai" {
				t.Errorf("got kind %v code %q param %q status %d provider %q", e.Kind, e.Code, e.Param, e.Status, e.Provider)
			}
			if !strings.Contains(e.Message, c.message) {
				t.Errorf("message %q does not contain %q", e.Message, c.message)
			}
			if strings.Contains(e.Message, "<html>") {
				t.Errorf("HTML in message: %q", e.Message)
			}
		})
	}
}

func TestClassifyErrorRetryAfter(t *testing.T) {
	body := []byte(`{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 30000, Requested 500.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}`)
	cases := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"retry-after-ms", headers("Retry-After-Ms", "1500", "Retry-After", "9"), 1500 * time.Millisecond},
		{"retry-after seconds", headers("Retry-After", "20"), 20 * time.Second},
		{"retry-after fractional", headers("Retry-After", "0.5"), 500 * time.Millisecond},
		{"retry-after date", headers("Retry-After", time.Now().Add(90*time.Second).UTC().Format(http.TimeFormat)), 90 * time.Second},
		{"tokens exhausted", headers("X-Ratelimit-Remaining-Tokens", "0", "X-Ratelimit-Reset-Tokens", "6m0s",
			"X-Ratelimit-Remaining-Requests", "499", "X-Ratelimit-Reset-Requests", "120ms"), 6 * time.Minute},
		{"requests exhausted", headers("X-Ratelimit-Remaining-Requests", "0", "X-Ratelimit-Reset-Requests", "120ms",
			"X-Ratelimit-Remaining-Tokens", "10", "X-Ratelimit-Reset-Tokens", "6m0s"), 120 * time.Millisecond},
		{"unknown which: the longer", headers("X-Ratelimit-Reset-Requests", "1s", "X-Ratelimit-Reset-Tokens", "2.5s"), 2500 * time.Millisecond},
		{"none", headers(), 0},
		{"garbage", headers("Retry-After", "soon"), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := wire.ClassifyError("openai", 429, c.h, body)
			if e.Kind != llm.KindRateLimited || e.Code != "rate_limit_exceeded" {
				t.Fatalf("kind %v code %q", e.Kind, e.Code)
			}
			// An HTTP date has one-second resolution and the clock moves.
			if d := e.RetryAfter - c.want; d > 0 || d < -2*time.Second || (c.name != "retry-after date" && d != 0) {
				t.Errorf("RetryAfter = %v, want %v", e.RetryAfter, c.want)
			}
		})
	}
	// Retry-After is honoured on an overloaded 503 too.
	if e := wire.ClassifyError("openai", 503, headers("Retry-After", "3"), nil); e.Kind != llm.KindOverloaded || e.RetryAfter != 3*time.Second {
		t.Errorf("503: %v %v", e.Kind, e.RetryAfter)
	}
}

func TestClassifyErrorRedactsSecrets(t *testing.T) {
	secrets := []string{"sk-proj-AbCdEf1234567890abcdef", "Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "AIzaSyA1234567890abcdefghijklmnopqrs", "key=verysecretvalue"}
	body := `{"error":{"message":"Key sk-proj-AbCdEf1234567890abcdef rejected; header was Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig; url https://x/?key=verysecretvalue&alt=sse AIzaSyA1234567890abcdefghijklmnopqrs","type":"invalid_request_error","code":"bad"}}`
	for _, status := range []int{400, 401, 403, 500, 0} {
		e := wire.ClassifyError("groq", status, nil, []byte(body))
		for _, text := range []string{e.Error(), e.Message, e.Err.Error()} {
			for _, s := range secrets {
				if strings.Contains(text, s) || strings.Contains(text, "verysecret") || strings.Contains(text, "payload.sig") {
					t.Errorf("status %d: secret %q leaked in %q", status, s, text)
				}
			}
		}
	}
	if e := wire.ClassifyError("groq", 401, nil, []byte(body)); e.Message != "the provider rejected the gateway's credentials for groq" {
		t.Errorf("401 message = %q", e.Message)
	}
	// Ordinary words containing "sk-" are not mangled.
	if got := wire.RedactSecrets("task-runner failed; risk-free"); got != "task-runner failed; risk-free" {
		t.Errorf("over-redaction: %q", got)
	}
}
