package vertex_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

func TestCompleteAndStreamOverVertexRoutes(t *testing.T) {
	f := newFixture(t, sim.Options{})
	p := f.provider(t)
	ctx := context.Background()
	req := userRequest("gemini-2.5-flash", "[[sim reply=\"hello from vertex\"]] hi")
	resp, err := p.Complete(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Choices[0].Message.Text(); got != "hello from vertex" || resp.Provider != "vertex" || resp.Choices[0].FinishReason != llm.FinishStop {
		t.Fatalf("response %+v", resp)
	}
	if resp.Usage.InputTokens == 0 || resp.Usage.OutputTokens == 0 {
		t.Errorf("usage %+v", resp.Usage)
	}

	s, err := p.Stream(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := llm.Collect(s)
	if err != nil {
		t.Fatal(err)
	}
	if acc.Choices[0].Message.Text() != "hello from vertex" || acc.Usage != resp.Usage {
		t.Fatalf("streamed %+v, unary %+v", acc, resp)
	}

	// Both went to the regional publisher-model paths with the access
	// token; one token served both.
	for _, r := range append(f.requests(":generateContent"), f.requests(":streamGenerateContent")...) {
		if !strings.HasPrefix(r.URL.Path, "/v1/projects/"+testProject+"/locations/us-central1/publishers/google/models/gemini-2.5-flash:") {
			t.Errorf("path %s", r.URL.Path)
		}
		if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "Bearer ya29.sim-") || r.Header.Get("X-Goog-Api-Key") != "" {
			t.Errorf("credentials %q / %q", auth, r.Header.Get("X-Goog-Api-Key"))
		}
	}
	if got := f.requests(":streamGenerateContent"); len(got) != 1 || got[0].URL.Query().Get("alt") != "sse" {
		t.Errorf("stream requests %v", got)
	}
	if n := f.sim.Served().AccessTokens; n != 1 {
		t.Errorf("%d access tokens minted, want 1 (cached)", n)
	}
}

// A tool-call round trip: Vertex AI refuses contents without a role, so the
// follow-up with the function response passes only if every content has
// one.
func TestToolRoundTrip(t *testing.T) {
	f := newFixture(t, sim.Options{})
	p := f.provider(t)
	ctx := context.Background()
	tool := llm.Tool{Name: "get_weather", Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)}
	req := userRequest("gemini-2.5-flash", "What is the weather in Paris? Use get_weather.")
	req.Messages = append([]llm.Message{{Role: llm.RoleSystem, Parts: []llm.Part{llm.TextPart("Be brief.")}}}, req.Messages...)
	req.Tools = []llm.Tool{tool}
	resp, err := p.Complete(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	calls := resp.Choices[0].Message.ToolCalls
	if len(calls) != 1 || calls[0].Name != "get_weather" || resp.Choices[0].FinishReason != llm.FinishToolCalls {
		t.Fatalf("response %+v", resp.Choices[0])
	}
	next := *req
	next.Messages = append(append([]llm.Message{}, req.Messages...), resp.Choices[0].Message,
		llm.Message{Role: llm.RoleTool, ToolCallID: calls[0].ID, Parts: []llm.Part{llm.TextPart(`{"temp": 18}`)}})
	resp2, err := p.Complete(ctx, &next)
	if err != nil {
		t.Fatal(err)
	}
	if resp2.Choices[0].Message.Text() == "" || len(resp2.Choices[0].Message.ToolCalls) != 0 {
		t.Fatalf("after the result: %+v", resp2.Choices[0])
	}
	// Every content carried a role.
	for _, r := range f.requests(":generateContent") {
		body, _ := io.ReadAll(r.Body)
		var wr struct {
			Contents []struct {
				Role string `json:"role"`
			} `json:"contents"`
		}
		if err := json.Unmarshal(body, &wr); err != nil {
			t.Fatal(err)
		}
		for i, c := range wr.Contents {
			if c.Role != "user" && c.Role != "model" {
				t.Errorf("content %d has role %q", i, c.Role)
			}
		}
	}
}

// A token the API stops accepting is replaced and the request sent again,
// once: the caller sees nothing.
func TestRevokedTokenIsReplaced(t *testing.T) {
	f := newFixture(t, sim.Options{})
	p := f.provider(t)
	ctx := context.Background()
	if _, err := p.Complete(ctx, userRequest("gemini-2.5-flash", "hi")); err != nil {
		t.Fatal(err)
	}
	f.sim.RevokeAccessTokens()
	if _, err := p.Complete(ctx, userRequest("gemini-2.5-flash", "hi again")); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	f.sim.RevokeAccessTokens()
	s, err := p.Stream(ctx, userRequest("gemini-2.5-flash", "and a stream"))
	if err != nil {
		t.Fatalf("stream after revocation: %v", err)
	}
	if _, err := llm.Collect(s); err != nil {
		t.Fatal(err)
	}
	if n := f.sim.Served().AccessTokens; n != 3 {
		t.Errorf("%d access tokens minted, want 3", n)
	}
	if n := len(f.requests(":generateContent")); n != 3 {
		t.Errorf("%d generateContent requests, want 3 (one retried)", n)
	}
}

// A 401 that a new token does not cure is returned after one retry.
func TestPersistentUnauthenticated(t *testing.T) {
	f := newFixture(t, sim.Options{})
	p := f.provider(t)
	_, err := p.Complete(context.Background(), userRequest("gemini-2.5-flash", "hi [[sim status=401]]"))
	e := asError(t, err)
	if e.Kind != llm.KindUnauthenticated || e.Status != http.StatusUnauthorized || e.Provider != "vertex" {
		t.Fatalf("error %+v", e)
	}
	if strings.Contains(e.Error(), "ya29") {
		t.Errorf("the error shows a token: %v", e)
	}
	if n := len(f.requests(":generateContent")); n != 2 {
		t.Errorf("%d requests, want 2 (one retry with a new token)", n)
	}
	if n := f.sim.Served().AccessTokens; n != 2 {
		t.Errorf("%d tokens, want 2", n)
	}
}

func TestErrorClasses(t *testing.T) {
	f := newFixture(t, sim.Options{})
	p := f.provider(t)
	cases := []struct {
		directive string
		kind      llm.Kind
		message   string
	}{
		{"status=404", llm.KindNotFound, "Publisher Model `projects/" + testProject + "/locations/us-central1/publishers/google/models/gemini-9` was not found"},
		{"status=429", llm.KindRateLimited, "Resource exhausted"},
		{"status=503", llm.KindOverloaded, ""},
		{"status=500", llm.KindUpstream, ""},
		{"status=403", llm.KindPermissionDenied, ""},
		{"status=400 code=context_length_exceeded", llm.KindContextTooLong, ""},
		{"status=400", llm.KindInvalidRequest, ""},
	}
	for _, c := range cases {
		t.Run(c.directive, func(t *testing.T) {
			_, err := p.Complete(context.Background(), userRequest("gemini-9", "hi [[sim "+c.directive+"]]"))
			e := asError(t, err)
			if e.Kind != c.kind || !strings.Contains(e.Message, c.message) {
				t.Fatalf("got %v %q, want %v %q", e.Kind, e.Message, c.kind, c.message)
			}
			// A stream fails the same way, before any chunk.
			_, err = p.Stream(context.Background(), userRequest("gemini-9", "hi [[sim "+c.directive+"]]"))
			if se := asError(t, err); se.Kind != c.kind {
				t.Fatalf("stream: %v", se)
			}
		})
	}
	if _, err := p.Complete(context.Background(), userRequest("tunedModels/abc", "hi")); llm.KindOf(err) != llm.KindInvalidRequest {
		t.Errorf("tuned model: %v", err)
	}
}

// A deadline reaches the token exchange too: a caller that gives up gets a
// Timeout or Canceled error, not a hang.
func TestCanceledWhileMinting(t *testing.T) {
	f := newFixture(t, sim.Options{})
	release := make(chan struct{})
	defer close(release)
	f.client = &http.Client{Transport: blockToken{release: release, next: f.sim.Transport()}}
	p := f.provider(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := p.Complete(ctx, userRequest("gemini-2.5-flash", "hi"))
	if k := llm.KindOf(err); k != llm.KindTimeout && k != llm.KindCanceled {
		t.Fatalf("error %v (%v)", err, k)
	}
	var e *llm.Error
	if !errors.As(err, &e) || e.Provider != "vertex" {
		t.Errorf("error %+v does not name the provider", e)
	}
}

// blockToken holds token requests until release is closed.
type blockToken struct {
	release chan struct{}
	next    http.RoundTripper
}

func (b blockToken) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == "/token" {
		select {
		case <-b.release:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	return b.next.RoundTrip(req)
}
