package gateway_test

import (
	"testing"

	"github.com/switchboard-gw/switchboard/gateway"
	"github.com/switchboard-gw/switchboard/router"
)

// The lowest-cost strategy ranks deployments by the pricing table (and
// the deployments' pricing overrides) when they declare no price.
func TestRouterPricesComeFromThePricingTable(t *testing.T) {
	cfg := parse(t, `
defaults: {demo: false, env_providers: false}
providers:
  sim: {kind: sim}
deployments:
  big: {provider: sim, model: gpt-4o}
  small: {provider: sim, model: gpt-4o-mini}
  deal: {provider: sim, model: gpt-4.1, pricing: {input: 1, output: 4}}
  declared: {provider: sim, model: gpt-4.1, price: {input_per_mtok: 9, output_per_mtok: 9}}
aliases:
  cheap: {deployments: [big, small, deal, declared], strategy: lowest_cost}
`)
	g, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := g.Router().Resolve("cheap")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]router.Price{
		"big":      {InputPerMTok: 2.5, OutputPerMTok: 10},
		"small":    {InputPerMTok: 0.15, OutputPerMTok: 0.6},
		"deal":     {InputPerMTok: 1, OutputPerMTok: 4},
		"declared": {InputPerMTok: 9, OutputPerMTok: 9}, // price: wins
	}
	for _, d := range ds {
		if d.Price != want[d.Name] {
			t.Errorf("%s: price %+v, want %+v", d.Name, d.Price, want[d.Name])
		}
	}
}
