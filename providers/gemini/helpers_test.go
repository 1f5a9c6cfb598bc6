package gemini_test

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
	"github.com/switchboard-gw/switchboard/providers/gemini"

	"github.com/switchboard-gw/switchboard/providers/sim"
)

const testKey = "AIzaSyTEST-SECRET-KEY-0123456789abcdef"

// recorded is what the upstream saw of one call.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// recorder keeps the calls a provider made.
type recorder struct {
	mu    sync.Mutex
	calls []recorded
}

func (rc *recorder) add(r *http.Request, body []byte) {
	rc.mu.Lock()
	rc.calls = append(rc.calls, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
	rc.mu.Unlock()
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

// upstream is an httptest server standing in for Gemini.
type upstream struct {
	*httptest.Server
	recorder
}

func newUpstream(t *testing.T, handler http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.add(r, body)
		handler(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

// replay answers every call with a recorded transcript's status, headers
// and exact body bytes.
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
	return raw(200, map[string]string{"content-type": "text/event-stream"}, []byte(body))
}

func newProvider(t *testing.T, baseURL string, mutate ...func(*gemini.Config)) *gemini.Provider {
	t.Helper()
	cfg := gemini.Config{Name: "gemini", BaseURL: baseURL, APIKey: testKey}
	for _, m := range mutate {
		m(&cfg)
	}
	p, err := gemini.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// recordingTransport passes calls to next and records them, so that a test
// can read the wire body the simulator received.
type recordingTransport struct {
	next http.RoundTripper
	recorder
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	rt.add(r, body)
	return rt.next.RoundTrip(r)
}

// simTarget is a provider wired to an in-memory simulator.
type simTarget struct {
	p   *gemini.Provider
	sim *sim.Server
	rec *recordingTransport
}

func newSimTarget(t *testing.T, opts sim.Options, mutate ...func(*gemini.Config)) simTarget {
	t.Helper()
	s := sim.New(opts)
	rt := &recordingTransport{next: s.Transport()}
	key := opts.APIKey
	if key == "" {
		key = testKey
	}
	p := newProvider(t, "http://gemini.sim.invalid/v1beta", append([]func(*gemini.Config){func(c *gemini.Config) {
		c.APIKey = key
		c.HTTPClient = &http.Client{Transport: rt}
	}}, mutate...)...)
	return simTarget{p: p, sim: s, rec: rt}
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
		t.Fatalf("body is not JSON: %v: %s", err, b)
	}
	return m
}

type gemConfig = gemini.Config
