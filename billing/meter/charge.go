package meter

import (
	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/llm"
)

// Charge is the priced cost of one attempt.
type Charge struct {
	// NanoUSD is the cost in nano-USD (0 when Unpriced).
	NanoUSD int64
	// Unpriced: the Pricer had no price for the attempt's model.
	Unpriced bool
	// Estimated: the tokens are the gateway's count, not the provider's.
	Estimated bool
	// PricingVersion names the pricing table that priced it ("" without a
	// Pricer).
	PricingVersion string
}

// Cost is the charge as the caller is told it.
func (c Charge) Cost() llm.Cost {
	return llm.Cost{NanoUSD: c.NanoUSD, Unpriced: c.Unpriced, Estimated: c.Estimated}
}

// Pricer finds what an attempt's tokens cost. The gateway's prices an
// attempt by its deployment (the table's price with the deployment's
// override), or, for a passthrough attempt, by its provider's vendor and
// model. Implementations must be quick and safe for concurrent use: they
// run on the request's goroutine as each attempt ends.
type Pricer interface {
	// PriceOf returns the price in effect at a.Start for what a called,
	// and false when there is none.
	PriceOf(a *llm.Attempt) (pricing.Price, bool)
	// Version names the pricing table (pricing.Table.Version).
	Version() string
}

// Chargeable reports whether an attempt consumed tokens that the provider
// bills: it has usage, and either the provider reported it, or the
// attempt produced output, or it was still running when it ended (cut
// off, abandoned, canceled, timed out), so the provider had the prompt.
// An attempt refused with an error (a rate limit, a bad request, an
// unreachable host) consumed nothing, although the router's record holds
// its estimated prompt.
func Chargeable(a *llm.Attempt) bool {
	if a.Usage.IsZero() {
		return false
	}
	if !a.UsageEstimated {
		return true
	}
	return a.Usage.OutputTokens > 0 || a.Outcome != llm.OutcomeFailed || a.ErrorKind == llm.KindTimeout
}

// price prices a with p; a must be chargeable.
func price(p Pricer, a *llm.Attempt) Charge {
	c := Charge{Estimated: a.UsageEstimated}
	if p == nil {
		c.Unpriced = true
		return c
	}
	c.PricingVersion = p.Version()
	pr, ok := p.PriceOf(a)
	if !ok {
		c.Unpriced = true
		return c
	}
	c.NanoUSD = pricing.Cost(pr, a.Usage).TotalNano
	return c
}
