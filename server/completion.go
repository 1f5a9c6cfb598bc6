package server

import (
	"context"
	"errors"
	"io"
	"net/http"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/billing/admit"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
	"github.com/switchboard-gw/switchboard/server/internal/request"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// Response headers naming what served a request, on both transports.
const (
	HeaderProvider   = "X-Switchboard-Provider"
	HeaderDeployment = "X-Switchboard-Deployment"
)

// completionService implements CompletionService: decode, call the core,
// encode. Authentication happened in authInterceptor.
type completionService struct {
	switchboardv1connect.UnimplementedCompletionServiceHandler
	core Core
	// overhead receives the own time of each streamed chunk; unary calls
	// are recorded by the request middleware once the answer is written.
	overhead *overhead.Recorder
}

func (s *completionService) Complete(ctx context.Context, req *connect.Request[switchboardv1.CompleteRequest]) (*connect.Response[switchboardv1.CompleteResponse], error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	in, err := requestFromProto(req.Msg)
	if err != nil {
		return nil, ConnectError(err)
	}
	ctx, notes, err := withAdmission(ctx, req.Header(), req.Msg.GetMaxCostNanoUsd(), req.Msg.GetIdempotencyKey())
	if err != nil {
		return nil, ConnectError(err)
	}
	out, err := s.core.Complete(ctx, p, in)
	if err != nil {
		return nil, connectErrorWithCost(ctx, err)
	}
	resp := connect.NewResponse(responseToProto(out))
	admit.SetHeaders(resp.Header(), notes)
	resp.Msg.Route = routeToProto(out.Route)
	resp.Msg.Cost = costToProto(out.Cost)
	noteServedBy(ctx, resp.Header(), out.Provider, out.Deployment)
	noteRoute(resp.Header(), out.Route)
	frontdoor.SetCost(ctx, resp.Header(), out.Cost)
	return resp, nil
}

func (s *completionService) StreamComplete(ctx context.Context, req *connect.Request[switchboardv1.StreamCompleteRequest], stream *connect.ServerStream[switchboardv1.StreamCompleteResponse]) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	in, err := requestFromProto(req.Msg)
	if err != nil {
		return ConnectError(err)
	}
	ctx, notes, err := withAdmission(ctx, req.Header(), req.Msg.GetMaxCostNanoUsd(), req.Msg.GetIdempotencyKey())
	if err != nil {
		return ConnectError(err)
	}
	chunks, err := s.core.Stream(ctx, p, in)
	if err != nil {
		return connectErrorWithCost(ctx, err)
	}
	defer chunks.Close()
	admit.SetHeaders(stream.ResponseHeader(), notes) // sent with the first message
	// The cost rides on the last message, and in a trailer (also when the
	// stream fails after attempts that consumed tokens).
	var cost frontdoor.StreamCost
	defer func() { cost.SetTrailer(ctx, stream.ResponseTrailer()) }()
	probe := overhead.From(ctx)
	// One message reused for every chunk: Send marshals it before returning.
	msg := new(switchboardv1.StreamCompleteResponse)
	first := true
	for {
		c, err := chunks.Recv()
		if errors.Is(err, io.EOF) {
			if first {
				// As on the shim: a stream without a single chunk is the
				// provider misbehaving, not an empty answer.
				return ConnectError(&llm.Error{Kind: llm.KindUpstream, Message: "the provider ended the stream without sending anything"})
			}
			return nil
		}
		if err != nil {
			// Headers may already be on the wire; the error travels in the
			// trailers (gRPC, gRPC-Web) or the end-of-stream message
			// (Connect), so the client sees a non-OK status, never a clean end.
			cost.Error(err)
			return ConnectError(err)
		}
		if first {
			// The provider is known once the first chunk arrived (failover
			// may switch deployments before that); headers go out with the
			// first Send.
			noteServedBy(ctx, stream.ResponseHeader(), c.Provider, c.Deployment)
			noteRoute(stream.ResponseHeader(), c.Route)
			first = false
		}
		msg.Reset()
		chunkToProto(&c, msg)
		cost.Chunk(&c)
		if c.Route != nil {
			msg.Route = routeToProto(c.Route)
		}
		if err := stream.Send(msg); err != nil {
			return err // the client went away; Close above releases the upstream
		}
		// Send has written and flushed the message.
		probe.ChunkWritten()
		probe.ChunkDone(s.overhead)
	}
}

func (s *completionService) Embed(ctx context.Context, req *connect.Request[switchboardv1.EmbedRequest]) (*connect.Response[switchboardv1.EmbedResponse], error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	out, err := s.core.Embed(ctx, p, embedRequestFromProto(req.Msg))
	if err != nil {
		return nil, connectErrorWithCost(ctx, err)
	}
	resp := connect.NewResponse(embedResponseToProto(out))
	resp.Msg.Cost = costToProto(out.Cost)
	noteServedBy(ctx, resp.Header(), out.Provider, out.Deployment)
	frontdoor.SetCost(ctx, resp.Header(), out.Cost)
	return resp, nil
}

func (s *completionService) ListModels(ctx context.Context, _ *connect.Request[switchboardv1.ListModelsRequest]) (*connect.Response[switchboardv1.ListModelsResponse], error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	models, err := s.core.ListModels(ctx, p)
	if err != nil {
		return nil, ConnectError(err)
	}
	return connect.NewResponse(modelsToProto(models)), nil
}

// noteServedBy sets the provider headers and records them for the request log.
func noteServedBy(ctx context.Context, h http.Header, provider, deployment string) {
	if provider != "" {
		h.Set(HeaderProvider, provider)
	}
	if deployment != "" {
		h.Set(HeaderDeployment, deployment)
	}
	if info := request.From(ctx); info != nil {
		info.Provider, info.Deployment = provider, deployment
	}
}
