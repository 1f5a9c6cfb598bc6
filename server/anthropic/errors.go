package anthropic

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
	"github.com/switchboard-gw/switchboard/server/internal/routeheader"
)

// Codes the front door itself assigns; they never reach the body (Anthropic
// errors have no code) but select the status.
const (
	codeMethodNotAllowed = "method_not_allowed"
	codeUnknownURL       = "unknown_url"
)

// Statuses with no net/http constant.
const (
	// statusClientClosedRequest is logged for a request whose client went
	// away (nginx's 499); the client never sees it.
	statusClientClosedRequest = 499
)

// WriteError writes err as an Anthropic-shaped error response: the status
// and error type from errorResponse, request_id (the id the response's
// request-id header carries), retry-after in whole seconds (rounded up)
// when the error says how long to wait, and X-Switchboard-Provider when a
// provider failed.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := llm.AsError(err)
	status, body := errorResponse(e)
	body.RequestID = frontdoor.RequestID(r)
	h := w.Header()
	if e.Provider != "" {
		h.Set(frontdoor.HeaderProvider, e.Provider)
	}
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(frontdoor.RetryAfterSeconds(e.RetryAfter), 10))
	}
	// A rate limit's or budget's x-ratelimit-*, X-Switchboard-Limit-Kind.
	admit.SetErrorHeaders(h, err)
	b, _ := json.Marshal(body) // strings only: cannot fail
	b = append(b, '\n')
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// fail answers with err, after logging it when it is the gateway's own
// failure, and names the attempts that failed in the route headers.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	frontdoor.LogInternal(h.logger, r, err)
	routeheader.Set(w.Header(), llm.RouteOf(err))
	WriteError(w, r, err)
}

// errorResponse is the one place that maps an error to an HTTP status and
// an Anthropic error object:
//
//	InvalidRequest       400 invalid_request_error
//	ContextTooLong       400 invalid_request_error  message starts "prompt is too long"
//	ContentFiltered      400 invalid_request_error
//	Unauthenticated      401 authentication_error
//	PermissionDenied     403 permission_error
//	NotFound             404 not_found_error
//	PayloadTooLarge      413 request_too_large
//	RateLimited          429 rate_limit_error
//	Internal             500 api_error
//	Upstream             502 api_error
//	Unavailable          503 api_error
//	Timeout              504 timeout_error
//	Overloaded           529 overloaded_error
//	Canceled             499 (the client is gone and never reads it)
//
// An Unauthenticated or PermissionDenied error that names a provider is the
// provider refusing the gateway's own credentials: a gateway
// misconfiguration, answered 502 api_error, so a caller never thinks its
// own key is wrong. Code method_not_allowed is answered 405
// invalid_request_error; idempotency_key_reused 422 and
// idempotency_key_in_progress 409, both invalid_request_error. A budget
// refusal is a rate limit (429 rate_limit_error). Context-too-long messages read "prompt is too
// long: ..." whatever the provider said, because Anthropic clients (coding
// agents compacting their history) look for those words.
func errorResponse(e *llm.Error) (int, wire.ErrorResponse) {
	msg := e.Error()
	var status int
	var typ string
	switch {
	case e.Provider != "" && (e.Kind == llm.KindUnauthenticated || e.Kind == llm.KindPermissionDenied):
		status, typ = http.StatusBadGateway, wire.ErrAPI
		msg = "provider " + e.Provider + " refused the gateway's credentials; this is a gateway configuration problem, not your API key: contact the gateway operator"
	case e.Code == codeMethodNotAllowed:
		status, typ = http.StatusMethodNotAllowed, wire.ErrInvalidRequest
	case e.Code == admit.CodeIdempotencyConflict:
		status, typ = http.StatusUnprocessableEntity, wire.ErrInvalidRequest
	case e.Code == admit.CodeIdempotencyInProgress:
		status, typ = http.StatusConflict, wire.ErrInvalidRequest
	default:
		status, typ = byKind(e.Kind)
	}
	if e.Kind == llm.KindContextTooLong && !strings.Contains(strings.ToLower(msg), "prompt is too long") {
		msg = "prompt is too long: " + msg
	}
	return status, wire.ErrorResponse{Type: "error", Error: wire.ErrorDetail{Type: typ, Message: msg}}
}

// byKind is errorResponse's table for the ordinary cases.
func byKind(k llm.Kind) (int, string) {
	switch k {
	case llm.KindInvalidRequest, llm.KindContextTooLong, llm.KindContentFiltered:
		return http.StatusBadRequest, wire.ErrInvalidRequest
	case llm.KindUnauthenticated:
		return http.StatusUnauthorized, wire.ErrAuthentication
	case llm.KindPermissionDenied:
		return http.StatusForbidden, wire.ErrPermission
	case llm.KindNotFound:
		return http.StatusNotFound, wire.ErrNotFound
	case llm.KindPayloadTooLarge:
		return http.StatusRequestEntityTooLarge, wire.ErrRequestTooLarge
	case llm.KindRateLimited:
		return http.StatusTooManyRequests, wire.ErrRateLimit
	case llm.KindUpstream:
		return http.StatusBadGateway, wire.ErrAPI
	case llm.KindUnavailable:
		return http.StatusServiceUnavailable, wire.ErrAPI
	case llm.KindTimeout:
		return http.StatusGatewayTimeout, wire.ErrTimeout
	case llm.KindOverloaded:
		return wire.StatusOverloaded, wire.ErrOverloaded
	case llm.KindCanceled:
		return statusClientClosedRequest, wire.ErrInvalidRequest
	}
	return http.StatusInternalServerError, wire.ErrAPI
}
