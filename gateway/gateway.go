package gateway

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/meter"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
)

// Gateway is the core pipeline both transports call.
type Gateway struct {
	// router is swapped whole by Reload; a request reads it once and
	// finishes on the router it started with.
	router atomic.Pointer[router.Router]
	// What Reload needs to build the next router (reload.go).
	opts     buildOptions
	state    *router.State
	reloadMu sync.Mutex
}

// NewWithRouter returns a gateway over an already built router (for tests
// and embedding; New builds one from configuration).
func NewWithRouter(r *router.Router) *Gateway {
	g := &Gateway{state: r.State()}
	g.router.Store(r)
	return g
}

// Router returns the gateway's current router.
func (g *Gateway) Router() *router.Router { return g.router.Load() }

// Complete checks, authorizes, routes and answers one request.
func (g *Gateway) Complete(ctx context.Context, p *auth.Principal, req *llm.Request) (*llm.Response, error) {
	if err := authorize(p, req.Model); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	ctx, req, ticket, err := g.admitRequest(ctx, p, req, false)
	if err != nil {
		return nil, err
	}
	if ticket.Replayed() {
		return ticket.Replay()
	}
	ctx, call := g.beginCall(ctx, p, req.User, false)
	resp, err := g.Router().Complete(ctx, req)
	if err != nil {
		err = costOnError(err, call)
		ticket.Finish(ctx, nil, err)
		return nil, err
	}
	resp.Cost = call.Cost()
	ticket.Finish(ctx, resp, nil)
	return resp, nil
}

// Stream checks, authorizes, routes and streams one request. The caller
// must Close the stream.
func (g *Gateway) Stream(ctx context.Context, p *auth.Principal, req *llm.Request) (llm.Stream, error) {
	if err := authorize(p, req.Model); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	ctx, req, ticket, err := g.admitRequest(ctx, p, req, true)
	if err != nil {
		return nil, err
	}
	if ticket.Replayed() {
		return ticket.ReplayStream()
	}
	ctx, call := g.beginCall(ctx, p, req.User, true)
	s, err := g.Router().Stream(ctx, req)
	if err != nil {
		err = costOnError(err, call)
		ticket.Finish(ctx, nil, err)
		return nil, err
	}
	return ticket.Stream(ctx, meter.WrapStream(s, call)), nil
}

// Embed checks, authorizes and routes an embeddings request.
func (g *Gateway) Embed(ctx context.Context, p *auth.Principal, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	if err := authorize(p, req.Model); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	ctx, req, ticket, err := g.admitEmbed(ctx, p, req)
	if err != nil {
		return nil, err
	}
	ctx, call := g.beginCall(ctx, p, req.User, false)
	resp, err := g.Router().Embed(ctx, req)
	ticket.FinishEmbed(ctx, err)
	if err != nil {
		return nil, costOnError(err, call)
	}
	resp.Cost = call.Cost()
	return resp, nil
}

// ListModels lists the aliases p may use.
func (g *Gateway) ListModels(_ context.Context, p *auth.Principal) ([]llm.ModelInfo, error) {
	if p == nil {
		return nil, errNoPrincipal
	}
	names := g.Router().Aliases()
	out := make([]llm.ModelInfo, 0, len(names))
	for _, n := range names {
		if p.Allows(n) {
			out = append(out, llm.ModelInfo{ID: n, OwnedBy: "switchboard"})
		}
	}
	return out, nil
}

var errNoPrincipal = &llm.Error{Kind: llm.KindUnauthenticated, Message: "missing API key"}

// authorize checks the model is within the key's scope. The model name is
// checked before validation so that a key learns nothing about a model it
// may not use.
func authorize(p *auth.Principal, model string) error {
	if p == nil {
		return errNoPrincipal
	}
	if model == "" {
		return &llm.Error{Kind: llm.KindInvalidRequest, Param: "model", Message: "model is required"}
	}
	if !p.Allows(model) {
		return &llm.Error{
			Kind:    llm.KindPermissionDenied,
			Param:   "model",
			Code:    "model_not_allowed",
			Message: fmt.Sprintf("this API key may not use the model %q", model),
		}
	}
	return nil
}
