package gateway

import (
	"context"
	"fmt"
	"net/http"

	"github.com/switchboard-gw/switchboard/billing/meter"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic"
	"github.com/switchboard-gw/switchboard/providers/gemini"
	"github.com/switchboard-gw/switchboard/providers/openai"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/router"
	"github.com/switchboard-gw/switchboard/secrets"
	"github.com/switchboard-gw/switchboard/telemetry/tracing"
)

// Option adjusts how New builds the gateway.
type Option func(*buildOptions)

type buildOptions struct {
	secrets  secrets.Resolver
	observer router.Observer
	clock    router.Clock
	// instrumentation is telemetry's (instrument.go).
	instrumentation Instrumentation
	// meter charges attempts (metering.go).
	meter *meter.Meter
	// admission admits requests (admission.go).
	admission *admission
}

// WithSecrets resolves credential references with r, usually the result
// of OpenSecrets. Without it only env: references resolve; vault: ones
// need it.
func WithSecrets(r secrets.Resolver) Option {
	return func(o *buildOptions) { o.secrets = r }
}

// New builds the gateway (providers, router) from a loaded configuration.
func New(cfg *config.Config, opts ...Option) (*Gateway, error) {
	o := buildOptions{secrets: secrets.Schemes{secrets.SchemeEnv: secrets.Env{LookupEnv: cfg.LookupEnv}}}
	for _, opt := range opts {
		opt(&o)
	}
	o.finishAdmission()
	g := &Gateway{opts: o, state: router.NewState()}
	if err := g.Reload(cfg); err != nil {
		return nil, err
	}
	return g, nil
}

func buildProvider(name string, pc *config.Provider, resolver secrets.Resolver) (llm.Provider, error) {
	switch pc.Kind {
	case config.KindSim:
		return newSimProvider(name, pc)
	case config.KindAzure:
		return newAzureProvider(name, pc, resolver)
	case config.KindVertex:
		return newVertexProvider(name, pc, resolver)
	case config.KindBedrock:
		return newBedrockProvider(name, pc, resolver)
	}
	// Every real provider takes its key the same way: a static value for
	// env: references, a refreshable credential for vault: ones.
	var key string
	var cred *secrets.Credential
	if pc.APIKey != "" {
		var err error
		if key, cred, err = providerKey(context.Background(), resolver, pc.APIKey); err != nil {
			return nil, fmt.Errorf("api_key: %w", err)
		}
	}
	var credential func(context.Context) (string, error)
	if cred != nil {
		credential = cred.Get
	}
	var p llm.Provider
	var err error
	switch pc.Kind {
	case config.KindOpenAI:
		p, err = newOpenAIProvider(name, pc, key, credential)
	case config.KindAnthropic:
		p, err = anthropic.New(anthropic.Config{Name: name, BaseURL: pc.BaseURL, APIKey: key, Credential: credential, Headers: pc.Headers, HTTPClient: httpClientFor(pc)})
	case config.KindGemini:
		p, err = gemini.New(gemini.Config{Name: name, BaseURL: pc.BaseURL, APIKey: key, Credential: credential, Headers: pc.Headers, HTTPClient: httpClientFor(pc)})
	default:
		return nil, fmt.Errorf("unknown kind %q", pc.Kind)
	}
	if err != nil {
		return nil, err
	}
	return withCredentialRefresh(p, cred), nil
}

func newOpenAIProvider(name string, pc *config.Provider, key string, credential func(context.Context) (string, error)) (llm.Provider, error) {
	oc, ok := openai.Preset(pc.Vendor)
	if !ok {
		return nil, fmt.Errorf("unknown vendor %q", pc.Vendor)
	}
	oc.Name = name
	if pc.BaseURL != "" {
		oc.BaseURL = pc.BaseURL
	}
	switch pc.Auth {
	case "bearer":
		oc.AuthStyle = openai.AuthBearer
	case "api-key":
		oc.AuthStyle = openai.AuthAPIKeyHeader
	case "none":
		oc.AuthStyle = openai.AuthNone
	}
	if len(pc.Headers) > 0 {
		oc.Headers = pc.Headers
	}
	oc.APIKey, oc.Credential = key, credential
	oc.HTTPClient = httpClientFor(pc)
	return openai.New(oc)
}

// simHost is never dialled: the simulator's in-memory transport answers.
const simHost = "http://simulator.switchboard.internal"

// simKey is what the in-process simulator is sent as a key. The simulator
// checks none (it has no APIKey), but the Anthropic and Gemini translators
// refuse to run without one.
const simKey = "sim-no-key-needed"

// newSimProvider runs the simulator in-process behind the real translator
// of the configured dialect, so the keyless demo exercises the same code as
// a real provider, without a second port.
func newSimProvider(name string, pc *config.Provider) (llm.Provider, error) {
	if pc.Dialect == config.KindBedrock {
		return newSimBedrock(name, simOptions(pc.Sim))
	}
	s := sim.New(simOptions(pc.Sim))
	client := &http.Client{Transport: tracing.Transport(s.Transport())}
	switch pc.Dialect {
	case config.KindAnthropic:
		return anthropic.New(anthropic.Config{Name: name, BaseURL: simHost, APIKey: simKey, HTTPClient: client})
	case config.KindGemini:
		return gemini.New(gemini.Config{Name: name, BaseURL: simHost + "/v1beta", APIKey: simKey, HTTPClient: client})
	}
	oc, _ := openai.Preset("openai") // the simulator speaks OpenAI's own dialect
	oc.Name = name
	oc.BaseURL = simHost + "/v1"
	oc.AuthStyle = openai.AuthNone
	oc.HTTPClient = client
	return openai.New(oc)
}
