package sim_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// The Gemini dialect against the recorded transcripts: the simulator is
// sent the recorded request (adjusted only where the recording's answer
// depended on a choice the simulated model makes differently) and must
// answer with the same keys in the same places, in the same layout.

// gemOptionalKeys appear in some recordings and not others: a thinking
// model adds a signature and thoughtsTokenCount.
var gemOptionalKeys = []string{"candidates[].content.parts[].thoughtSignature", "usageMetadata.thoughtsTokenCount"}

func recordedGemBody(t *testing.T, tr *fixtures.Transcript) map[string]any {
	t.Helper()
	return decodeObject(t, tr.Request.Body)
}

func modelOf(path string) string {
	m := strings.TrimPrefix(path, "/v1beta/models/")
	m, _, _ = strings.Cut(m, ":")
	return m
}

func TestGeminiUnaryShapeMatchesRecordings(t *testing.T) {
	cases := []struct {
		name   string
		adjust func(map[string]any)
	}{
		{"generateContent-basic", nil},
		{"generateContent-function-response-followup", nil},
		// The recording answered the tool results with another call; the
		// simulated model calls the tool the last user text names.
		{"generateContent-function-call-cached-content", func(b map[string]any) {
			b["contents"] = append(b["contents"].([]any), gemUser("Now call generate_report. [[sim cached=330]]"))
		}},
	}
	g := newGemTarget(t, sim.Options{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := fixtures.Load(t, "gemini", c.name)
			body := recordedGemBody(t, tr)
			if c.adjust != nil {
				c.adjust(body)
			}
			resp, data := g.do(t, http.MethodPost, tr.Request.Path, body, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, data)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tr.Response.Headers["content-type"] {
				t.Errorf("content-type %q, recorded %q", ct, tr.Response.Headers["content-type"])
			}
			if string(data) != prettyLayout(t, data) {
				t.Errorf("the body is not laid out as Google's (two-space indents, trailing newline):\n%s", data)
			}
			got := decodeObject(t, data)
			want := decodeObject(t, tr.Response.Body)
			sameKeys(t, c.name, got, want, gemOptionalKeys...)
			if str(path(got, "modelVersion")) != modelOf(tr.Request.Path) || len(str(got["responseId"])) != len(str(want["responseId"])) {
				t.Errorf("modelVersion %v responseId %v", got["modelVersion"], got["responseId"])
			}
		})
	}
}

func TestGeminiStreamShapeMatchesRecordings(t *testing.T) {
	cases := []struct {
		name   string
		adjust func(map[string]any)
	}{
		{"streamGenerateContent-sse-text", nil},
		// The recorded model chose to call the tool; the simulated one is
		// told to.
		{"streamGenerateContent-sse-function-call", func(b map[string]any) {
			b["toolConfig"] = map[string]any{"functionCallingConfig": map[string]any{"mode": "ANY"}}
		}},
	}
	g := newGemTarget(t, sim.Options{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := fixtures.Load(t, "gemini", c.name)
			body := recordedGemBody(t, tr)
			if c.adjust != nil {
				c.adjust(body)
			}
			resp, data := g.do(t, http.MethodPost, tr.Request.Path, body, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, data)
			}
			for _, h := range []string{"content-type", "content-disposition"} {
				if got := resp.Header.Get(h); got != tr.Response.Headers[h] {
					t.Errorf("%s %q, recorded %q", h, got, tr.Response.Headers[h])
				}
			}
			raw := string(data)
			if strings.Contains(raw, "[DONE]") || strings.Contains(raw, "event:") || strings.Contains(raw, "\n\n") && !strings.Contains(raw, "\r\n\r\n") {
				t.Fatalf("framing differs from Gemini's: %q", raw)
			}
			got := gemEvents(t, raw)
			want := gemEvents(t, tr.Response.BodyText())
			// The first and the last chunk have the recorded keys, spacing
			// and punctuation, value for value.
			if skeleton(got[0]) != skeleton(want[0]) {
				t.Errorf("first chunk\n got: %s\nwant: %s", skeleton(got[0]), skeleton(want[0]))
			}
			if skeleton(got[len(got)-1]) != skeleton(want[len(want)-1]) {
				t.Errorf("last chunk\n got: %s\nwant: %s", skeleton(got[len(got)-1]), skeleton(want[len(want)-1]))
			}
			for i, ev := range got {
				if strings.Contains(ev, `"finishReason"`) != (i == len(got)-1) {
					t.Errorf("chunk %d: only the last chunk carries the finish reason: %s", i, ev)
				}
				if !strings.Contains(ev, `"usageMetadata": {"promptTokenCount": `) {
					t.Errorf("chunk %d does not repeat usageMetadata: %s", i, ev)
				}
			}
		})
	}
}

func TestGeminiErrorShapesMatchRecordings(t *testing.T) {
	t.Run("error-400-api-key-invalid", func(t *testing.T) {
		tr := fixtures.Load(t, "gemini", "error-400-api-key-invalid")
		g := newGemTarget(t, sim.Options{APIKey: "the-right-key"})
		resp, data := g.do(t, http.MethodPost, tr.Request.Path, []byte(tr.Request.Body), http.Header{"X-Goog-Api-Key": {"a-wrong-key"}})
		if resp.StatusCode != tr.Response.Status || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("status %d, content-type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		// The recording's body, byte for byte: Content-Length 581.
		want := prettyLayout(t, tr.Response.Body)
		if string(data) != want || len(data) != 581 {
			t.Fatalf("body (%d bytes)\n%s\nwant (%d bytes)\n%s", len(data), data, len(want), want)
		}
		if strings.Contains(string(data), "a-wrong-key") {
			t.Error("the error echoes the key")
		}
	})
	t.Run("error-503-overloaded", func(t *testing.T) {
		tr := fixtures.Load(t, "gemini", "error-503-overloaded")
		g := newGemTarget(t, sim.Options{})
		body := gemRequest(gemUser("Draw a cat. [[sim status=503]]"))
		resp, data := g.do(t, http.MethodPost, gemPath("gemini-3-pro-image-preview", "generateContent"), body, nil)
		if resp.StatusCode != 503 || resp.Header.Get("Content-Type") != "application/json; charset=UTF-8" {
			t.Fatalf("status %d, content-type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if want := prettyLayout(t, tr.Response.Body); string(data) != want {
			t.Fatalf("body\n%s\nwant\n%s", data, want)
		}
	})
}

// TestGeminiAcceptsRecordedRequests sends every recorded request body as
// recorded (snake_case names, OpenAPI and JSON Schema parameters, real
// thought signatures in the history) and expects a 200.
func TestGeminiAcceptsRecordedRequests(t *testing.T) {
	g := newGemTarget(t, sim.Options{})
	n := 0
	for _, name := range fixtures.List(t, "gemini") {
		tr := fixtures.Load(t, "gemini", name)
		if !tr.Request.HasBody() {
			continue
		}
		n++
		resp, data := g.do(t, http.MethodPost, tr.Request.Path, []byte(tr.Request.Body), nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d: %s", name, resp.StatusCode, data)
		}
		if bytes.Contains(data, []byte(`"error"`)) {
			t.Errorf("%s: %s", name, data)
		}
	}
	if n < 5 {
		t.Fatalf("only %d recorded requests", n)
	}
}

var _ = json.Valid
