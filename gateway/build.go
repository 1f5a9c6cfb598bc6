package gateway

import (
	"context"
	"fmt"
	"net/http"
	"sort"

	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/router"
	"github.com/switchboard-gw/switchboard/secrets"
)

// New builds the gateway (providers, router) from a loaded configuration.
func New(cfg *config.Config) (*Gateway, error) {
	resolver := secrets.Env{LookupEnv: cfg.LookupEnv}
	providers := make(map[string]llm.Provider, len(cfg.Providers))
	passthrough := map[string]llm.Provider{}
	names := make([]string, 0, len(cfg.Providers))
	for n := range cfg.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		pc := cfg.Providers[name]
		p, err := buildProvider(name, pc, resolver)
		if err != nil {
			return nil, fmt.Errorf("providers.%s: %w", name, err)
		}
		providers[name] = p
		if pc.Passthrough {
			passthrough[name] = p
		}
	}
	deployments := make(map[string]*router.Deployment, len(cfg.Deployments))
	for name, dc := range cfg.Deployments {
		deployments[name] = &router.Deployment{Name: name, ProviderName: dc.Provider, Model: dc.Model, Provider: providers[dc.Provider]}
	}
	aliases := make(map[string][]*router.Deployment, len(cfg.Aliases))
	for name, ac := range cfg.Aliases {
		ds := make([]*router.Deployment, len(ac.Deployments))
		for i, d := range ac.Deployments {
			ds[i] = deployments[d]
		}
		aliases[name] = ds
	}
	return NewWithRouter(router.New(aliases, passthrough)), nil
}

func buildProvider(name string, pc *config.Provider, resolver secrets.Resolver) (llm.Provider, error) {
	switch pc.Kind {
	case config.KindSim:
		return newSimProvider(name, pc.Sim)
	case config.KindOpenAI:
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
		if pc.APIKey != "" {
			key, err := resolver.Resolve(context.Background(), pc.APIKey)
			if err != nil {
				return nil, fmt.Errorf("api_key: %w", err)
			}
			oc.APIKey = key
		}
		return openai.New(oc)
	}
	return nil, fmt.Errorf("unknown kind %q", pc.Kind)
}

// simBaseURL is never dialled: the simulator's in-memory transport answers.
const simBaseURL = "http://simulator.switchboard.internal/v1"

// newSimProvider runs the simulator in-process behind the real OpenAI
// translator, so the keyless demo exercises the same code as a real
// provider, without a second port.
func newSimProvider(name string, o config.SimOptions) (llm.Provider, error) {
	s := sim.New(sim.Options{Latency: o.Latency, TTFT: o.TTFT, InterChunkDelay: o.InterChunkDelay})
	oc, _ := openai.Preset("openai") // the simulator speaks OpenAI's own dialect
	oc.Name = name
	oc.BaseURL = simBaseURL
	oc.AuthStyle = openai.AuthNone
	oc.HTTPClient = &http.Client{Transport: s.Transport()}
	return openai.New(oc)
}
