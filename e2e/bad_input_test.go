package e2e_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

const okChat = `{"model":"demo","messages":[{"role":"user","content":"hi"}]}`

type openAIError struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

// expectError checks an OpenAI-shaped error answer.
func expectError(t *testing.T, resp *http.Response, status int, typ, code string) openAIError {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	var e openAIError
	if resp.StatusCode != status || json.Unmarshal(b, &e) != nil || e.Error.Type != typ || e.Error.Message == "" {
		t.Fatalf("got %d %s; want %d type %s", resp.StatusCode, b, status, typ)
	}
	if code != "" && (e.Error.Code == nil || *e.Error.Code != code) {
		t.Fatalf("got %s; want code %s", b, code)
	}
	return e
}

// stillServes checks the gateway answers a good request after a bad one.
func (g *gw) stillServes(t *testing.T, secret string) {
	t.Helper()
	resp := g.post(t, "/v1/chat/completions", secret, "application/json", okChat)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("the gateway no longer serves: %d %s", resp.StatusCode, b)
	}
}

func mistypeKey(secret string) string {
	b := []byte(secret)
	i := len("sk-sb-") + 5
	if b[i] == 'Q' {
		b[i] = 'R'
	} else {
		b[i] = 'Q'
	}
	return string(b)
}

func TestBadKeys(t *testing.T) {
	g := startGateway(t)
	id, secret := g.createKey(t, "bad-keys")
	cases := []struct{ name, key, inMessage string }{
		{"missing", "", "missing"},
		{"malformed", "sk-sb-tooshort", "malformed"},
		{"mistyped checksum", mistypeKey(secret), "checksum"},
		{"admin key", g.adminKey, "admin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := expectError(t, g.post(t, "/v1/chat/completions", tc.key, "application/json", okChat), 401, "authentication_error", "")
			if !strings.Contains(strings.ToLower(e.Error.Message), tc.inMessage) {
				t.Fatalf("message %q does not say %q", e.Error.Message, tc.inMessage)
			}
			resp := g.post(t, "/switchboard.v1.CompletionService/Complete", tc.key, "application/json", `{"model":"demo"}`)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("Connect: %d", resp.StatusCode)
			}
			g.stillServes(t, secret)
		})
	}

	t.Run("revoked", func(t *testing.T) {
		g.stillServes(t, secret) // the key works and is now cached as verified
		g.revokeKey(t, id)
		e := expectError(t, g.post(t, "/v1/chat/completions", secret, "application/json", okChat), 401, "authentication_error", "invalid_api_key")
		if !strings.Contains(e.Error.Message, "revoked") {
			t.Fatalf("message %q does not say revoked", e.Error.Message)
		}
		resp := g.do(t, http.MethodGet, "/v1/models", secret, "", "")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("models with a revoked key: %d", resp.StatusCode)
		}
		_, other := g.createKey(t, "other")
		g.stillServes(t, other)
	})

	t.Run("virtual key on AdminService", func(t *testing.T) {
		_, other := g.createKey(t, "not-admin")
		resp := g.post(t, "/switchboard.v1.AdminService/CreateKey", other, "application/json", `{"name":"x"}`)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("virtual key created a key: %d", resp.StatusCode)
		}
	})
}

func TestBadRequests(t *testing.T) {
	g := startGateway(t)
	_, secret := g.createKey(t, "bad-requests")
	chat := func(body string) *http.Response {
		return g.post(t, "/v1/chat/completions", secret, "application/json", body)
	}

	t.Run("unknown model", func(t *testing.T) {
		expectError(t, chat(`{"model":"nope","messages":[{"role":"user","content":"hi"}]}`), 404, "not_found_error", "model_not_found")
	})
	t.Run("malformed JSON", func(t *testing.T) {
		e := expectError(t, chat(`{"model":"demo","messages":[}`), 400, "invalid_request_error", "")
		if !strings.Contains(e.Error.Message, "offset") {
			t.Fatalf("message %q gives no offset", e.Error.Message)
		}
	})
	t.Run("wrong types", func(t *testing.T) {
		e := expectError(t, chat(`{"model":"demo","messages":[{"role":"user","content":"hi"}],"max_tokens":"ten"}`), 400, "invalid_request_error", "")
		if e.Error.Param == nil || *e.Error.Param != "max_tokens" {
			t.Fatalf("param %v, message %q", e.Error.Param, e.Error.Message)
		}
		expectError(t, chat(`{"model":"demo","messages":"hi"}`), 400, "invalid_request_error", "")
	})
	t.Run("oversized body", func(t *testing.T) {
		big := `{"model":"demo","messages":[{"role":"user","content":"` + strings.Repeat("a", maxBody) + `"}]}`
		expectError(t, chat(big), 413, "invalid_request_error", "payload_too_large")
	})
	t.Run("unknown path and wrong method", func(t *testing.T) {
		expectError(t, g.post(t, "/v1/completions", secret, "application/json", okChat), 404, "not_found_error", "")
		expectError(t, g.do(t, http.MethodGet, "/v1/chat/completions", secret, "", ""), 405, "invalid_request_error", "")
	})
	g.stillServes(t, secret)
}

func TestUpstreamFailures(t *testing.T) {
	g := startGateway(t)
	_, secret := g.createKey(t, "upstream")
	chat := func(directive string, stream bool) *http.Response {
		body := `{"model":"demo","stream":` + map[bool]string{true: "true", false: "false"}[stream] +
			`,"messages":[{"role":"user","content":` + quote("Tell me a story. "+directive) + `}]}`
		return g.post(t, "/v1/chat/completions", secret, "application/json", body)
	}

	t.Run("503", func(t *testing.T) {
		for _, stream := range []bool{false, true} {
			// The provider being overloaded is passed on as 503, before any
			// stream starts.
			expectError(t, chat("[[sim status=503]]", stream), 503, "server_error", "")
		}
		g.stillServes(t, secret)
	})
	t.Run("500", func(t *testing.T) {
		expectError(t, chat("[[sim status=500]]", false), 502, "server_error", "")
		g.stillServes(t, secret)
	})
	t.Run("429 with Retry-After", func(t *testing.T) {
		for _, stream := range []bool{false, true} {
			resp := chat("[[sim status=429 retry_after=2]]", stream)
			if resp.Header.Get("Retry-After") != "2" {
				t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
			}
			expectError(t, resp, 429, "rate_limit_error", "")
		}
		g.stillServes(t, secret)
	})
	t.Run("mid-stream disconnect", func(t *testing.T) {
		resp := chat("[[sim disconnect_after=2]]", true)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
		var data []string
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				data = append(data, d)
			}
		}
		if len(data) < 2 {
			t.Fatalf("events %q", data)
		}
		last := data[len(data)-1]
		var e openAIError
		if last == "[DONE]" || json.Unmarshal([]byte(last), &e) != nil || e.Error.Type != "server_error" {
			t.Fatalf("the stream did not end with an error event: %q", data)
		}
		for _, d := range data {
			if d == "[DONE]" {
				t.Fatalf("[DONE] after a cut stream: %q", data)
			}
		}
		g.stillServes(t, secret)
	})
}
