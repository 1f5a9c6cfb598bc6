package anthropic_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

// Each error kind from the core reaches the client with Anthropic's status
// and error type.
func TestErrorKinds(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		typ    string
	}{
		{&llm.Error{Kind: llm.KindInvalidRequest, Message: "bad"}, 400, "invalid_request_error"},
		{&llm.Error{Kind: llm.KindContentFiltered, Message: "no"}, 400, "invalid_request_error"},
		{&llm.Error{Kind: llm.KindPermissionDenied, Message: "not this model"}, 403, "permission_error"},
		{&llm.Error{Kind: llm.KindNotFound, Message: "no such alias"}, 404, "not_found_error"},
		{&llm.Error{Kind: llm.KindRateLimited, Message: "slow down"}, 429, "rate_limit_error"},
		{&llm.Error{Kind: llm.KindUpstream, Provider: "sim", Message: "broke"}, 502, "api_error"},
		{&llm.Error{Kind: llm.KindUnavailable, Message: "key store unavailable"}, 503, "api_error"},
		{&llm.Error{Kind: llm.KindTimeout, Message: "too slow"}, 504, "timeout_error"},
		{&llm.Error{Kind: llm.KindOverloaded, Provider: "sim", Message: "Overloaded"}, 529, "overloaded_error"},
		{errors.New("a bug with secrets in it"), 500, "api_error"},
		// The provider refusing the gateway's credentials is not the caller's fault.
		{&llm.Error{Kind: llm.KindUnauthenticated, Provider: "sim", Message: "bad upstream key"}, 502, "api_error"},
	} {
		core := &servertest.Core{CompleteFunc: func(context.Context, *llm.Request) (*llm.Response, error) { return nil, tc.err }}
		d := newDoor(t, core, core, 0)
		e := wantError(t, d.post(t, "/v1/messages", simpleBody), tc.status, tc.typ)
		if strings.Contains(e.Error.Message, "secrets") || strings.Contains(e.Error.Message, "upstream key") {
			t.Errorf("%v: message %q shows internals", tc.err, e.Error.Message)
		}
	}
}

func TestRetryAfterAndContextTooLong(t *testing.T) {
	core := &servertest.Core{CompleteFunc: func(_ context.Context, req *llm.Request) (*llm.Response, error) {
		if req.Messages[0].Text() == "long" {
			return nil, &llm.Error{Kind: llm.KindContextTooLong, Provider: "sim", Message: "input exceeds the context window"}
		}
		return nil, &llm.Error{Kind: llm.KindRateLimited, Message: "slow down", RetryAfter: 2 * time.Second}
	}}
	d := newDoor(t, core, core, 0)
	resp := d.post(t, "/v1/messages", simpleBody)
	wantError(t, resp, 429, "rate_limit_error")
	if resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("retry-after %q", resp.Header.Get("Retry-After"))
	}
	// Coding agents compact their history when they read these words.
	e := wantError(t, d.post(t, "/v1/messages", `{"model":"demo","max_tokens":5,"messages":[{"role":"user","content":"long"}]}`), 400, "invalid_request_error")
	if !strings.HasPrefix(e.Error.Message, "prompt is too long") {
		t.Fatalf("message %q", e.Error.Message)
	}
}

func TestAuthenticationErrors(t *testing.T) {
	d := newTestDoor(t)
	e := wantError(t, d.post(t, "/v1/messages", simpleBody, "X-Api-Key", ""), 401, "authentication_error")
	if !strings.Contains(e.Error.Message, "x-api-key") {
		t.Fatalf("message %q does not say where the key goes", e.Error.Message)
	}
	wantError(t, d.post(t, "/v1/messages", simpleBody, "X-Api-Key", "sk-sb-nonsense"), 401, "authentication_error")
	// Unknown paths tell nothing without a key.
	wantError(t, d.post(t, "/v1/messages/batches", simpleBody, "X-Api-Key", ""), 401, "authentication_error")
}

func TestBadRequests(t *testing.T) {
	d := newTestDoor(t)
	for _, tc := range []struct{ body, want string }{
		{`{"model":"demo","messages":[{"role":"user","content":"Hi"}]}`, "max_tokens"},
		{`{"max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}`, "model"},
		{`{"model":"demo","max_tokens":5,"messages":[]}`, "messages"},
		{`{"model":"demo","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]`, "invalid JSON"},
		{`{"model":"demo","max_tokens":"many","messages":[{"role":"user","content":"Hi"}]}`, "max_tokens"},
		{`{"model":"demo","max_tokens":5,"messages":[{"role":"user","content":"Hi"}],"tool_choice":{"type":"tool","name":"nope"}}`, "tool_choice"},
		{`{"model":"demo","max_tokens":5,"messages":[{"role":"user","content":"Hi"}],"thinking":{"type":"enabled","budget_tokens":10}}`, "budget_tokens"},
		{`[1,2]`, "JSON object"},
	} {
		e := wantError(t, d.post(t, "/v1/messages", tc.body), 400, "invalid_request_error")
		if !strings.Contains(e.Error.Message, tc.want) {
			t.Errorf("%s: message %q does not mention %s", tc.body, e.Error.Message, tc.want)
		}
	}
}

func TestPathsMethodsAndSizes(t *testing.T) {
	core := &servertest.Core{}
	d := newDoor(t, core, core, 1024)
	wantError(t, d.post(t, "/v1/messages/batches", simpleBody), 404, "not_found_error")
	resp := d.do(t, http.MethodGet, "/v1/messages", "")
	wantError(t, resp, 405, "invalid_request_error")
	if resp.Header.Get("Allow") != "POST" {
		t.Fatalf("allow %q", resp.Header.Get("Allow"))
	}
	big := `{"model":"demo","max_tokens":5,"messages":[{"role":"user","content":"` + strings.Repeat("x", 2048) + `"}]}`
	wantError(t, d.post(t, "/v1/messages", big), 413, "request_too_large")
}
