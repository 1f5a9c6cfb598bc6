package sim_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

// A prompt the filter blocks is a 200 with promptFeedback.blockReason and
// no candidates, unary, as an SSE chunk and in a JSON array; a directive
// that sets its own status still gets that status.
func TestGeminiBlockedPrompt(t *testing.T) {
	g := newGemTarget(t, sim.Options{})
	body := map[string]any{"contents": []any{map[string]any{"role": "user",
		"parts": []any{map[string]any{"text": "something bad [[sim content_filter=prompt]]"}}}}}
	check := func(t *testing.T, what string, data []byte) {
		t.Helper()
		var r struct {
			PromptFeedback struct {
				BlockReason   string           `json:"blockReason"`
				SafetyRatings []map[string]any `json:"safetyRatings"`
			} `json:"promptFeedback"`
			Candidates    []any `json:"candidates"`
			UsageMetadata struct {
				PromptTokenCount int `json:"promptTokenCount"`
				TotalTokenCount  int `json:"totalTokenCount"`
			} `json:"usageMetadata"`
		}
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatalf("%s: %v: %s", what, err, data)
		}
		if r.PromptFeedback.BlockReason != "SAFETY" || len(r.PromptFeedback.SafetyRatings) == 0 || r.Candidates != nil ||
			r.UsageMetadata.PromptTokenCount == 0 || r.UsageMetadata.TotalTokenCount != r.UsageMetadata.PromptTokenCount {
			t.Errorf("%s: %s", what, data)
		}
	}

	resp, data := g.do(t, http.MethodPost, gemPath("gemini-2.0-flash", "generateContent"), body, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("unary: %d %s", resp.StatusCode, data)
	}
	check(t, "unary", data)

	resp, data = g.do(t, http.MethodPost, gemPath("gemini-2.0-flash", "streamGenerateContent"), body, nil)
	text := string(data)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" ||
		!strings.HasPrefix(text, "data: ") || !strings.HasSuffix(text, "\r\n\r\n") || strings.Count(text, "data: ") != 1 {
		t.Fatalf("sse: %d %q", resp.StatusCode, text)
	}
	check(t, "sse", []byte(strings.TrimSpace(strings.TrimPrefix(text, "data: "))))

	resp, data = g.do(t, http.MethodPost, "/v1beta/models/gemini-2.0-flash:streamGenerateContent", body, nil)
	var chunks []json.RawMessage
	if err := json.Unmarshal(data, &chunks); resp.StatusCode != http.StatusOK || err != nil || len(chunks) != 1 {
		t.Fatalf("array: %d %v %s", resp.StatusCode, err, data)
	}
	check(t, "array", chunks[0])

	body["contents"] = []any{map[string]any{"role": "user",
		"parts": []any{map[string]any{"text": "something bad [[sim content_filter=prompt status=500]]"}}}}
	if resp, data := g.do(t, http.MethodPost, gemPath("gemini-2.0-flash", "generateContent"), body, nil); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status=500 overrides the filter: %d %s", resp.StatusCode, data)
	}
}
