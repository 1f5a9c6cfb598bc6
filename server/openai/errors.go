package openai

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/switchboard-gw/switchboard/billing/admit"
	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
	"github.com/switchboard-gw/switchboard/server/internal/frontdoor"
	"github.com/switchboard-gw/switchboard/server/internal/routeheader"
)

// OpenAI error types, as the OpenAI SDKs and clients expect them.
const (
	typeInvalidRequest = "invalid_request_error"
	typeAuthentication = "authentication_error"
	typePermission     = "permission_error"
	typeNotFound       = "not_found_error"
	typeRateLimit      = "rate_limit_error"
	typeServer         = "server_error"
)

// Codes the shim itself assigns when the error carries none.
const (
	codeMethodNotAllowed   = "method_not_allowed"
	codeUpstreamAuthFailed = "upstream_auth_failed"
)

// StatusClientClosedRequest is the status logged for a request whose client
// went away (nginx's 499); the client never sees it.
const StatusClientClosedRequest = 499

// WriteError writes err as an OpenAI-shaped error response: the status and
// body from errorResponse, Retry-After (whole seconds, rounded up) when the
// error says how long to wait, and X-Switchboard-Provider when a provider
// failed.
func WriteError(w http.ResponseWriter, err error) {
	e := llm.AsError(err)
	status, body := errorResponse(e)
	h := w.Header()
	if e.Provider != "" {
		h.Set(frontdoor.HeaderProvider, e.Provider)
	}
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(frontdoor.RetryAfterSeconds(e.RetryAfter), 10))
	}
	// A rate limit's or budget's x-ratelimit-*, X-Switchboard-Limit-Kind.
	admit.SetErrorHeaders(h, err)
	b, _ := json.Marshal(body) // plain strings and RawMessage: cannot fail
	b = append(b, '\n')
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// fail answers with err and logs it first when it is the gateway's own
// failure, whose cause the caller is not shown.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	frontdoor.LogInternal(h.logger, r, err)
	routeheader.Set(w.Header(), llm.RouteOf(err)) // which attempts failed
	WriteError(w, err)
}

// errorResponse is the one place that maps an error to an HTTP status and
// an OpenAI error object:
//
//	InvalidRequest       400 invalid_request_error
//	ContextTooLong       400 invalid_request_error  code context_length_exceeded
//	ContentFiltered      400 invalid_request_error  code content_filter
//	Unauthenticated      401 authentication_error
//	PermissionDenied     403 permission_error
//	NotFound             404 not_found_error        code model_not_found unless set
//	PayloadTooLarge      413 invalid_request_error  code payload_too_large
//	RateLimited          429 rate_limit_error       code rate_limit_exceeded unless set
//	Internal             500 server_error
//	Upstream             502 server_error           code upstream_error unless set
//	Overloaded           503 server_error           code overloaded unless set
//	Unavailable          503 server_error           code unavailable unless set
//	Timeout              504 server_error           code timeout unless set
//	Canceled             499 (the client is gone and never reads it)
//
// An Unauthenticated or PermissionDenied error that names a provider is the
// provider refusing the gateway's own credentials: a gateway
// misconfiguration, answered 502 server_error with code
// upstream_auth_failed, so a caller never thinks its own key is wrong.
// The non-kind cases are codes: method_not_allowed is answered 405,
// idempotency_key_reused (an Idempotency-Key used for another request) 422
// and idempotency_key_in_progress 409, both invalid_request_error. A budget
// refusal is a rate limit (429 rate_limit_error, code budget_exceeded) and
// max_cost_exceeded an invalid request (400).
func errorResponse(e *llm.Error) (int, wire.ErrorBody) {
	obj := wire.ErrorObject{Message: e.Error()}
	if e.Param != "" {
		p := e.Param
		obj.Param = &p
	}
	code := e.Code
	var status int
	switch {
	case e.Provider != "" && (e.Kind == llm.KindUnauthenticated || e.Kind == llm.KindPermissionDenied):
		status, obj.Type, code = http.StatusBadGateway, typeServer, codeUpstreamAuthFailed
		obj.Message = "provider " + e.Provider + " refused the gateway's credentials; this is a gateway configuration problem, not your API key: contact the gateway operator"
	case e.Code == codeMethodNotAllowed:
		status, obj.Type = http.StatusMethodNotAllowed, typeInvalidRequest
	case e.Code == admit.CodeIdempotencyConflict:
		status, obj.Type = http.StatusUnprocessableEntity, typeInvalidRequest
	case e.Code == admit.CodeIdempotencyInProgress:
		status, obj.Type = http.StatusConflict, typeInvalidRequest
	default:
		status, obj.Type, code = byKind(e.Kind, code)
	}
	if code != "" {
		obj.Code = json.RawMessage(strconv.Quote(code))
	} else {
		obj.Code = json.RawMessage("null")
	}
	return status, wire.ErrorBody{Error: obj}
}

// byKind is errorResponse's table for the ordinary cases.
func byKind(k llm.Kind, code string) (status int, typ string, outCode string) {
	switch k {
	case llm.KindInvalidRequest:
		return http.StatusBadRequest, typeInvalidRequest, code
	case llm.KindContextTooLong:
		// Always OpenAI's code, whatever the provider called it: clients
		// (LangChain, agents) branch on it to trim the conversation.
		return http.StatusBadRequest, typeInvalidRequest, "context_length_exceeded"
	case llm.KindContentFiltered:
		return http.StatusBadRequest, typeInvalidRequest, "content_filter" // whatever the provider called it (Gemini: SAFETY)
	case llm.KindUnauthenticated:
		return http.StatusUnauthorized, typeAuthentication, code
	case llm.KindPermissionDenied:
		return http.StatusForbidden, typePermission, code
	case llm.KindNotFound:
		return http.StatusNotFound, typeNotFound, or(code, "model_not_found")
	case llm.KindPayloadTooLarge:
		return http.StatusRequestEntityTooLarge, typeInvalidRequest, or(code, "payload_too_large")
	case llm.KindRateLimited:
		return http.StatusTooManyRequests, typeRateLimit, or(code, "rate_limit_exceeded")
	case llm.KindUpstream:
		return http.StatusBadGateway, typeServer, or(code, "upstream_error")
	case llm.KindOverloaded:
		return http.StatusServiceUnavailable, typeServer, or(code, "overloaded")
	case llm.KindUnavailable:
		return http.StatusServiceUnavailable, typeServer, or(code, "unavailable")
	case llm.KindTimeout:
		return http.StatusGatewayTimeout, typeServer, or(code, "timeout")
	case llm.KindCanceled:
		return StatusClientClosedRequest, typeInvalidRequest, or(code, "canceled")
	}
	return http.StatusInternalServerError, typeServer, or(code, "internal_error")
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
