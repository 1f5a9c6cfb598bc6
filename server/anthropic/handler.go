package anthropic

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
	"github.com/switchboard-gw/switchboard/server/internal/request"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

// Core is the part of the gateway pipeline this front door calls;
// *gateway.Gateway implements it, and so does every server.Core.
type Core interface {
	Complete(ctx context.Context, p *auth.Principal, req *llm.Request) (*llm.Response, error)
	Stream(ctx context.Context, p *auth.Principal, req *llm.Request) (llm.Stream, error)
	ListModels(ctx context.Context, p *auth.Principal) ([]llm.ModelInfo, error)
}

// InputTokenCounter is implemented by a core that counts a request's input
// tokens itself (authorizing the principal for the model first). Without
// it, count_tokens answers the router's estimate.
type InputTokenCounter interface {
	CountInputTokens(ctx context.Context, p *auth.Principal, req *llm.Request) (int64, error)
}

// Options configures the front door.
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
	// Overhead receives the gateway's own time per message and per stream
	// event flush. Nil: nothing is recorded.
	Overhead *overhead.Recorder
}

// Paths served.
const (
	PathMessages    = "/v1/messages"
	PathCountTokens = "/v1/messages/count_tokens"
)

// Request headers Anthropic clients send.
const (
	headerAPIKey  = "X-Api-Key"
	headerVersion = "Anthropic-Version"
	// headerRequestID is where the Anthropic SDKs read the request id.
	headerRequestID = "Request-Id"
)

type handler struct {
	core     Core
	keys     *auth.Keys
	maxBody  int64
	logger   *slog.Logger
	overhead *overhead.Recorder
}

// NewHandler returns the front door, to be mounted at PathMessages and
// PathMessages+"/".
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

// requireKey authenticates every request, unknown paths included (so the
// front door tells nothing to a caller without a key), then checks the
// anthropic-version header.
func (h *handler) requireKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, err := frontdoor.Authenticate(w, r, h.keys, apiKey(r.Header))
		if id := frontdoor.RequestID(r); id != "" {
			w.Header().Set(headerRequestID, id)
		}
		if errors.Is(err, auth.ErrMissingKey) {
			err = &llm.Error{Kind: llm.KindUnauthenticated, Code: "missing_api_key", Err: err,
				Message: `missing API key: send a virtual key as "x-api-key: sk-sb-..." or "Authorization: Bearer sk-sb-..."`}
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if err := checkVersion(r.Header.Get(headerVersion)); err != nil {
			h.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// apiKey returns the key of a request: x-api-key when present, else the
// bearer token, else "".
func apiKey(h http.Header) string {
	if k := strings.TrimSpace(h.Get(headerAPIKey)); k != "" {
		return k
	}
	token, _ := auth.BearerToken(h.Get("Authorization"))
	return token
}

// checkVersion accepts a missing anthropic-version (the gateway speaks one
// version of the format) and any date-shaped one, and refuses anything else
// with a message saying what was expected.
func checkVersion(v string) error {
	if v == "" || isDate(v) {
		return nil
	}
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	return &llm.Error{Kind: llm.KindInvalidRequest, Param: "anthropic-version",
		Message: "anthropic-version: expected a version date such as 2023-06-01, got " + quoteHeader(v)}
}

// isDate reports whether v looks like YYYY-MM-DD.
func isDate(v string) bool {
	if len(v) != len("2023-06-01") {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if i == 4 || i == 7 {
			if c != '-' {
				return false
			}
		} else if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// quoteHeader quotes a header value for a message, with anything not
// printable ASCII replaced, so an error never echoes control bytes.
func quoteHeader(v string) string {
	b := make([]byte, 0, len(v)+2)
	b = append(b, '"')
	for i := 0; i < len(v); i++ {
		if c := v[i]; c >= ' ' && c < 0x7f && c != '"' {
			b = append(b, c)
		} else {
			b = append(b, '?')
		}
	}
	return string(append(b, '"'))
}

// route dispatches an authenticated request.
func (h *handler) route(w http.ResponseWriter, r *http.Request) {
	p := request.PrincipalFrom(r.Context())
	switch r.URL.Path {
	case PathMessages:
		if h.allow(w, r) {
			h.messages(w, r, p)
		}
	case PathCountTokens:
		if h.allow(w, r) {
			h.countTokens(w, r, p)
		}
	default:
		h.fail(w, r, &llm.Error{Kind: llm.KindNotFound, Code: codeUnknownURL,
			Message: "no such endpoint: " + r.Method + " " + r.URL.Path + "; the Anthropic front door serves POST " +
				PathMessages + " and POST " + PathCountTokens})
	}
}

// allow answers 405 with an Allow header unless r is a POST.
func (h *handler) allow(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodPost {
		return true
	}
	w.Header().Set("Allow", http.MethodPost)
	h.fail(w, r, &llm.Error{Kind: llm.KindInvalidRequest, Code: codeMethodNotAllowed,
		Message: r.Method + " is not allowed on " + r.URL.Path + "; use POST"})
	return false
}
