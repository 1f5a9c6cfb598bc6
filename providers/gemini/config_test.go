package gemini_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini"
)

const okAnswer = `{"candidates": [{"content": {"parts": [{"text": "ok"}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 1,"candidatesTokenCount": 1,"totalTokenCount": 2},"modelVersion": "m","responseId": "r"}`

func TestNewValidates(t *testing.T) {
	cases := map[string]gemini.Config{
		"no name":        {APIKey: "k"},
		"no key":         {Name: "gemini"},
		"relative URL":   {Name: "gemini", APIKey: "k", BaseURL: "/v1beta"},
		"key in the URL": {Name: "gemini", APIKey: "k", BaseURL: "https://generativelanguage.googleapis.com/v1beta?key=AIzaSECRET"},
		"bad header":     {Name: "gemini", APIKey: "k", Headers: map[string]string{"a b": "c"}},
	}
	for name, cfg := range cases {
		if _, err := gemini.New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		} else if strings.Contains(err.Error(), "AIzaSECRET") {
			t.Errorf("%s: the error echoes the key: %v", name, err)
		}
	}
	p, err := gemini.New(gemini.Config{Name: "gemini", APIKey: "k"})
	if err != nil || p.Name() != "gemini" {
		t.Fatalf("defaults: %v", err)
	}
}

func TestModelNamesAndHeaders(t *testing.T) {
	u := newUpstream(t, raw(200, map[string]string{"content-type": "application/json"}, []byte(okAnswer)))
	p := newProvider(t, u.URL+"/v1beta?region=eu", func(c *gemini.Config) {
		c.Headers = map[string]string{"X-Goog-User-Project": "proj-1"}
	})
	paths := map[string]string{
		"gemini-2.5-flash":        "/v1beta/models/gemini-2.5-flash:generateContent",
		"models/gemini-2.5-flash": "/v1beta/models/gemini-2.5-flash:generateContent",
		"tunedModels/my-model-7":  "/v1beta/tunedModels/my-model-7:generateContent",
	}
	for model, want := range paths {
		if _, err := p.Complete(context.Background(), userRequest(model, "Hi")); err != nil {
			t.Fatal(err)
		}
		got := u.last(t)
		if got.Path != want || got.RawQuery != "region=eu" || got.Header.Get("X-Goog-User-Project") != "proj-1" || got.Header.Get("X-Goog-Api-Key") != testKey {
			t.Errorf("%s: %s?%s %v", model, got.Path, got.RawQuery, got.Header)
		}
	}
	for _, bad := range []string{"../admin", "gemini?x=1", "models/a/b", "models/"} {
		_, err := p.Complete(context.Background(), userRequest(bad, "Hi"))
		if e := asLLMError(t, err); e.Kind != llm.KindInvalidRequest || e.Param != "model" {
			t.Errorf("%q: %+v", bad, e)
		}
	}
}

func TestCredentialSource(t *testing.T) {
	u := newUpstream(t, raw(200, map[string]string{"content-type": "application/json"}, []byte(okAnswer)))
	calls := 0
	p := newProvider(t, u.URL+"/v1beta", func(c *gemini.Config) {
		c.APIKey = ""
		c.Credential = func(ctx context.Context) (string, error) {
			calls++
			if calls > 1 {
				return "", errors.New("vault sealed")
			}
			return "rotated-key", nil
		}
	})
	if _, err := p.Complete(context.Background(), userRequest("m", "Hi")); err != nil {
		t.Fatal(err)
	}
	if got := u.last(t).Header.Get("X-Goog-Api-Key"); got != "rotated-key" {
		t.Errorf("key sent = %q", got)
	}
	_, err := p.Complete(context.Background(), userRequest("m", "Hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindUnavailable {
		t.Errorf("credential failure: %+v", e)
	}
}

func TestTransportFailures(t *testing.T) {
	p := newProvider(t, "http://127.0.0.1:1/v1beta")
	_, err := p.Complete(context.Background(), userRequest("m", "Hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindUnavailable {
		t.Errorf("refused: %+v", e)
	}
	u := newUpstream(t, raw(200, map[string]string{"content-type": "application/json"}, []byte(`{"candidates": [`)))
	p = newProvider(t, u.URL+"/v1beta")
	_, err = p.Complete(context.Background(), userRequest("m", "Hi"))
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream {
		t.Errorf("malformed: %+v", e)
	}
	u = newUpstream(t, raw(200, map[string]string{"content-type": "application/json"}, []byte(`{"embeddings": [{"values": [1]}]}`)))
	p = newProvider(t, u.URL+"/v1beta")
	_, err = p.Embed(context.Background(), &llm.EmbedRequest{Model: "e", Inputs: []string{"a", "b"}})
	if e := asLLMError(t, err); e.Kind != llm.KindUpstream {
		t.Errorf("short embeddings: %+v", e)
	}
}

func TestListModelsFollowsPages(t *testing.T) {
	u := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("pageToken") == "" {
			_, _ = w.Write([]byte(`{"models": [{"name": "models/gemini-2.5-flash"}], "nextPageToken": "p2"}`))
			return
		}
		_, _ = w.Write([]byte(`{"models": [{"name": "models/gemini-embedding-001"}]}`))
	})
	p := newProvider(t, u.URL+"/v1beta")
	models, err := p.ListModels(context.Background())
	if err != nil || len(models) != 2 || models[0].ID != "gemini-2.5-flash" || models[1].ID != "gemini-embedding-001" {
		t.Fatalf("models = %+v, %v", models, err)
	}
	if got := u.last(t); got.Path != "/v1beta/models" || !strings.Contains(got.RawQuery, "pageToken=p2") {
		t.Errorf("last call %s?%s", got.Path, got.RawQuery)
	}
}
