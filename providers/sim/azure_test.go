package sim_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

const azureKey = "azure-sim-key-0123456789"

// azureTarget reaches a keyed simulator in memory (gemTarget sends to any
// path).
func azureTarget(t *testing.T) gemTarget {
	t.Helper()
	return newGemTarget(t, sim.Options{APIKey: azureKey})
}

func azureChatPath(deployment string) string {
	return "/openai/deployments/" + deployment + "/chat/completions?api-version=2024-10-21"
}

var azureAuth = http.Header{"Api-Key": {azureKey}}

func TestAzureUnaryCarriesFilterResults(t *testing.T) {
	g := azureTarget(t)
	resp, data := g.do(t, http.MethodPost, azureChatPath("gpt4o-prod"), map[string]any{"messages": userMsg("Hi")}, azureAuth)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	body := decodeObject(t, data)
	if str(path(body, "model")) != "gpt4o-prod" || str(path(body, "object")) != "chat.completion" {
		t.Errorf("model %v", path(body, "model"))
	}
	if path(body, "prompt_filter_results.0.content_filter_results.jailbreak.detected") != false ||
		str(path(body, "prompt_filter_results.0.content_filter_results.hate.severity")) != "safe" {
		t.Errorf("prompt_filter_results: %s", data)
	}
	if path(body, "choices.0.content_filter_results.violence.filtered") != false ||
		path(body, "choices.0.content_filter_results.protected_material_text.detected") != false {
		t.Errorf("content_filter_results: %s", data)
	}
	if path(body, "service_tier") != nil {
		t.Error("Azure sends no service_tier")
	}
	for _, h := range []string{"Apim-Request-Id", "X-Ms-Region", "X-Ratelimit-Remaining-Tokens"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
}

func TestAzureStreamFraming(t *testing.T) {
	g := azureTarget(t)
	body := map[string]any{"messages": userMsg("Hi"), "stream": true, "stream_options": map[string]any{"include_usage": true}}
	resp, data := g.do(t, http.MethodPost, azureChatPath("gpt4o-prod"), body, azureAuth)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	events, done := sseData(t, string(data))
	if !done || len(events) < 4 {
		t.Fatalf("stream:\n%s", data)
	}
	first := decodeObject(t, []byte(events[0]))
	if choices, ok := first["choices"].([]any); !ok || len(choices) != 0 || str(first["id"]) != "" || str(first["model"]) != "" ||
		path(first, "prompt_filter_results.0.prompt_index") == nil {
		t.Errorf("preamble %s", events[0])
	}
	for i, ev := range events[1:] {
		c := decodeObject(t, []byte(ev))
		if strings.Contains(ev, "obfuscation") || strings.Contains(ev, "service_tier") {
			t.Errorf("chunk %d has OpenAI-only members: %s", i+1, ev)
		}
		choices := c["choices"].([]any)
		if len(choices) == 0 {
			if path(c, "usage.prompt_tokens") == nil {
				t.Errorf("chunk %d: no choices and no usage: %s", i+1, ev)
			}
			continue
		}
		if path(c, "choices.0.content_filter_results") == nil {
			t.Errorf("chunk %d has no content_filter_results: %s", i+1, ev)
		}
		if str(path(c, "choices.0.delta.content")) != "" && path(c, "choices.0.content_filter_results.hate.filtered") != false {
			t.Errorf("content chunk %d without a verdict: %s", i+1, ev)
		}
	}
}

func TestAzureRoutingAndKeys(t *testing.T) {
	g := azureTarget(t)
	chat := map[string]any{"messages": userMsg("Hi")}
	cases := []struct {
		name     string
		path     string
		header   http.Header
		status   int
		contains string
	}{
		{"no api-version", "/openai/deployments/d/chat/completions", azureAuth, 404, `{"error":{"code":"404","message":"Resource not found"}}`},
		{"bad api-version", "/openai/deployments/d/chat/completions?api-version=banana", azureAuth, 400, "API version not supported"},
		{"unknown operation", "/openai/deployments/d/completions/x?api-version=2024-10-21", azureAuth, 404, "Resource not found"},
		{"no key", azureChatPath("d"), nil, 401, "Access denied due to invalid subscription key"},
		{"wrong key", azureChatPath("d"), http.Header{"Api-Key": {"nope"}}, 401, `"code":"401"`},
		{"wrong bearer", azureChatPath("d"), http.Header{"Authorization": {"Bearer nope"}}, 401, "audience is incorrect"},
		{"bearer", azureChatPath("d"), http.Header{"Authorization": {"Bearer " + azureKey}}, 200, `"model": "d"`},
		{"v1 without api-version", "/openai/v1/chat/completions", azureAuth, 400, "you must provide a model parameter"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, data := g.do(t, http.MethodPost, c.path, chat, c.header)
			if resp.StatusCode != c.status || !strings.Contains(string(data), c.contains) {
				t.Fatalf("%d %s, want %d with %q", resp.StatusCode, data, c.status, c.contains)
			}
		})
	}
	resp, data := g.do(t, http.MethodPost, "/openai/v1/chat/completions", map[string]any{"model": "gpt4o", "messages": userMsg("Hi")}, azureAuth)
	if resp.StatusCode != 200 || str(path(decodeObject(t, data), "model")) != "gpt4o" {
		t.Fatalf("v1: %d %s", resp.StatusCode, data)
	}
}

func TestAzureContentFilterFaults(t *testing.T) {
	g := azureTarget(t)
	t.Run("prompt", func(t *testing.T) {
		resp, data := g.do(t, http.MethodPost, azureChatPath("d"), map[string]any{"messages": userMsg("bad [[sim content_filter=prompt]]")}, azureAuth)
		var e struct {
			Error struct {
				Code       string
				Param      string
				Status     int
				Type       *string
				InnerError struct {
					Code                string
					ContentFilterResult map[string]struct{ Filtered bool } `json:"content_filter_result"`
				} `json:"innererror"`
			}
		}
		if resp.StatusCode != 400 || json.Unmarshal(data, &e) != nil {
			t.Fatalf("%d %s", resp.StatusCode, data)
		}
		if e.Error.Code != "content_filter" || e.Error.Param != "prompt" || e.Error.Status != 400 || e.Error.Type != nil ||
			e.Error.InnerError.Code != "ResponsibleAIPolicyViolation" || !e.Error.InnerError.ContentFilterResult["violence"].Filtered {
			t.Errorf("body %s", data)
		}
	})
	t.Run("output", func(t *testing.T) {
		msg := userMsg(`[[sim content_filter=output reply="a b c d"]] go`)
		resp, data := g.do(t, http.MethodPost, azureChatPath("d"), map[string]any{"messages": msg}, azureAuth)
		body := decodeObject(t, data)
		if resp.StatusCode != 200 || str(path(body, "choices.0.finish_reason")) != "content_filter" ||
			str(path(body, "choices.0.message.content")) != "a b" || path(body, "choices.0.content_filter_results.violence.filtered") != true {
			t.Fatalf("%d %s", resp.StatusCode, data)
		}
		_, data = g.do(t, http.MethodPost, azureChatPath("d"), map[string]any{"messages": msg, "stream": true}, azureAuth)
		events, _ := sseData(t, string(data))
		last := decodeObject(t, []byte(events[len(events)-1]))
		if str(path(last, "choices.0.finish_reason")) != "content_filter" || path(last, "choices.0.content_filter_results.violence.severity") != "medium" {
			t.Fatalf("last chunk %s", events[len(events)-1])
		}
	})
}

func TestAzureStatusFaults(t *testing.T) {
	g := azureTarget(t)
	cases := []struct {
		directive string
		status    int
		code      string
		headers   map[string]string
	}{
		{"status=404", 404, "DeploymentNotFound", nil},
		{"status=429 retry_after=3", 429, "429", map[string]string{"Retry-After": "3", "Retry-After-Ms": "3000"}},
		{"status=503", 503, "ServiceUnavailable", nil},
		{"status=504", 504, "Timeout", nil},
		{"status=401", 401, "401", nil},
	}
	for _, c := range cases {
		t.Run(c.directive, func(t *testing.T) {
			resp, data := g.do(t, http.MethodPost, azureChatPath("d"), map[string]any{"messages": userMsg("hi [[sim " + c.directive + "]]")}, azureAuth)
			var e struct {
				Error struct{ Code, Message string }
			}
			if resp.StatusCode != c.status || json.Unmarshal(data, &e) != nil || e.Error.Code != c.code || e.Error.Message == "" {
				t.Fatalf("%d %s", resp.StatusCode, data)
			}
			for k, v := range c.headers {
				if resp.Header.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, resp.Header.Get(k), v)
				}
			}
		})
	}
}

func TestAzureEmbeddings(t *testing.T) {
	g := azureTarget(t)
	resp, data := g.do(t, http.MethodPost, "/openai/deployments/embed/embeddings?api-version=2024-10-21", map[string]any{"input": []string{"a", "b"}}, azureAuth)
	body := decodeObject(t, data)
	if resp.StatusCode != 200 || str(path(body, "model")) != "embed" || path(body, "data.1.embedding") == nil {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	if resp.Header.Get("X-Ms-Deployment-Name") != "embed" {
		t.Errorf("headers %v", resp.Header)
	}
}
