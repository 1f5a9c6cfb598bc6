package gateway

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// AdmissionPrices is the admit.Pricer of a gateway: the prices of every
// deployment a model may reach (router.Reachable), as metering prices
// them, cached per model for a minute (so that a price taking effect at a
// date applies within a minute) and dropped on every reload. The in-process
// simulator costs nothing: a sim deployment without a price is free (zero),
// not unpriced, so that keys with budgets can use the keyless demo.
type AdmissionPrices struct {
	snap atomic.Pointer[pricesSnapshot]
}

type pricesSnapshot struct {
	router *router.Router
	pricer *configPricer
	cache  sync.Map // model -> *modelPrices
	size   atomic.Int64
}

type modelPrices struct {
	prices []pricing.Price
	ok     bool
	at     time.Time
}

// pricesTTL is how long a model's prices are reused.
const pricesTTL = time.Minute

// maxCachedModels bounds the cache: passthrough names come from callers.
const maxCachedModels = 4096

// NewAdmissionPrices returns prices to build an admit.Controller with and
// pass to WithAdmission; they know nothing until the gateway loads its
// configuration.
func NewAdmissionPrices() *AdmissionPrices { return &AdmissionPrices{} }

func (p *AdmissionPrices) reset(r *router.Router, pricer *configPricer) {
	p.snap.Store(&pricesSnapshot{router: r, pricer: pricer})
}

// Prices implements admit.Pricer.
func (p *AdmissionPrices) Prices(model string) ([]pricing.Price, bool) {
	s := p.snap.Load()
	if s == nil || s.pricer == nil {
		return nil, false
	}
	now := time.Now()
	if v, ok := s.cache.Load(model); ok {
		if mp := v.(*modelPrices); now.Sub(mp.at) < pricesTTL {
			return mp.prices, mp.ok
		}
	}
	mp := &modelPrices{at: now, ok: true}
	ds, err := s.router.Reachable(model)
	if err != nil || len(ds) == 0 {
		mp.ok = false
	}
	for _, d := range ds {
		price, ok := s.pricer.PriceOf(&llm.Attempt{Deployment: d.Name, Provider: d.ProviderName, Model: d.Model, Start: now})
		if !ok && s.free(d.ProviderName) {
			price, ok = pricing.Price{Provider: d.ProviderName, Model: d.Model}, true
		}
		if !ok {
			mp.ok = false
			break
		}
		mp.prices = append(mp.prices, price)
	}
	if !mp.ok {
		mp.prices = nil
	}
	if s.size.Load() < maxCachedModels {
		if _, loaded := s.cache.Swap(model, mp); !loaded {
			s.size.Add(1)
		}
	}
	return mp.prices, mp.ok
}

// free reports whether provider is the in-process simulator, which costs
// nothing.
func (s *pricesSnapshot) free(provider string) bool {
	pc := s.pricer.cfg.Providers[provider]
	return pc != nil && pc.Kind == config.KindSim
}
