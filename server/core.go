package server

import (
	"context"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
)

// Core is the gateway pipeline both transports call: authorize the
// principal for the model, limit, route, call the provider, meter.
// *gateway.Gateway implements it. Errors are *llm.Error; any other error is
// reported to the caller as an internal error.
type Core interface {
	Complete(ctx context.Context, p *auth.Principal, req *llm.Request) (*llm.Response, error)
	Stream(ctx context.Context, p *auth.Principal, req *llm.Request) (llm.Stream, error)
	Embed(ctx context.Context, p *auth.Principal, req *llm.EmbedRequest) (*llm.EmbedResponse, error)
	ListModels(ctx context.Context, p *auth.Principal) ([]llm.ModelInfo, error)
}
