package server

import (
	"errors"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/switchboard-gw/switchboard/billing/admit"
	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/llm"
)

// ConnectError is the one place that turns an error from the core or from
// auth into what a Connect, gRPC or gRPC-Web client receives: a Connect code
// and a typed switchboard.v1.ErrorDetail carrying the reason, the provider,
// the upstream status, retry_after, the machine-readable code and the
// offending parameter. Errors that are not *llm.Error are reported as
// Internal with a generic message, so internals never leak; a *connect.Error
// (raised by connect-go itself) is returned unchanged.
//
// Codes by kind:
//
//	InvalidRequest, ContextTooLong, ContentFiltered  InvalidArgument
//	Unauthenticated                                  Unauthenticated
//	PermissionDenied                                 PermissionDenied
//	NotFound                                         NotFound
//	RateLimited, PayloadTooLarge                     ResourceExhausted
//	Overloaded, Upstream, Unavailable                Unavailable
//	Timeout                                          DeadlineExceeded
//	Canceled                                         Canceled
//	Internal (and anything unclassified)             Internal
//
// Admission's refusals (billing/admit) are told apart by their code:
// budget_exceeded is ResourceExhausted with reason BUDGET_EXCEEDED,
// max_cost_exceeded InvalidArgument (MAX_COST_EXCEEDED),
// idempotency_key_reused FailedPrecondition (IDEMPOTENCY_CONFLICT) and
// idempotency_key_in_progress Aborted (IDEMPOTENCY_IN_PROGRESS). Every
// error with a RetryAfter also carries a google.rpc.RetryInfo detail, and
// a rate limit's or budget's refusal the shim's headers in its metadata
// (x-ratelimit-*, Retry-After, X-Switchboard-Limit-Kind).
//
// An Unauthenticated or PermissionDenied error that names a provider means
// the provider refused the gateway's own credentials: that is the operator's
// misconfiguration, not the caller's fault, so it becomes Unavailable with
// reason UPSTREAM and code "upstream_auth_failed" (HTTP 502 on the shim).
// A caller therefore never reads Unauthenticated unless its own key was
// refused.
func ConnectError(err error) *connect.Error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	e := llm.AsError(err)
	code, reason, msg, errCode := connectCodeOf(e)
	out := connect.NewError(code, &safeError{msg: msg, cause: e})
	detail := &switchboardv1.ErrorDetail{
		Reason:         reason,
		Provider:       e.Provider,
		UpstreamStatus: int32(e.Status),
		Code:           errCode,
		Param:          e.Param,
	}
	if e.Provider != "" {
		out.Meta().Set(HeaderProvider, e.Provider)
	}
	noteRoute(out.Meta(), llm.RouteOf(err))
	if e.RetryAfter > 0 {
		detail.RetryAfter = durationpb.New(e.RetryAfter)
		// Also as metadata, for plain HTTP clients of the Connect protocol
		// that read headers rather than error details.
		out.Meta().Set("Retry-After", strconv.FormatInt(retryAfterSeconds(e), 10))
	}
	// A rate limit's or budget's x-ratelimit-*, Retry-After and
	// X-Switchboard-Limit-Kind, as the shim sends them.
	admit.SetErrorHeaders(out.Meta(), err)
	if d, derr := connect.NewErrorDetail(detail); derr == nil {
		out.AddDetail(d)
	}
	if e.RetryAfter > 0 {
		// The standard detail gRPC clients and retry policies read.
		if d, derr := connect.NewErrorDetail(&errdetails.RetryInfo{RetryDelay: durationpb.New(e.RetryAfter)}); derr == nil {
			out.AddDetail(d)
		}
	}
	return out
}

// safeError shows the caller msg and keeps the *llm.Error (and through it
// the cause) reachable with errors.As, for logInternalErrors.
type safeError struct {
	msg   string
	cause *llm.Error
}

func (e *safeError) Error() string { return e.msg }
func (e *safeError) Unwrap() error { return e.cause }

// connectCodeOf is the kind table behind ConnectError.
func connectCodeOf(e *llm.Error) (connect.Code, switchboardv1.ErrorReason, string, string) {
	msg := e.Error()
	if isUpstreamAuthFailure(e) {
		return connect.CodeUnavailable, switchboardv1.ErrorReason_ERROR_REASON_UPSTREAM,
			upstreamAuthMessage(e), codeUpstreamAuthFailed
	}
	// Admission's refusals (billing/admit) have reasons of their own, and
	// two have codes no llm.Kind gives.
	switch e.Code {
	case admit.CodeBudgetExceeded:
		return connect.CodeResourceExhausted, switchboardv1.ErrorReason_ERROR_REASON_BUDGET_EXCEEDED, msg, e.Code
	case admit.CodeMaxCostExceeded:
		return connect.CodeInvalidArgument, switchboardv1.ErrorReason_ERROR_REASON_MAX_COST_EXCEEDED, msg, e.Code
	case admit.CodeIdempotencyConflict:
		return connect.CodeFailedPrecondition, switchboardv1.ErrorReason_ERROR_REASON_IDEMPOTENCY_CONFLICT, msg, e.Code
	case admit.CodeIdempotencyInProgress:
		return connect.CodeAborted, switchboardv1.ErrorReason_ERROR_REASON_IDEMPOTENCY_IN_PROGRESS, msg, e.Code
	}
	switch e.Kind {
	case llm.KindInvalidRequest:
		return connect.CodeInvalidArgument, switchboardv1.ErrorReason_ERROR_REASON_INVALID_REQUEST, msg, e.Code
	case llm.KindContextTooLong:
		return connect.CodeInvalidArgument, switchboardv1.ErrorReason_ERROR_REASON_CONTEXT_TOO_LONG, msg, "context_length_exceeded"
	case llm.KindContentFiltered:
		return connect.CodeInvalidArgument, switchboardv1.ErrorReason_ERROR_REASON_CONTENT_FILTERED, msg, orDefault(e.Code, "content_filter")
	case llm.KindUnauthenticated:
		return connect.CodeUnauthenticated, switchboardv1.ErrorReason_ERROR_REASON_UNAUTHENTICATED, msg, e.Code
	case llm.KindPermissionDenied:
		return connect.CodePermissionDenied, switchboardv1.ErrorReason_ERROR_REASON_PERMISSION_DENIED, msg, e.Code
	case llm.KindNotFound:
		return connect.CodeNotFound, switchboardv1.ErrorReason_ERROR_REASON_NOT_FOUND, msg, e.Code
	case llm.KindRateLimited:
		return connect.CodeResourceExhausted, switchboardv1.ErrorReason_ERROR_REASON_RATE_LIMITED, msg, e.Code
	case llm.KindPayloadTooLarge:
		return connect.CodeResourceExhausted, switchboardv1.ErrorReason_ERROR_REASON_PAYLOAD_TOO_LARGE, msg, e.Code
	case llm.KindOverloaded:
		return connect.CodeUnavailable, switchboardv1.ErrorReason_ERROR_REASON_OVERLOADED, msg, e.Code
	case llm.KindUpstream:
		return connect.CodeUnavailable, switchboardv1.ErrorReason_ERROR_REASON_UPSTREAM, msg, e.Code
	case llm.KindUnavailable:
		return connect.CodeUnavailable, switchboardv1.ErrorReason_ERROR_REASON_UNAVAILABLE, msg, e.Code
	case llm.KindTimeout:
		return connect.CodeDeadlineExceeded, switchboardv1.ErrorReason_ERROR_REASON_TIMEOUT, msg, e.Code
	case llm.KindCanceled:
		return connect.CodeCanceled, switchboardv1.ErrorReason_ERROR_REASON_CANCELED, msg, e.Code
	}
	return connect.CodeInternal, switchboardv1.ErrorReason_ERROR_REASON_INTERNAL, msg, e.Code
}

// codeUpstreamAuthFailed is the machine-readable code of a provider refusing
// the gateway's credentials. The shim uses the same string.
const codeUpstreamAuthFailed = "upstream_auth_failed"

func isUpstreamAuthFailure(e *llm.Error) bool {
	return e.Provider != "" && (e.Kind == llm.KindUnauthenticated || e.Kind == llm.KindPermissionDenied)
}

func upstreamAuthMessage(e *llm.Error) string {
	return "provider " + e.Provider + " refused the gateway's credentials; this is a gateway configuration problem, not your API key: contact the gateway operator"
}

// retryAfterSeconds rounds up, so a client never retries early.
func retryAfterSeconds(e *llm.Error) int64 {
	s := int64(e.RetryAfter / time.Second)
	if e.RetryAfter%time.Second != 0 {
		s++
	}
	return s
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
