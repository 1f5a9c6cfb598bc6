package e2e_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Each error class through the real translators: a deployment whose
// simulator fails every request with the class's error, then a healthy
// one, and fallback aliases per class. What was tried, in what order, and
// what the caller saw.
func TestErrorClassesEndToEnd(t *testing.T) {
	cases := []struct {
		name, fault string
		dialect     string
		status      int      // what the caller sees
		attempts    []string // deployment:outcome
	}{
		{"rate_limited", "status=429", "openai", 200, []string{"bad-rate_limited:failed", "good:ok"}},
		{"overloaded", "status=503", "anthropic", 200, []string{"bad-overloaded:failed", "good:ok"}},
		{"server_error", "status=500", "gemini", 200, []string{"bad-server_error:failed", "good:ok"}},
		{"key_refused", "status=401", "openai", 200, []string{"bad-key_refused:failed", "good:ok"}},
		{"context_window", "status=400 code=context_length_exceeded", "openai", 200, []string{"bad-context_window:failed", "long:ok"}},
		{"invalid_request", "status=400", "anthropic", 400, []string{"bad-invalid_request:failed"}},
	}
	var cfg strings.Builder
	cfg.WriteString("defaults: {demo: false, env_providers: false}\nproviders:\n  sim-good: {kind: sim}\n")
	for _, c := range cases {
		fmt.Fprintf(&cfg, "  sim-%s: {kind: sim, dialect: %s, sim: {faults: [{probability: 1, fault: %q}]}}\n", c.name, c.dialect, c.fault)
	}
	cfg.WriteString("deployments:\n  good: {provider: sim-good, model: m}\n  long: {provider: sim-good, model: m-long}\n")
	for _, c := range cases {
		fmt.Fprintf(&cfg, "  bad-%s: {provider: sim-%s, model: m, breaker: {enabled: false}}\n", c.name, c.name)
	}
	cfg.WriteString("aliases:\n  chat-long: {deployments: [long]}\n")
	for _, c := range cases {
		fmt.Fprintf(&cfg, "  %s: {deployments: [bad-%s, good], retry: {max_retries: 0}, fallbacks: {context_window: [chat-long]}}\n", c.name, c.name)
	}
	r := startRouted(t, cfg.String())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := r.shimChat(t, c.name, "hi", false)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, body, c.status)
			}
			var got []string
			for _, e := range attemptEntries(resp.Header.Get("X-Switchboard-Attempts")) {
				got = append(got, e["deployment"]+":"+e["outcome"])
			}
			if strings.Join(got, " ") != strings.Join(c.attempts, " ") {
				t.Errorf("attempts %v, want %v", got, c.attempts)
			}
			if c.status == http.StatusOK && c.name == "context_window" && resp.Header.Get("X-Switchboard-Alias") != "chat-long" {
				t.Errorf("served by alias %q", resp.Header.Get("X-Switchboard-Alias"))
			}
		})
	}
}
