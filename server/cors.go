package server

import (
	"net/http"

	connectcors "connectrpc.com/cors"
	"github.com/rs/cors"

	"github.com/switchboard-gw/switchboard/server/internal/request"
)

// withCORS lets browsers call every endpoint cross-origin: Connect and
// gRPC-Web (with the headers connectrpc.com/cors lists) and the OpenAI shim.
//
// Any request header is allowed, not just Connect's and Authorization,
// because browser OpenAI SDKs send vendor headers (x-stainless-*,
// openai-organization, ...) that change between releases. Credentials
// (cookies) are never allowed: callers authenticate with bearer keys, which a
// page must already hold to send. The gRPC status headers, the request id and
// the provider headers are exposed so scripts can read them.
//
// An empty (non-nil) origin list disables CORS: no preflight is answered and
// no Access-Control-* header is sent.
func withCORS(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	exposed := append(connectcors.ExposedHeaders(),
		request.HeaderID, HeaderProvider, HeaderDeployment, "Retry-After")
	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: connectcors.AllowedMethods(),
		AllowedHeaders: []string{"*"},
		ExposedHeaders: exposed,
		// Browsers cap this (Chrome at 2 h); it saves a preflight per call.
		MaxAge: 7200,
	}).Handler(next)
}
