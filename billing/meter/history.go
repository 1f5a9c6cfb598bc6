package meter

import (
	"time"

	"github.com/switchboard-gw/switchboard/billing/pricing"
)

// History is one model's prices over time, newest first, so that pricing
// an attempt is a short scan instead of a table lookup (which normalizes
// the model's name) and an override (which parses decimals).
type History struct {
	prices []pricing.Price
}

// maxHistory bounds the entries NewHistory collects for one model.
const maxHistory = 64

// farFuture is after any price's effective date.
var farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// NewHistory collects every price lookup returns over time, by asking for
// the price in effect at the end of time, then just before that price took
// effect, and so on until there is none. lookup(at) must return the newest
// price in effect at at (pricing.Table.Lookup's contract).
func NewHistory(lookup func(at time.Time) (pricing.Price, bool)) History {
	var h History
	at := farFuture
	for len(h.prices) < maxHistory {
		p, ok := lookup(at)
		if !ok {
			break
		}
		h.prices = append(h.prices, p)
		// A price with no effective date (an override of a model the table
		// lacks) holds for all time; any other goes back to its date.
		if p.EffectiveFrom.IsZero() || !p.EffectiveFrom.Before(at) {
			break
		}
		at = p.EffectiveFrom.Add(-time.Nanosecond)
	}
	return h
}

// At returns the price in effect at t (the newest whose effective date is
// not after t), and false when none is.
func (h History) At(t time.Time) (pricing.Price, bool) {
	for i := range h.prices {
		if !h.prices[i].EffectiveFrom.After(t) {
			return h.prices[i], true
		}
	}
	return pricing.Price{}, false
}

// Empty reports whether the model has no price at any time.
func (h History) Empty() bool { return len(h.prices) == 0 }
