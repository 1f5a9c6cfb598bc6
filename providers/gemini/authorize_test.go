package gemini_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini"
)

// Config.Authorize replaces the API key (Vertex AI's bearer tokens): the
// hook sets the credentials, no x-goog-api-key is sent, and its failures
// are classified.
func TestAuthorizeHookReplacesTheKey(t *testing.T) {
	u := newUpstream(t, raw(200, map[string]string{"content-type": "application/json"},
		[]byte(`{"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}]}`)))
	var fail error
	p, err := gemini.New(gemini.Config{Name: "vertex", BaseURL: u.URL, Authorize: func(ctx context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer tok")
		return fail
	}})
	if err != nil {
		t.Fatal(err)
	}
	req := &llm.Request{Model: "gemini-2.5-flash", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("hi")}}}}
	if _, err := p.Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if c := u.last(t); c.Header.Get("Authorization") != "Bearer tok" || c.Header.Get("X-Goog-Api-Key") != "" {
		t.Errorf("headers %v", c.Header)
	}

	fail = errors.New("token service down")
	if _, err := p.Complete(context.Background(), req); llm.KindOf(err) != llm.KindUnavailable {
		t.Errorf("plain error: %v", err)
	}
	fail = &llm.Error{Kind: llm.KindUnauthenticated, Message: "refused"}
	if _, err := p.Complete(context.Background(), req); llm.KindOf(err) != llm.KindUnauthenticated {
		t.Errorf("classified error: %v", err)
	}
	if _, err := gemini.New(gemini.Config{Name: "g", BaseURL: u.URL}); err == nil {
		t.Error("New accepted a config with no key and no Authorize")
	}
}
