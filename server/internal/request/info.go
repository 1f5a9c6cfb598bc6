package request

import (
	"context"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// Info is the per-request state. The middleware creates it before any
// handler runs; authentication fills Principal, handlers fill Provider and
// Deployment. A handler goroutine owns it: it is not safe for concurrent use,
// and it does not need to be, because an HTTP request is served by one
// goroutine.
type Info struct {
	// ID is the request id sent back as the x-request-id header.
	ID string
	// Principal is the authenticated caller (virtual key), nil before
	// authentication and for admin and anonymous calls.
	Principal *auth.Principal
	// Admin is true once the admin key has been verified.
	Admin bool
	// Provider and Deployment name what served the request, when known.
	Provider, Deployment string
	// Overhead measures the gateway's own time on this request. The
	// middleware starts it and puts it in the context (overhead.From), so
	// that providers can mark the upstream's part.
	Overhead overhead.Probe
}

type infoKey struct{}

// With returns ctx carrying info.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

// From returns the Info in ctx, or nil when there is none.
func From(ctx context.Context) *Info {
	info, _ := ctx.Value(infoKey{}).(*Info)
	return info
}

// Ensure returns the Info in ctx, adding a fresh one (with a new id) when ctx
// has none, so that handlers mounted without the middleware still work.
func Ensure(ctx context.Context) (context.Context, *Info) {
	if info := From(ctx); info != nil {
		return ctx, info
	}
	info := &Info{ID: NewID()}
	return With(ctx, info), info
}

// PrincipalFrom returns the authenticated principal in ctx, or nil.
func PrincipalFrom(ctx context.Context) *auth.Principal {
	if info := From(ctx); info != nil {
		return info.Principal
	}
	return nil
}
