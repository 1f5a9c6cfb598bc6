package e2e_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// The gateway measures its own overhead on real traffic and serves it, to
// the admin key only, at GET /debug/overhead.
func TestOverheadIsMeasuredAndServedToTheAdmin(t *testing.T) {
	g := startGateway(t)
	_, secret := g.createKey(t, "overhead")

	unary := g.post(t, "/v1/chat/completions", secret, "application/json",
		`{"model":"demo","messages":[{"role":"user","content":"Say hello."}]}`)
	if b, _ := io.ReadAll(unary.Body); unary.StatusCode != http.StatusOK {
		t.Fatalf("chat completion: %d %s", unary.StatusCode, b)
	}
	stream := g.post(t, "/v1/chat/completions", secret, "application/json",
		`{"model":"demo","stream":true,"messages":[{"role":"user","content":"Say hello."}]}`)
	body, _ := io.ReadAll(stream.Body)
	if stream.StatusCode != http.StatusOK || !strings.HasSuffix(string(body), "data: [DONE]\n\n") {
		t.Fatalf("stream: %d %s", stream.StatusCode, body)
	}

	for _, tc := range []struct {
		key    string
		status int
	}{{"", http.StatusUnauthorized}, {secret, http.StatusForbidden}, {"not-the-admin-key", http.StatusUnauthorized}} {
		if resp := g.do(t, http.MethodGet, "/debug/overhead", tc.key, "", ""); resp.StatusCode != tc.status {
			t.Errorf("GET /debug/overhead with key %q...: status %d, want %d", prefix(tc.key), resp.StatusCode, tc.status)
		}
	}

	resp := g.do(t, http.MethodGet, "/debug/overhead", g.adminKey, "", "")
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /debug/overhead: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	var s overhead.Snapshot
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	if s.Unary.Count != 1 || s.StreamRequest.Count != 1 || s.StreamChunk.Count == 0 || s.StreamWrite.Count == 0 {
		t.Fatalf("counts: unary %d, stream request %d, chunk %d, write %d; want 1, 1, >0, >0",
			s.Unary.Count, s.StreamRequest.Count, s.StreamChunk.Count, s.StreamWrite.Count)
	}
	if s.Unary.P50 <= 0 || s.Unary.Histogram.Count != 1 || len(s.Unary.Histogram.Buckets) != 1 {
		t.Fatalf("unary summary %+v", s.Unary)
	}
}

func prefix(key string) string { return key[:min(len(key), 6)] }
