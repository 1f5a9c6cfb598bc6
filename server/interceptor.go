package server

import (
	"context"
	"net/http"
	"strings"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/request"
)

// authInterceptor authenticates every Connect RPC, unary and streaming, by
// procedure: CompletionService needs a virtual key, AdminService the
// bootstrap admin key or an admin credential whose role allows the
// procedure (adminAccess), anything else is refused. Failed attempts count
// against the client's address (auth.FailureLimiter, when Keys has one). The
// virtual key's principal goes into the request's request.Info, the admin
// principal into the context (see caller).
//
// It is one interceptor for both services (rather than one per handler) so
// that the rule "which key for which procedure" is written in one place.
type authInterceptor struct {
	keys *auth.Keys
}

var (
	completionPrefix = "/" + switchboardv1connect.CompletionServiceName + "/"
	adminPrefix      = "/" + switchboardv1connect.AdminServiceName + "/"
)

func (a *authInterceptor) authenticate(ctx context.Context, procedure string, header http.Header, peer connect.Peer) (context.Context, error) {
	token, _ := auth.BearerToken(header.Get("Authorization"))
	ctx, info := request.Ensure(ctx)
	switch {
	case strings.HasPrefix(procedure, completionPrefix):
		p, err := a.keys.VerifyFrom(ctx, token, peer.Addr)
		if err != nil {
			return ctx, ConnectError(err)
		}
		info.Principal = p
	case strings.HasPrefix(procedure, adminPrefix):
		access, ok := adminAccess[procedure]
		if !ok {
			return ctx, ConnectError(llm.Errorf(llm.KindPermissionDenied, "no authorization rule for %s", procedure))
		}
		p, err := a.keys.VerifyAdminFrom(ctx, token, peer.Addr)
		if err != nil {
			return ctx, ConnectError(err)
		}
		if err := p.Allow(access); err != nil {
			return ctx, ConnectError(err)
		}
		info.Admin = true
		ctx = withAdminPrincipal(ctx, p)
	default:
		return ctx, ConnectError(llm.Errorf(llm.KindPermissionDenied, "no authorization rule for %s", procedure))
	}
	return ctx, nil
}

// WrapUnary authenticates unary RPCs.
func (a *authInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		ctx, err := a.authenticate(ctx, req.Spec().Procedure, req.Header(), req.Peer())
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

// WrapStreamingHandler authenticates streaming RPCs before the handler reads
// the request or sends anything.
func (a *authInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := a.authenticate(ctx, conn.Spec().Procedure, conn.RequestHeader(), conn.Peer())
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

// WrapStreamingClient is the identity: this interceptor is server-side only.
func (a *authInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// principal returns the caller authenticated by authInterceptor.
func principal(ctx context.Context) (*auth.Principal, error) {
	if p := request.PrincipalFrom(ctx); p != nil {
		return p, nil
	}
	// Unreachable when the interceptor is installed; refuse rather than
	// call the core anonymously.
	return nil, ConnectError(llm.Errorf(llm.KindUnauthenticated, "not authenticated"))
}
