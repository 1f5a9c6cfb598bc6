package llm

import "context"

// RequestIdentity is what the transport that received a request knows it
// by: its id (the X-Request-Id). The gateway reads it from the request's
// context to key what it records about the request (spend records).
type RequestIdentity interface {
	RequestID() string
}

type requestIdentityKey struct{}

// WithRequestIdentity returns ctx carrying id. A transport that already
// keeps a per-request value in the context can make that value implement
// RequestIdentity and store it here, so that the id costs no second
// context value.
func WithRequestIdentity(ctx context.Context, id RequestIdentity) context.Context {
	return context.WithValue(ctx, requestIdentityKey{}, id)
}

// RequestIdentityFrom returns the RequestIdentity in ctx, or nil.
func RequestIdentityFrom(ctx context.Context) RequestIdentity {
	id, _ := ctx.Value(requestIdentityKey{}).(RequestIdentity)
	return id
}

// requestID is a RequestIdentity that is only an id.
type requestID string

func (id requestID) RequestID() string { return string(id) }

// WithRequestID returns ctx carrying the request id id (for callers that
// have no per-request value of their own: tests, embedding).
func WithRequestID(ctx context.Context, id string) context.Context {
	return WithRequestIdentity(ctx, requestID(id))
}

// RequestIDFrom returns the request id in ctx, or "" when it has none.
func RequestIDFrom(ctx context.Context) string {
	if id := RequestIdentityFrom(ctx); id != nil {
		return id.RequestID()
	}
	return ""
}
