package call

import (
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
)

// OutcomeOK is the outcome of a request that succeeded.
const OutcomeOK = "ok"

// NoteStatus records how the transport answered: the HTTP status and, for
// Connect, gRPC and gRPC-Web, the RPC code name ("ok", "unavailable", ...).
func (r *Record) NoteStatus(status int, rpcCode string) {
	if r == nil {
		return
	}
	r.Status, r.RPCCode = status, rpcCode
}

// Outcome is "ok" or the name of the error kind that ended the request
// (llm.Kind's names: "invalid_request", "rate_limited", "upstream", ...),
// a small fixed set fit for a metric label. The error the core reported
// wins; otherwise the RPC code or the HTTP status tells.
func (r *Record) Outcome() string {
	if k, failed := r.ErrorKind(); failed {
		return k.String()
	}
	if r == nil {
		return OutcomeOK
	}
	if r.RPCCode != "" && r.RPCCode != "ok" {
		if k, ok := rpcKinds[r.RPCCode]; ok {
			return k.String()
		}
		return r.RPCCode
	}
	if r.Status >= 400 {
		return KindOfStatus(r.Status).String()
	}
	return OutcomeOK
}

// rpcKinds maps Connect code names to the kinds that produce them (the
// inverse of server.ConnectError, for errors raised outside the core).
var rpcKinds = map[string]llm.Kind{
	"canceled":            llm.KindCanceled,
	"unknown":             llm.KindInternal,
	"invalid_argument":    llm.KindInvalidRequest,
	"deadline_exceeded":   llm.KindTimeout,
	"not_found":           llm.KindNotFound,
	"permission_denied":   llm.KindPermissionDenied,
	"resource_exhausted":  llm.KindRateLimited,
	"failed_precondition": llm.KindInvalidRequest,
	"out_of_range":        llm.KindInvalidRequest,
	"unimplemented":       llm.KindNotFound,
	"internal":            llm.KindInternal,
	"unavailable":         llm.KindUnavailable,
	"data_loss":           llm.KindInternal,
	"unauthenticated":     llm.KindUnauthenticated,
}

// KindOfStatus is the error kind an HTTP error status stands for.
func KindOfStatus(status int) llm.Kind {
	switch status {
	case http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusUnprocessableEntity, http.StatusUnsupportedMediaType:
		return llm.KindInvalidRequest
	case http.StatusUnauthorized:
		return llm.KindUnauthenticated
	case http.StatusForbidden:
		return llm.KindPermissionDenied
	case http.StatusNotFound:
		return llm.KindNotFound
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		return llm.KindTimeout
	case http.StatusRequestEntityTooLarge:
		return llm.KindPayloadTooLarge
	case http.StatusTooManyRequests:
		return llm.KindRateLimited
	case 499:
		return llm.KindCanceled
	case http.StatusBadGateway:
		return llm.KindUpstream
	case http.StatusServiceUnavailable:
		return llm.KindUnavailable
	case 529:
		return llm.KindOverloaded
	}
	if status >= 500 {
		return llm.KindInternal
	}
	return llm.KindInvalidRequest
}
