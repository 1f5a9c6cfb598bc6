package vertex_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/providers/vertex"
)

// The keys are made when the tests run; no private key is ever committed.
var (
	keysOnce sync.Once
	keys     [2]*rsa.PrivateKey
)

// testKey returns one of two RSA keys generated once per test run.
func testKey(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	keysOnce.Do(func() {
		for j := range keys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keys[j] = k
		}
	})
	return keys[i]
}

const (
	testEmail   = "switchboard-test@test-project.iam.gserviceaccount.com"
	testProject = "test-project"
	simHost     = "http://sim.invalid"
)

// keyFile writes a service-account key file for key.
func keyFile(t testing.TB, key *rsa.PrivateKey, tokenURI string) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     testProject,
		"private_key_id": "0123456789abcdef",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   testEmail,
		"client_id":      "1234567890",
		"token_uri":      tokenURI,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixture is a simulator that trusts the test service account, reached in
// memory, and the account's key file pointing at the simulator's /token.
type fixture struct {
	sim    *sim.Server
	client *http.Client
	key    []byte
	// seen records the requests that reached the simulator.
	mu   sync.Mutex
	seen []*http.Request
}

func newFixture(t testing.TB, opts sim.Options) *fixture {
	t.Helper()
	opts.GoogleServiceAccounts = map[string]*rsa.PublicKey{testEmail: &testKey(t, 0).PublicKey}
	f := &fixture{sim: sim.New(opts), key: keyFile(t, testKey(t, 0), simHost+"/token")}
	f.client = &http.Client{Transport: recorder{f: f, next: f.sim.Transport()}}
	return f
}

// recorder keeps a copy of each request's headers and URL.
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

// requests returns the recorded requests to paths with the given suffix.
func (f *fixture) requests(suffix string) []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*http.Request
	for _, r := range f.seen {
		if strings.HasSuffix(r.URL.Path, suffix) {
			out = append(out, r)
		}
	}
	return out
}

// provider returns a provider for the fixture's simulator.
func (f *fixture) provider(t *testing.T) *vertex.Provider {
	t.Helper()
	p, err := vertex.New(vertex.Config{Name: "vertex", Location: "us-central1", Endpoint: simHost, ServiceAccountJSON: f.key, HTTPClient: f.client})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func userRequest(model, text string) *llm.Request {
	return &llm.Request{Model: model, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart(text)}}}}
}

// asError returns err as an *llm.Error or fails.
func asError(t *testing.T, err error) *llm.Error {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *llm.Error", err, err)
	}
	return e
}
