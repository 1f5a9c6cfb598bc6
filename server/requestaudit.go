package server

import (
	"context"
	"net/http"
	"strings"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/audit"
	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/router"
	"github.com/switchboard-gw/switchboard/server/internal/request"
)

// This file connects the server to the audit trail (Options.Audit): the
// AdminService handler gets auditInterceptor (adminaudit.go), and, when
// request records are kept, the core the transports call is wrapped so
// that every completion and embeddings request, on every front door, is
// observed (auditingCore), and each request's Info carries the caller's
// address, User-Agent and front door (withClientInfo).

// setUpAudit wraps the core when request records are kept. It runs after
// setUpTelemetry, so the audit wrapper is the outermost.
func (s *Server) setUpAudit() {
	if a := s.opts.Audit; a != nil && a.Requests != nil {
		s.opts.Core = newAuditingCore(s.opts.Core, a.Requests)
	}
}

// auditOption is the handler option that records AdminService calls.
func (s *Server) auditOption(admin *adminService) connect.HandlerOption {
	a := s.opts.Audit
	if a == nil || a.Trail == nil {
		return connect.WithHandlerOptions()
	}
	return connect.WithInterceptors(&auditInterceptor{svc: admin, trail: a.Trail, logger: s.opts.Logger})
}

// withClientInfo notes in each request's Info what a request record needs
// of the HTTP request. Without request records it is next itself.
func (s *Server) withClientInfo(next http.Handler) http.Handler {
	if a := s.opts.Audit; a == nil || a.Requests == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := request.From(r.Context()); info != nil {
			info.ClientAddress = clientIP(r.RemoteAddr)
			info.UserAgent = r.UserAgent()
			info.Transport = transportOf(r)
		}
		next.ServeHTTP(w, r)
	})
}

// transportOf names the front door of a request, as the telemetry labels
// do (see classify).
func transportOf(r *http.Request) string {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, completionPrefix) || strings.HasPrefix(path, adminPrefix):
		return rpcTransport(r.Header.Get("Content-Type"))
	case path == "/v1/messages" || strings.HasPrefix(path, "/v1/messages/"):
		return transportAnthropic
	}
	return transportOpenAI
}

// auditingCore observes every completion and embeddings request for the
// audit trail's request records. Observing costs the request a hash of
// its prompt and, for teams that capture payloads, a copy of it; the
// record is written off the request path. It forwards RoutingStatus and
// the Anthropic front door's token counting, so that what they find on
// the core is unchanged.
type auditingCore struct {
	Core
	log *audit.RequestLog
}

// countingAuditingCore is auditingCore over a core that counts tokens.
type countingAuditingCore struct {
	auditingCore
	counter interface {
		CountInputTokens(ctx context.Context, p *auth.Principal, req *llm.Request) (int64, error)
	}
}

func (c countingAuditingCore) CountInputTokens(ctx context.Context, p *auth.Principal, req *llm.Request) (int64, error) {
	return c.counter.CountInputTokens(ctx, p, req)
}

func newAuditingCore(core Core, log *audit.RequestLog) Core {
	a := auditingCore{Core: core, log: log}
	if counter, ok := core.(interface {
		CountInputTokens(ctx context.Context, p *auth.Principal, req *llm.Request) (int64, error)
	}); ok {
		return countingAuditingCore{auditingCore: a, counter: counter}
	}
	return a
}

func requestMeta(ctx context.Context) audit.RequestMeta {
	var m audit.RequestMeta
	if info := request.From(ctx); info != nil {
		m.RequestID, m.ClientAddress, m.UserAgent, m.Transport = info.ID, info.ClientAddress, info.UserAgent, info.Transport
	}
	if m.RequestID == "" {
		m.RequestID = request.NewID()
	}
	return m
}

func (c auditingCore) Complete(ctx context.Context, p *auth.Principal, req *llm.Request) (*llm.Response, error) {
	o := c.log.ObserveChat(ctx, requestMeta(ctx), p, req, false)
	resp, err := c.Core.Complete(ctx, p, req)
	o.Finish(resp, err)
	return resp, err
}

func (c auditingCore) Stream(ctx context.Context, p *auth.Principal, req *llm.Request) (llm.Stream, error) {
	o := c.log.ObserveChat(ctx, requestMeta(ctx), p, req, true)
	st, err := c.Core.Stream(ctx, p, req)
	if err != nil {
		o.Finish(nil, err)
		return nil, err
	}
	return o.WrapStream(st), nil
}

func (c auditingCore) Embed(ctx context.Context, p *auth.Principal, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	o := c.log.ObserveEmbed(ctx, requestMeta(ctx), p, req)
	resp, err := c.Core.Embed(ctx, p, req)
	o.FinishEmbed(resp, err)
	return resp, err
}

// RoutingStatus forwards to the wrapped core's (nothing when it does not
// route).
func (c auditingCore) RoutingStatus() ([]router.DeploymentStatus, []router.AliasStatus) {
	if rs := routingOf(c.Core); rs != nil {
		return rs.RoutingStatus()
	}
	return nil, nil
}
