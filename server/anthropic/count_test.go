package anthropic_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
	"github.com/switchboard-gw/switchboard/server/internal/servertest"
)

func countOf(t *testing.T, resp *http.Response) int64 {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var out map[string]int64
	if err := json.Unmarshal(b, &out); err != nil || len(out) != 1 {
		t.Fatalf("body %s", b)
	}
	return out["input_tokens"]
}

// Without a counter in the core, count_tokens answers the router's
// estimate of the canonical request; max_tokens is not needed.
func TestCountTokensEstimates(t *testing.T) {
	d := newTestDoor(t)
	body := `{"model":"demo","system":"Be terse.","messages":[{"role":"user","content":"How many tokens is this?"}],` +
		`"tools":[{"name":"get_time","input_schema":{"type":"object"}}]}`
	got := countOf(t, d.post(t, "/v1/messages/count_tokens", body))
	want := router.EstimateInputTokens(&llm.Request{
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("Be terse.")}},
			{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("How many tokens is this?")}},
		},
		Tools: []llm.Tool{{Name: "get_time", Parameters: json.RawMessage(`{"type":"object"}`)}},
	})
	if got != want || got == 0 {
		t.Fatalf("input_tokens %d, want %d", got, want)
	}
	wantError(t, d.post(t, "/v1/messages/count_tokens", `{"model":"nope","messages":[{"role":"user","content":"Hi"}]}`), 404, "not_found_error")
	wantError(t, d.post(t, "/v1/messages/count_tokens", `{"model":"demo","messages":[]}`), 400, "invalid_request_error")
}

func TestCountTokensHonoursTheKeysModels(t *testing.T) {
	d := newTestDoor(t)
	_, secret, err := d.auth.Keys.Create(context.Background(), auth.CreateKeyParams{Name: "narrow", AllowedModels: []string{"other"}})
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, d.post(t, "/v1/messages/count_tokens", `{"model":"demo","messages":[{"role":"user","content":"Hi"}]}`, "X-Api-Key", secret),
		403, "permission_error")
}

// countingCore counts tokens itself.
type countingCore struct {
	*servertest.Core
	asked *llm.Request
}

func (c *countingCore) CountInputTokens(_ context.Context, _ *auth.Principal, req *llm.Request) (int64, error) {
	c.asked = req
	return 1234, nil
}

func TestCountTokensAsksACountingCore(t *testing.T) {
	core := &countingCore{Core: &servertest.Core{}}
	d := newDoor(t, core, core.Core, 0)
	if got := countOf(t, d.post(t, "/v1/messages/count_tokens", `{"model":"anything","messages":[{"role":"user","content":"Hi"}]}`)); got != 1234 {
		t.Fatalf("input_tokens %d", got)
	}
	if core.asked == nil || core.asked.Model != "anything" {
		t.Fatalf("core asked %+v", core.asked)
	}
}
