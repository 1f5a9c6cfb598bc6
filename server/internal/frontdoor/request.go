package frontdoor

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/switchboard-gw/switchboard/auth"
	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/request"
)

// Response headers naming what served a request.
const (
	HeaderProvider   = "X-Switchboard-Provider"
	HeaderDeployment = "X-Switchboard-Deployment"
)

// Authenticate verifies token, a virtual key's secret ("" when the request
// carried none), and records the principal in the request's request.Info.
// It returns r with that Info in its context: a front door mounted without
// the server's middleware still gives each request an id (sent as
// X-Request-Id). The error is the key verifier's, to be written in the
// front door's error shape.
func Authenticate(w http.ResponseWriter, r *http.Request, keys *auth.Keys, token string) (*http.Request, error) {
	ctx, info := request.Ensure(r.Context())
	if ctx != r.Context() {
		w.Header().Set(request.HeaderID, info.ID)
		r = r.WithContext(ctx)
	}
	p, err := keys.VerifyFrom(ctx, token, r.RemoteAddr)
	if err != nil {
		return r, err
	}
	info.Principal = p
	return r, nil
}

// RequestID returns the id of r, or "" when it has none.
func RequestID(r *http.Request) string {
	if info := request.From(r.Context()); info != nil {
		return info.ID
	}
	return ""
}

// NoteServedBy sets the provider headers and records them for the request
// log. It also writes what admission decided (rate-limit headers,
// idempotent replay, downgrade; see Admission).
func NoteServedBy(w http.ResponseWriter, r *http.Request, provider, deployment string) {
	h := w.Header()
	admit.SetHeaders(h, admit.NotesFrom(r.Context()))
	if provider != "" {
		h.Set(HeaderProvider, provider)
	}
	if deployment != "" {
		h.Set(HeaderDeployment, deployment)
	}
	if info := request.From(r.Context()); info != nil {
		info.Provider, info.Deployment = provider, deployment
	}
}

// LogInternal logs internal errors with their cause (llm.Error.Err, never
// shown to the caller) and the request id. Other kinds are the caller's or
// the provider's and are visible in the request log and metrics.
func LogInternal(logger *slog.Logger, r *http.Request, err error) {
	if llm.KindOf(err) != llm.KindInternal {
		return
	}
	e := llm.AsError(err)
	attrs := []any{"path", r.URL.Path, "err", e.Message}
	if e.Err != nil {
		attrs = append(attrs, "cause", e.Err)
	}
	if id := RequestID(r); id != "" {
		attrs = append(attrs, "request_id", id)
	}
	logger.ErrorContext(r.Context(), "internal error", attrs...)
}

// RetryAfterSeconds rounds d up to whole seconds, so a client never retries
// early.
func RetryAfterSeconds(d time.Duration) int64 {
	s := int64(d / time.Second)
	if d%time.Second != 0 {
		s++
	}
	return s
}
