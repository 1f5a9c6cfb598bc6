package gateway

import (
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/secrets"
)

// Reload builds providers and a router from cfg and swaps them in. Requests
// in flight finish on the router they started with; new requests use the
// new one. The router keeps what the old one learned (breakers, latency,
// usage) for deployments of the same name, provider and model. On error
// nothing changes. cfg must be validated (config.Load or Parse).
func (g *Gateway) Reload(cfg *config.Config) error {
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	o := g.opts
	if o.secrets == nil { // a gateway made by NewWithRouter
		o.secrets = secrets.Schemes{secrets.SchemeEnv: secrets.Env{LookupEnv: cfg.LookupEnv}}
	}
	var pricer *configPricer
	if g.opts.meter != nil {
		var err error
		if pricer, err = newConfigPricer(cfg); err != nil {
			return err
		}
	}
	r, err := buildRouter(cfg, &o, g.state)
	if err != nil {
		return err
	}
	if pricer != nil {
		g.opts.meter.SetPricer(pricer)
	}
	g.opts.admissionReloaded(r, pricer)
	g.router.Store(r)
	return nil
}
