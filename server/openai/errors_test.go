package openai_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
	"github.com/switchboard-gw/switchboard/server/openai"
)

func TestWriteErrorMapsEveryKind(t *testing.T) {
	cases := []struct {
		err        error
		status     int
		typ, code  string
		retryAfter string
		inMsg      string
		notInMsg   string
	}{
		{&llm.Error{Kind: llm.KindInternal, Message: "boom"}, 500, "server_error", "internal_error", "", "boom", ""},
		{&llm.Error{Kind: llm.KindInvalidRequest, Code: "invalid_type", Param: "temperature", Message: "temperature: expected a number"}, 400, "invalid_request_error", "invalid_type", "", "temperature", ""},
		{&llm.Error{Kind: llm.KindUnauthenticated, Code: "invalid_api_key", Message: "invalid API key"}, 401, "authentication_error", "invalid_api_key", "", "invalid API key", ""},
		{&llm.Error{Kind: llm.KindPermissionDenied, Message: "key may not use gpt-4o"}, 403, "permission_error", "", "", "gpt-4o", ""},
		{&llm.Error{Kind: llm.KindNotFound, Message: "unknown model"}, 404, "not_found_error", "model_not_found", "", "unknown model", ""},
		{&llm.Error{Kind: llm.KindRateLimited, RetryAfter: 2 * time.Second, Message: "slow down"}, 429, "rate_limit_error", "rate_limit_exceeded", "2", "slow down", ""},
		{&llm.Error{Kind: llm.KindRateLimited, RetryAfter: 1100 * time.Millisecond, Message: "x"}, 429, "rate_limit_error", "rate_limit_exceeded", "2", "", ""},
		{&llm.Error{Kind: llm.KindOverloaded, Provider: "anthropic", RetryAfter: time.Second, Message: "overloaded"}, 503, "server_error", "overloaded", "1", "overloaded", ""},
		{&llm.Error{Kind: llm.KindContextTooLong, Param: "messages", Message: "too long"}, 400, "invalid_request_error", "context_length_exceeded", "", "too long", ""},
		{&llm.Error{Kind: llm.KindContentFiltered, Message: "filtered"}, 400, "invalid_request_error", "content_filter", "", "filtered", ""},
		{&llm.Error{Kind: llm.KindTimeout, Message: "too slow"}, 504, "server_error", "timeout", "", "too slow", ""},
		{&llm.Error{Kind: llm.KindUpstream, Provider: "openai", Status: 500, Message: "broke"}, 502, "server_error", "upstream_error", "", "broke", ""},
		{&llm.Error{Kind: llm.KindUnavailable, Message: "store down"}, 503, "server_error", "unavailable", "", "store down", ""},
		{&llm.Error{Kind: llm.KindCanceled, Message: "gone"}, openai.StatusClientClosedRequest, "invalid_request_error", "canceled", "", "gone", ""},
		{&llm.Error{Kind: llm.KindPayloadTooLarge, Message: "big"}, 413, "invalid_request_error", "payload_too_large", "", "big", ""},
		// The provider refusing the gateway's credentials is the gateway's fault.
		{&llm.Error{Kind: llm.KindUnauthenticated, Provider: "openai", Status: 401, Code: "invalid_api_key", Message: "Incorrect API key provided"}, 502, "server_error", "upstream_auth_failed", "", "not your API key", "Incorrect API key"},
		{&llm.Error{Kind: llm.KindPermissionDenied, Provider: "openai", Status: 403, Message: "no access"}, 502, "server_error", "upstream_auth_failed", "", "gateway configuration", ""},
		// Plain errors are internal and do not leak.
		{errors.New("dial tcp 10.1.2.3:5432"), 500, "server_error", "internal_error", "", "internal error", "10.1.2.3"},
		{fmt.Errorf("x: %w", &llm.Error{Kind: llm.KindNotFound, Code: "unknown_url", Message: "Invalid URL"}), 404, "not_found_error", "unknown_url", "", "Invalid URL", ""},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(llm.KindOf(tc.err), "/", tc.err), func(t *testing.T) {
			rec := httptest.NewRecorder()
			openai.WriteError(rec, tc.err)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if got := rec.Header().Get("Retry-After"); got != tc.retryAfter {
				t.Fatalf("Retry-After %q, want %q", got, tc.retryAfter)
			}
			var body struct {
				Error map[string]json.RawMessage `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %s: %v", rec.Body, err)
			}
			for _, field := range []string{"message", "type", "param", "code"} {
				if _, ok := body.Error[field]; !ok {
					t.Fatalf("body %s lacks error.%s", rec.Body, field)
				}
			}
			var msg, typ string
			_ = json.Unmarshal(body.Error["message"], &msg)
			_ = json.Unmarshal(body.Error["type"], &typ)
			if typ != tc.typ {
				t.Errorf("type %q, want %q", typ, tc.typ)
			}
			wantCode := "null"
			if tc.code != "" {
				wantCode = `"` + tc.code + `"`
			}
			if string(body.Error["code"]) != wantCode {
				t.Errorf("code %s, want %s", body.Error["code"], wantCode)
			}
			if !strings.Contains(msg, tc.inMsg) || (tc.notInMsg != "" && strings.Contains(msg, tc.notInMsg)) {
				t.Errorf("message %q: want %q in it and not %q", msg, tc.inMsg, tc.notInMsg)
			}
			var le *llm.Error
			if errors.As(tc.err, &le) && le.Param != "" && string(body.Error["param"]) != `"`+le.Param+`"` {
				t.Errorf("param %s, want %q", body.Error["param"], le.Param)
			}
		})
	}
}

func TestUnknownPathsAndWrongMethods(t *testing.T) {
	s := newShim(t, &servertest.Core{}, 0)
	wantError(t, s.do(t, http.MethodPost, "/v1/completions", `{}`), 404, "not_found_error", "unknown_url")
	wantError(t, s.do(t, http.MethodGet, "/v1/", ``), 404, "not_found_error", "unknown_url")

	resp := s.do(t, http.MethodGet, "/v1/chat/completions", ``)
	if resp.Header.Get("Allow") != http.MethodPost {
		t.Fatalf("Allow = %q", resp.Header.Get("Allow"))
	}
	wantError(t, resp, 405, "invalid_request_error", "method_not_allowed")
	wantError(t, s.do(t, http.MethodDelete, "/v1/models", ``), 405, "invalid_request_error", "method_not_allowed")
	wantError(t, s.do(t, http.MethodGet, "/v1/embeddings", ``), 405, "invalid_request_error", "method_not_allowed")
}
