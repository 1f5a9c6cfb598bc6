package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/attribute"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/request"
	"github.com/switchboard-gw/switchboard/telemetry"
	"github.com/switchboard-gw/switchboard/telemetry/call"
	"github.com/switchboard-gw/switchboard/telemetry/genai"
)

// This file connects the server to package telemetry (Options.Telemetry):
// every API request gets a call.Record and a server span when it arrives
// (continuing the caller's W3C trace context, on every transport), and when
// it ends its span is ended, its metrics recorded and its access record
// written. Health, readiness, /metrics and /debug endpoints are not
// observed. The core the transports call is wrapped (telemetry_core.go) to
// note what was asked and answered; a Connect interceptor notes the RPC's
// code.

// requestHooks returns the request middleware's hooks that feed t, or nil
// when t records nothing.
func requestHooks(t *telemetry.Telemetry) *request.Hooks {
	if !t.Enabled() {
		return nil
	}
	return &request.Hooks{
		Begin: func(r *http.Request, info *request.Info) *http.Request {
			req, ok := classify(r)
			if !ok {
				return r
			}
			req.ID, req.Header = info.ID, r.Header
			ctx, _ := t.BeginRequest(r.Context(), req)
			return r.WithContext(ctx)
		},
		End: func(r *http.Request, info *request.Info, res request.Result) {
			rec := call.From(r.Context())
			if rec == nil {
				return
			}
			rec.NoteStatus(res.Status, rec.RPCCode)
			rec.Bytes = res.Bytes
			if rec.KeyID == "" {
				rec.NoteCaller(info.Principal)
			}
			if rec.Deployment == "" && info.Deployment != "" {
				rec.Provider, rec.Deployment = info.Provider, info.Deployment
			}
			t.EndRequest(r.Context(), rec)
		},
	}
}

// classify tells which transport and operation a request is for, and
// names its server span; ok is false for the endpoints that are not
// observed.
func classify(r *http.Request) (req telemetry.Request, ok bool) {
	path := r.URL.Path
	req.Method, req.Path = r.Method, path
	if r.Method == http.MethodOptions {
		return req, false // CORS preflight: not a call
	}
	switch {
	case strings.HasPrefix(path, completionPrefix) || strings.HasPrefix(path, adminPrefix) || strings.HasPrefix(path, "/grpc.reflection."):
		procedure := strings.TrimPrefix(path, "/")
		req.Transport = rpcTransport(r.Header.Get("Content-Type"))
		req.Operation = rpcOperation(path)
		req.SpanName = procedure
		system := "connectrpc"
		if req.Transport != transportConnect {
			system = "grpc"
		}
		req.SpanAttributes = []attribute.KeyValue{genai.RPCSystemName.String(system), genai.RPCMethod.String(procedure), genai.Transport.String(req.Transport)}
		return req, true
	case strings.HasPrefix(path, "/v1/"):
		route := shimRoute(path)
		req.Transport, req.Operation = transportOpenAI, shimOperation(route)
		if route == "/v1/messages" || route == "/v1/messages/count_tokens" {
			req.Transport = transportAnthropic
		}
		req.SpanName = r.Method
		req.SpanAttributes = []attribute.KeyValue{genai.HTTPRequestMethod.String(r.Method), genai.URLPath.String(path), genai.Transport.String(req.Transport)}
		if route != "" {
			req.SpanName += " " + route
			req.SpanAttributes = append(req.SpanAttributes, genai.HTTPRoute.String(route))
		}
		return req, true
	}
	return req, false
}

// Transports, as the transport label and switchboard.transport name them.
const (
	transportConnect   = "connect"
	transportGRPC      = "grpc"
	transportGRPCWeb   = "grpc_web"
	transportOpenAI    = "openai"
	transportAnthropic = "anthropic"
)

// rpcTransport tells the Connect protocols apart by content type.
func rpcTransport(contentType string) string {
	switch {
	case strings.HasPrefix(contentType, "application/grpc-web"):
		return transportGRPCWeb
	case strings.HasPrefix(contentType, "application/grpc"):
		return transportGRPC
	}
	return transportConnect
}

func rpcOperation(path string) string {
	switch {
	case strings.HasPrefix(path, adminPrefix):
		return call.OperationAdmin
	case strings.HasSuffix(path, "/Complete"), strings.HasSuffix(path, "/StreamComplete"):
		return call.OperationChat
	case strings.HasSuffix(path, "/Embed"):
		return call.OperationEmbeddings
	case strings.HasSuffix(path, "/ListModels"):
		return call.OperationModels
	}
	return call.OperationOther
}

// shimRoute is the route template of a path under /v1/ ("" for an
// unknown path, whose text callers choose).
func shimRoute(path string) string {
	switch path {
	case "/v1/chat/completions", "/v1/embeddings", "/v1/models", "/v1/messages", "/v1/messages/count_tokens":
		return path
	}
	if strings.HasPrefix(path, "/v1/models/") {
		return "/v1/models/{model}"
	}
	return ""
}

func shimOperation(route string) string {
	switch route {
	case "/v1/chat/completions", "/v1/messages":
		return call.OperationChat
	case "/v1/embeddings":
		return call.OperationEmbeddings
	case "/v1/models", "/v1/models/{model}":
		return call.OperationModels
	}
	return call.OperationOther
}

// rpcOutcome is a Connect interceptor that notes each RPC's code, and the
// gateway's error behind a failure, in the request's record. It is the
// outermost interceptor, so it also sees authentication failures.
type rpcOutcome struct{}

func (rpcOutcome) note(ctx context.Context, err error) {
	rec := call.From(ctx)
	if rec == nil {
		return
	}
	if err == nil {
		rec.RPCCode = "ok"
		return
	}
	rec.RPCCode = connect.CodeOf(err).String()
	var e *llm.Error
	if errors.As(err, &e) {
		rec.NoteError(e)
	}
}

func (o rpcOutcome) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		resp, err := next(ctx, req)
		o.note(ctx, err)
		return resp, err
	}
}

func (o rpcOutcome) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		err := next(ctx, conn)
		o.note(ctx, err)
		return err
	}
}

func (rpcOutcome) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// setUpTelemetry wraps the core the transports call so that it notes
// requests and answers, and exports what the server measures: its own
// overhead and, when the core routes, the deployments' breaker states.
func (s *Server) setUpTelemetry() error {
	t := s.opts.Telemetry
	if !t.Enabled() {
		return nil
	}
	t.ObserveOverhead(s.opts.Overhead)
	if rs := routingOf(s.opts.Core); rs != nil {
		if err := t.ObserveDeployments(rs.RoutingStatus); err != nil {
			return err
		}
	}
	s.opts.Core = recordingCore{s.opts.Core}
	return nil
}

// mountMetrics serves Options.Metrics, when set, at Options.MetricsPath.
func (s *Server) mountMetrics(mux *http.ServeMux) {
	if s.opts.Metrics != nil {
		mux.Handle("GET "+s.opts.MetricsPath, s.opts.Metrics)
	}
}
