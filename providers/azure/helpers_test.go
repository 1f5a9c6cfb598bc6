package azure_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/azure"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

const (
	simEndpoint = "http://sim.invalid"
	testKey     = "azure-test-key-0123456789"
)

// fixture is a simulator with a key, reached in memory, recording what
// reaches it.
type fixture struct {
	sim    *sim.Server
	client *http.Client
	mu     sync.Mutex
	seen   []*http.Request
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{sim: sim.New(sim.Options{APIKey: testKey})}
	f.client = &http.Client{Transport: recorder{f: f, next: f.sim.Transport()}}
	return f
}

type recorder struct {
	f    *fixture
	next http.RoundTripper
}

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	c := req.Clone(context.Background())
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body, c.Body = io.NopCloser(bytes.NewReader(b)), io.NopCloser(bytes.NewReader(b))
	}
	r.f.mu.Lock()
	r.f.seen = append(r.f.seen, c)
	r.f.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (f *fixture) last(t *testing.T) *http.Request {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 {
		t.Fatal("no request reached the simulator")
	}
	return f.seen[len(f.seen)-1]
}

func (f *fixture) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen)
}

// provider returns a provider for the fixture with cfg's settings.
func (f *fixture) provider(t *testing.T, cfg azure.Config) *azure.Provider {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "azure"
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = simEndpoint
	}
	if cfg.APIKey == "" && cfg.Credential == nil {
		cfg.APIKey = testKey
	}
	cfg.HTTPClient = f.client
	p, err := azure.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func userRequest(model, text string) *llm.Request {
	return &llm.Request{Model: model, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(text)}}}}
}

func asError(t *testing.T, err error) *llm.Error {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *llm.Error", err, err)
	}
	return e
}

// collect reads a stream to its end, failing on an empty chunk.
func collect(t *testing.T, s llm.Stream) ([]llm.Chunk, error) {
	t.Helper()
	defer s.Close()
	var out []llm.Chunk
	for {
		c, err := s.Recv()
		if err != nil {
			if err.Error() == "EOF" {
				return out, nil
			}
			return out, err
		}
		if c.Role == "" && c.Text == "" && len(c.ToolCalls) == 0 && c.FinishReason == "" && c.Usage == nil && c.Refusal == "" && c.Reasoning == nil {
			t.Errorf("empty chunk %+v", c)
		}
		out = append(out, c)
	}
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
