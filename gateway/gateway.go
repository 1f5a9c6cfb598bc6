package gateway

// PLACEHOLDER: the lead replaces this with the real core.

import (
	"context"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/gateway/config"
	"github.com/switchboard-gw/switchboard/llm"
)

// Gateway is the core pipeline both transports call.
type Gateway struct{}

// Complete authorizes, routes and answers one request.
func (g *Gateway) Complete(ctx context.Context, p *auth.Principal, req *llm.Request) (*llm.Response, error) {
	panic("todo")
}

// Stream authorizes, routes and streams one request.
func (g *Gateway) Stream(ctx context.Context, p *auth.Principal, req *llm.Request) (llm.Stream, error) {
	panic("todo")
}

// Embed authorizes, routes and embeds.
func (g *Gateway) Embed(ctx context.Context, p *auth.Principal, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	panic("todo")
}

// ListModels lists the aliases p may use.
func (g *Gateway) ListModels(ctx context.Context, p *auth.Principal) ([]llm.ModelInfo, error) {
	panic("todo")
}

// New builds the gateway (providers, router) from a loaded configuration.
func New(cfg *config.Config) (*Gateway, error) { return &Gateway{}, nil }
