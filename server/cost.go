package server

import (
	"context"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
)

// HeaderCost carries what a request cost in US dollars ("0.000123450") on
// both transports: a header on unary answers, a trailer on streams.
const HeaderCost = frontdoor.HeaderCost

func costToProto(c llm.Cost) *switchboardv1.Cost {
	return &switchboardv1.Cost{NanoUsd: c.NanoUSD, Usd: c.USD(), Unpriced: c.Unpriced, Estimated: c.Estimated}
}

// connectErrorWithCost is ConnectError for a failed call, with the cost of
// the attempts that consumed tokens before it failed (llm.CostOf) in the
// X-Switchboard-Cost-Usd error metadata and the request's record.
func connectErrorWithCost(ctx context.Context, err error) error {
	ce := ConnectError(err)
	if c, ok := llm.CostOf(err); ok {
		frontdoor.NoteCost(ctx, c)
		ce.Meta().Set(HeaderCost, c.USD())
	}
	return ce
}
