package anthropic_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

const testKey = "sk-ant-api03-TESTSECRET0123456789"

// recorded is what an upstream saw of one call.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// recorder keeps the calls an upstream received.
type recorder struct {
	mu    sync.Mutex
	calls []recorded
}

func (rc *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.calls = append(rc.calls, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		rc.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	})
}

func (rc *recorder) last(t *testing.T) recorded {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.calls) == 0 {
		t.Fatal("the upstream received no call")
	}
	return rc.calls[len(rc.calls)-1]
}

// upstream is an httptest server standing in for the API.
type upstream struct {
	*httptest.Server
	recorder
}

func newUpstream(t *testing.T, handler http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(u.wrap(handler))
	t.Cleanup(u.Close)
	return u
}

// replay answers with a transcript's status, headers and exact body bytes.
func replay(tr *fixtures.Transcript) http.HandlerFunc {
	return raw(tr.Response.Status, tr.Response.Headers, tr.Response.RawBody())
}

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

func sseHandler(body string) http.HandlerFunc {
	return raw(200, map[string]string{"content-type": "text/event-stream; charset=utf-8"}, []byte(body))
}

func newProvider(t *testing.T, baseURL string, mutate ...func(*anthropic.Config)) *anthropic.Provider {
	t.Helper()
	cfg := anthropic.Config{BaseURL: baseURL, APIKey: testKey}
	for _, m := range mutate {
		m(&cfg)
	}
	p, err := anthropic.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// simTarget is a Provider talking to the simulator's Anthropic dialect in
// memory, with the calls the simulator received recorded.
type simTarget struct {
	p   *anthropic.Provider
	sim *sim.Server
	recorder
}

func newSimTarget(t *testing.T, opts sim.Options, mutate ...func(*anthropic.Config)) *simTarget {
	t.Helper()
	st := &simTarget{sim: sim.New(opts)}
	client := &http.Client{Transport: sim.HandlerTransport(st.wrap(st.sim))}
	st.p = newProvider(t, "http://sim.invalid", append([]func(*anthropic.Config){func(c *anthropic.Config) {
		c.HTTPClient = client
		c.APIKey = "sim-key"
	}}, mutate...)...)
	return st
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
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return m
}

func ptr[T any](v T) *T { return &v }
