package server

import (
	"context"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
	"github.com/switchboard-gw/switchboard/telemetry/call"
)

// recordingCore is the Core the transports call when telemetry is on: it
// notes the request (caller, operation, model, parameters) in the
// request's call.Record before the core runs it, and the answer (or
// error) after; streams are wrapped to note their chunks. It forwards
// RoutingStatus, so /readyz and ListDeployments see through it.
type recordingCore struct {
	Core
}

func (c recordingCore) Complete(ctx context.Context, p *auth.Principal, req *llm.Request) (*llm.Response, error) {
	rec := call.From(ctx)
	rec.NoteRequest(p, req, false)
	resp, err := c.Core.Complete(ctx, p, req)
	rec.NoteResponse(resp, err)
	return resp, err
}

func (c recordingCore) Stream(ctx context.Context, p *auth.Principal, req *llm.Request) (llm.Stream, error) {
	rec := call.From(ctx)
	rec.NoteRequest(p, req, true)
	s, err := c.Core.Stream(ctx, p, req)
	if err != nil {
		rec.NoteResponse(nil, err)
		return nil, err
	}
	return call.WrapStream(rec, s), nil
}

func (c recordingCore) Embed(ctx context.Context, p *auth.Principal, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	rec := call.From(ctx)
	rec.NoteEmbedRequest(p, req)
	resp, err := c.Core.Embed(ctx, p, req)
	rec.NoteEmbedResponse(resp, err)
	return resp, err
}

func (c recordingCore) ListModels(ctx context.Context, p *auth.Principal) ([]llm.ModelInfo, error) {
	rec := call.From(ctx)
	rec.NoteCaller(p)
	models, err := c.Core.ListModels(ctx, p)
	rec.NoteError(err)
	return models, err
}

// RoutingStatus forwards to the wrapped core's (nothing when it does not
// route).
func (c recordingCore) RoutingStatus() ([]router.DeploymentStatus, []router.AliasStatus) {
	if rs := routingOf(c.Core); rs != nil {
		return rs.RoutingStatus()
	}
	return nil, nil
}
