package openai_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
)

const testKey = "sk-test-SECRETKEY0123456789"

// recorded is what the upstream saw of one call.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// upstream is an httptest server standing in for the provider. Each call is
// answered by handler; requests are recorded.
type upstream struct {
	*httptest.Server
	mu    sync.Mutex
	calls []recorded
}

func newUpstream(t *testing.T, handler http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.calls = append(u.calls, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		u.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.calls)
}

func (u *upstream) last(t *testing.T) recorded {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.calls) == 0 {
		t.Fatal("the upstream received no call")
	}
	return u.calls[len(u.calls)-1]
}

// replay answers every call with a recorded transcript's status, headers and
// exact body bytes.
func replay(tr *fixtures.Transcript) http.HandlerFunc {
	return raw(tr.Response.Status, tr.Response.Headers, tr.Response.RawBody())
}

// raw answers with the given status, headers and body.
func raw(status int, h map[string]string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range h {
			if k != "content-length" {
				w.Header().Set(k, v)
			}
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// sse answers 200 with an event stream body.
func sse(body string) http.HandlerFunc {
	return raw(200, map[string]string{"content-type": "text/event-stream; charset=utf-8"}, []byte(body))
}

func newProvider(t *testing.T, u *upstream, mutate ...func(*openai.Config)) *openai.Provider {
	t.Helper()
	cfg := openai.Config{Name: "openai", BaseURL: u.URL + "/v1", APIKey: testKey}
	for _, m := range mutate {
		m(&cfg)
	}
	p, err := openai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func userRequest(model, text string) *llm.Request {
	return &llm.Request{Model: model, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(text)}}}}
}

func asLLMError(t *testing.T, err error) *llm.Error {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *llm.Error", err, err)
	}
	return e
}

func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("upstream body is not JSON: %v: %s", err, b)
	}
	return m
}

func wireOptions(maxTokensField string) wire.RequestOptions {
	return wire.RequestOptions{MaxTokensField: maxTokensField}
}
