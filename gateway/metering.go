package gateway

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/meter"
	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/billing/tokens"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/sim"
	"github.com/switchboard-gw/switchboard/router"
)

// WithMeter charges every attempt with m (billing/meter): the gateway
// gives m a Pricer built from each configuration it loads, starts a
// meter.Call for each request, and puts the request's cost on the answer
// (llm.Response.Cost, the last chunk of a stream, the error of a failed
// one). Without it nothing is priced and answers carry no cost.
func WithMeter(m *meter.Meter) Option {
	return func(b *buildOptions) { b.meter = m }
}

// Meter returns the gateway's meter (nil without WithMeter).
func (g *Gateway) Meter() *meter.Meter { return g.opts.meter }

// beginCall starts metering a request: ctx carries its meter.Call (one
// allocation). Without a meter it returns ctx and nil.
func (g *Gateway) beginCall(ctx context.Context, p *auth.Principal, endUser string, stream bool) (context.Context, *meter.Call) {
	if g.opts.meter == nil {
		return ctx, nil
	}
	c := meter.Caller{EndUser: endUser, Stream: stream}
	if p != nil {
		c.KeyID, c.TeamID, c.UserID = p.KeyID, p.TeamID, p.UserID
	}
	return meter.Begin(ctx, c)
}

// costOnError puts the cost of a failed request's attempts on its error.
func costOnError(err error, call *meter.Call) error {
	if call == nil || !call.Charged() {
		return err
	}
	if re := routeError(err); re != nil {
		cost := call.Cost()
		re.Cost = &cost
	}
	return err
}

func routeError(err error) *llm.RouteError {
	var re *llm.RouteError
	if errors.As(err, &re) {
		return re
	}
	return nil
}

// tokenCounter counts the tokens of attempts that end without usage (a
// cut-off stream): by the vendor of each provider of cfg, with the
// simulator's own tokenizer for sim providers, so that what the gateway
// counts for a cut-off simulated stream is what the simulator produced.
func tokenCounter(cfg *config.Config) router.TokenCounter {
	return tokens.ProviderCounter{
		Counter: simCounter,
		VendorOf: func(name string) string {
			pc := cfg.Providers[name]
			switch {
			case pc == nil:
				return ""
			case pc.Kind == config.KindSim:
				return simVendor
			}
			return pc.PricingVendor()
		},
	}
}

// simVendor is the vendor name under which the simulator's tokenizer is
// registered.
const simVendor = "sim"

var simCounter = tokens.New(tokens.WithTokenizer(simVendor, sim.CountTokens))

// configPricer prices attempts as one configuration says: a deployment's
// attempts by the table's price of its model on its provider's vendor,
// with its pricing override; a passthrough attempt ("<provider>/<model>")
// by its provider's vendor and model. Deployments' prices are collected
// over time when the configuration is loaded; passthrough models as they
// are first seen (up to maxPassthroughPrices of them).
type configPricer struct {
	cfg         *config.Config
	table       *pricing.Table
	deployments map[string]deploymentPrices

	mu          sync.RWMutex
	passthrough map[string]meter.History // provider + "\x00" + model
}

type deploymentPrices struct {
	provider, model string
	history         meter.History
}

// maxPassthroughPrices bounds the passthrough models whose prices are
// kept: their names come from callers.
const maxPassthroughPrices = 4096

func newConfigPricer(cfg *config.Config) (*configPricer, error) {
	table, err := cfg.PricingTable()
	if err != nil {
		return nil, err
	}
	p := &configPricer{cfg: cfg, table: table, deployments: make(map[string]deploymentPrices, len(cfg.Deployments)),
		passthrough: map[string]meter.History{}}
	for name, d := range cfg.Deployments {
		p.deployments[name] = deploymentPrices{provider: d.Provider, model: d.Model,
			history: meter.NewHistory(func(at time.Time) (pricing.Price, bool) { return cfg.DeploymentPrice(name, at) })}
	}
	return p, nil
}

func (p *configPricer) Version() string { return p.table.Version() }

func (p *configPricer) PriceOf(a *llm.Attempt) (pricing.Price, bool) {
	if d, ok := p.deployments[a.Deployment]; ok && d.provider == a.Provider && d.model == a.Model {
		return d.history.At(a.Start)
	}
	key := a.Provider + "\x00" + a.Model
	p.mu.RLock()
	h, ok := p.passthrough[key]
	p.mu.RUnlock()
	if !ok {
		vendor := ""
		if pc := p.cfg.Providers[a.Provider]; pc != nil {
			vendor = pc.PricingVendor()
		}
		h = meter.NewHistory(func(at time.Time) (pricing.Price, bool) { return p.table.Lookup(vendor, a.Model, at) })
		p.mu.Lock()
		if len(p.passthrough) < maxPassthroughPrices {
			p.passthrough[key] = h
		}
		p.mu.Unlock()
	}
	return h.At(a.Start)
}
