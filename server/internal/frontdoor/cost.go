package frontdoor

import (
	"context"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/request"
)

// HeaderCost carries what a request cost, as a decimal number of US
// dollars with nine decimal places ("0.000123450"): a response header on
// unary answers (and on failures that cost something), an HTTP trailer on
// streams, since a stream's cost is known only at its end.
const HeaderCost = "X-Switchboard-Cost-Usd"

// NoteCost records c as the request's cost (request.Info.CostNanoUSD, for
// the request log and the audit trail).
func NoteCost(ctx context.Context, c llm.Cost) {
	if info := request.From(ctx); info != nil {
		info.CostNanoUSD = c.NanoUSD
	}
}

// SetCost sets the cost header of a unary answer and records the cost.
func SetCost(ctx context.Context, h http.Header, c llm.Cost) {
	h.Set(HeaderCost, c.USD())
	NoteCost(ctx, c)
}

// SetErrorCost sets the cost header of a failed request whose attempts
// consumed tokens (llm.CostOf), before its error response is written.
func SetErrorCost(ctx context.Context, h http.Header, err error) {
	if c, ok := llm.CostOf(err); ok {
		SetCost(ctx, h, c)
	}
}

// DeclareCostTrailer announces the cost trailer of a stream; call it
// before the response header is written.
func DeclareCostTrailer(h http.Header) { h.Add("Trailer", HeaderCost) }

// StreamCost follows a stream's cost: the last chunk's (llm.Chunk.Cost),
// or the error's when the stream fails.
type StreamCost struct {
	cost  llm.Cost
	known bool
}

// Chunk notes the cost a chunk carries.
func (s *StreamCost) Chunk(c *llm.Chunk) {
	if c.Cost != nil {
		s.cost, s.known = *c.Cost, true
	}
}

// Error notes the cost a stream's error carries.
func (s *StreamCost) Error(err error) {
	if c, ok := llm.CostOf(err); ok {
		s.cost, s.known = c, true
	}
}

// Cost returns the cost noted, and whether one was.
func (s *StreamCost) Cost() (llm.Cost, bool) { return s.cost, s.known }

// SetTrailer sets the declared cost trailer, once the stream has ended,
// and records the cost. Nothing is set when no cost was noted.
func (s *StreamCost) SetTrailer(ctx context.Context, h http.Header) {
	if !s.known {
		return
	}
	h.Set(HeaderCost, s.cost.USD())
	NoteCost(ctx, s.cost)
}
