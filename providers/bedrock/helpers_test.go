package bedrock_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// The test credentials: AWS's documentation example key pair.
var testCreds = bedrock.Credentials{
	AccessKeyID:     "AKIAIOSFODNN7EXAMPLE",
	SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	SessionToken:    "FQoGZXIvYXdzEXAMPLETOKEN",
}

const claude = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"

// recorded is what an upstream saw of one call.
type recorded struct {
	Method, Path, RawPath string
	Header                http.Header
	Body                  []byte
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
		rc.calls = append(rc.calls, recorded{r.Method, r.URL.Path, r.URL.EscapedPath(), r.Header.Clone(), body})
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

// replayServer answers every call with a transcript's status, headers and
// exact body bytes, over real TCP.
func replayServer(t *testing.T, tr *fixtures.Transcript, extra http.Header) (*httptest.Server, *recorder) {
	t.Helper()
	rc := &recorder{}
	srv := httptest.NewServer(rc.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range tr.Response.Headers {
			if k != "content-length" {
				w.Header().Set(k, v)
			}
		}
		for k, v := range extra {
			w.Header()[k] = v
		}
		w.WriteHeader(tr.Response.Status)
		_, _ = w.Write(tr.Response.RawBody())
	})))
	t.Cleanup(srv.Close)
	return srv, rc
}

func newProvider(t *testing.T, endpoint string, mutate ...func(*bedrock.Config)) *bedrock.Provider {
	t.Helper()
	cfg := bedrock.Config{Region: "us-east-1", Endpoint: endpoint, Credentials: bedrock.StaticCredentials(testCreds)}
	for _, m := range mutate {
		m(&cfg)
	}
	p, err := bedrock.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// simTarget is a Provider talking to the simulator's Bedrock dialect in
// memory, the simulator checking every signature against testCreds.
type simTarget struct {
	p   *bedrock.Provider
	sim *sim.Server
	recorder
}

func newSimTarget(t *testing.T, opts sim.Options, mutate ...func(*bedrock.Config)) *simTarget {
	t.Helper()
	if opts.AWS == nil {
		opts.AWS = &sim.AWSCredentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: testCreds.SecretAccessKey, SessionToken: testCreds.SessionToken}
	}
	st := &simTarget{sim: sim.New(opts)}
	client := &http.Client{Transport: sim.HandlerTransport(st.wrap(st.sim))}
	st.p = newProvider(t, "http://sim.invalid", append([]func(*bedrock.Config){func(c *bedrock.Config) { c.HTTPClient = client }}, mutate...)...)
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

func ptr[T any](v T) *T { return &v }
