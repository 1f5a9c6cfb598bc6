package conformance

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic"
	"github.com/switchboard-gw/switchboard/providers/azure"
	"github.com/switchboard-gw/switchboard/providers/bedrock"
	"github.com/switchboard-gw/switchboard/providers/gemini"
	"github.com/switchboard-gw/switchboard/providers/openai"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/providers/vertex"
)

// Provider names: the translators under test, and the keys of the
// deviations table.
const (
	OpenAI    = "openai"
	Azure     = "azure"
	Anthropic = "anthropic"
	Bedrock   = "bedrock"
	Gemini    = "gemini"
	Vertex    = "vertex"
)

// Providers lists the translators in matrix order. Each must have a
// builder in translatorBuilders.
var Providers = []string{OpenAI, Azure, Anthropic, Bedrock, Gemini, Vertex}

// ReferenceProvider is the translator whose results every other target is
// compared with.
const ReferenceProvider = OpenAI

// Translator is one provider translator pointed at the simulator.
type Translator struct {
	Name string
	// Model is the upstream model the scenarios ask for: one without
	// default thinking, so that only the reasoning scenario reasons.
	Model    string
	Provider llm.Provider
}

// Simulator is one in-process simulator speaking every dialect, with
// credentials checked the way each provider checks them, and a translator
// for each provider pointed at it.
type Simulator struct {
	URL         string
	Server      *sim.Server
	Translators []Translator
}

// The credentials the simulator checks. They are test values, not secrets.
const simAPIKey = "sim-conformance-key-0123456789"

var simAWS = sim.AWSCredentials{
	AccessKeyID:     "AKIAIOSFODNN7EXAMPLE",
	SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	SessionToken:    "conformance-session-token",
}

const serviceAccountEmail = "conformance@switchboard-test.iam.gserviceaccount.com"

// serviceAccountKey is an RSA key made once per test binary: Vertex AI's
// tokens are minted from a service-account key, and no key is committed.
var serviceAccountKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// NewSimulator starts a simulator on a loopback httptest server and builds
// every translator against it. Both are closed when t ends.
func NewSimulator(t testing.TB) *Simulator {
	t.Helper()
	key, err := serviceAccountKey()
	if err != nil {
		t.Fatal(err)
	}
	s := sim.New(sim.Options{
		APIKey:                simAPIKey,
		AWS:                   &simAWS,
		GoogleServiceAccounts: map[string]*rsa.PublicKey{serviceAccountEmail: &key.PublicKey},
	})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	t.Cleanup(client.CloseIdleConnections)
	out := &Simulator{URL: srv.URL, Server: s}
	for _, name := range Providers {
		b := translatorBuilders[name]
		p, err := b.build(srv.URL, client)
		if err != nil {
			t.Fatalf("%s translator: %v", name, err)
		}
		out.Translators = append(out.Translators, Translator{Name: name, Model: b.model, Provider: p})
	}
	return out
}

// Translator returns the translator of the named provider.
func (s *Simulator) Translator(name string) Translator {
	for _, tr := range s.Translators {
		if tr.Name == name {
			return tr
		}
	}
	panic("conformance: no translator " + name)
}

type translatorBuilder struct {
	model string
	build func(simURL string, client *http.Client) (llm.Provider, error)
}

// translatorBuilders configure each translator the way the gateway does,
// with the simulator as the upstream.
var translatorBuilders = map[string]translatorBuilder{
	OpenAI: {model: "gpt-4o-mini", build: func(u string, c *http.Client) (llm.Provider, error) {
		cfg, _ := openai.Preset("openai")
		cfg.BaseURL, cfg.APIKey, cfg.HTTPClient = u+"/v1", simAPIKey, c
		return openai.New(cfg)
	}},
	Azure: {model: "gpt-4o-mini", build: func(u string, c *http.Client) (llm.Provider, error) {
		return azure.New(azure.Config{Name: Azure, Endpoint: u, APIKey: simAPIKey, HTTPClient: c})
	}},
	Anthropic: {model: "claude-sonnet-4-5", build: func(u string, c *http.Client) (llm.Provider, error) {
		return anthropic.New(anthropic.Config{Name: Anthropic, BaseURL: u, APIKey: simAPIKey, HTTPClient: c})
	}},
	Bedrock: {model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", build: func(u string, c *http.Client) (llm.Provider, error) {
		return bedrock.New(bedrock.Config{Name: Bedrock, Region: "us-east-1", Endpoint: u, HTTPClient: c,
			Credentials: bedrock.StaticCredentials(bedrock.Credentials{
				AccessKeyID: simAWS.AccessKeyID, SecretAccessKey: simAWS.SecretAccessKey, SessionToken: simAWS.SessionToken,
			})})
	}},
	Gemini: {model: "gemini-2.0-flash", build: func(u string, c *http.Client) (llm.Provider, error) {
		return gemini.New(gemini.Config{Name: Gemini, BaseURL: u + "/v1beta", APIKey: simAPIKey, HTTPClient: c})
	}},
	Vertex: {model: "gemini-2.0-flash", build: func(u string, c *http.Client) (llm.Provider, error) {
		keyFile, err := serviceAccountFile(u + "/token")
		if err != nil {
			return nil, err
		}
		return vertex.New(vertex.Config{Name: Vertex, Location: "us-central1", Endpoint: u, ServiceAccountJSON: keyFile, HTTPClient: c})
	}},
}

// serviceAccountFile is a service-account key file for serviceAccountKey
// whose token endpoint is tokenURI.
func serviceAccountFile(tokenURI string) ([]byte, error) {
	key, err := serviceAccountKey()
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     "switchboard-test",
		"private_key_id": "0123456789abcdef",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   serviceAccountEmail,
		"token_uri":      tokenURI,
	})
}
