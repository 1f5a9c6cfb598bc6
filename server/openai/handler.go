package openai

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
	"github.com/switchboard-gw/switchboard/server/internal/request"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// Core is the gateway pipeline the shim calls; *gateway.Gateway implements
// it. It has the same methods as server.Core, declared again here so that
// neither transport imports the other.
type Core interface {
	Complete(ctx context.Context, p *auth.Principal, req *llm.Request) (*llm.Response, error)
	Stream(ctx context.Context, p *auth.Principal, req *llm.Request) (llm.Stream, error)
	Embed(ctx context.Context, p *auth.Principal, req *llm.EmbedRequest) (*llm.EmbedResponse, error)
	ListModels(ctx context.Context, p *auth.Principal) ([]llm.ModelInfo, error)
}

// Options configures the shim.
type Options struct {
	Core Core
	// Keys verifies the virtual key of every request.
	Keys *auth.Keys
	// MaxBodyBytes bounds a request body; larger ones get 413. Zero means
	// 10 MiB.
	MaxBodyBytes int64
	// Logger receives internal errors with their causes, which callers are
	// never shown. Nil means slog.Default().
	Logger *slog.Logger
	// Overhead receives the gateway's own time per chat completion and per
	// stream chunk, measured by the probe the server's middleware puts in
	// each request's context. Nil: nothing is recorded.
	Overhead *overhead.Recorder
}

type handler struct {
	core     Core
	keys     *auth.Keys
	maxBody  int64
	logger   *slog.Logger
	overhead *overhead.Recorder
}

// NewHandler returns the shim, to be mounted at "/v1/".
func NewHandler(o Options) http.Handler {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 10 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &handler{core: o.Core, keys: o.Keys, maxBody: o.MaxBodyBytes, logger: o.Logger, overhead: o.Overhead}
	return h.requireKey(http.HandlerFunc(h.route))
}

// requireKey is the shim's authentication middleware: every request under
// /v1/, unknown paths included (so the shim tells nothing to a caller
// without a key), needs a valid virtual key. The principal goes into the
// request's request.Info.
func (h *handler) requireKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, _ := auth.BearerToken(r.Header.Get("Authorization"))
		r, err := frontdoor.Authenticate(w, r, h.keys, token)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// route dispatches an authenticated request.
func (h *handler) route(w http.ResponseWriter, r *http.Request) {
	p := request.PrincipalFrom(r.Context())
	path := r.URL.Path
	switch {
	case path == "/v1/chat/completions":
		if allow(w, r, http.MethodPost) {
			h.chatCompletions(w, r, p)
		}
	case path == "/v1/embeddings":
		if allow(w, r, http.MethodPost) {
			h.embeddings(w, r, p)
		}
	case path == "/v1/models":
		if allow(w, r, http.MethodGet) {
			h.listModels(w, r, p)
		}
	case strings.HasPrefix(path, "/v1/models/") && len(path) > len("/v1/models/"):
		if allow(w, r, http.MethodGet) {
			h.getModel(w, r, p, strings.TrimPrefix(path, "/v1/models/"))
		}
	default:
		WriteError(w, &llm.Error{Kind: llm.KindNotFound, Code: "unknown_url",
			Message: "Invalid URL (" + r.Method + " " + path + ")"})
	}
}

// allow answers 405 with an Allow header unless r uses method (GET also
// admits HEAD).
func allow(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
		return true
	}
	allowed := method
	if method == http.MethodGet {
		allowed = "GET, HEAD"
	}
	w.Header().Set("Allow", allowed)
	WriteError(w, &llm.Error{Kind: llm.KindInvalidRequest, Code: codeMethodNotAllowed,
		Message: r.Method + " is not allowed on " + r.URL.Path + "; use " + method})
	return false
}
