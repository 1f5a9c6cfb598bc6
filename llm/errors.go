package llm

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error once, where it is first understood (usually in a
// provider translator); the router reads it to decide retry and fallback, and
// each transport maps it to its own codes in exactly one function.
type Kind int

// Error kinds. The zero value is KindInternal so that an unclassified error is
// never mistaken for the caller's fault.
const (
	KindInternal         Kind = iota // a bug or unexpected state in the gateway
	KindInvalidRequest               // the request is malformed or unsupported
	KindUnauthenticated              // missing or invalid credentials
	KindPermissionDenied             // valid credentials, not allowed
	KindNotFound                     // unknown model, alias or resource
	KindRateLimited                  // a rate limit or quota was hit
	KindOverloaded                   // the provider is temporarily overloaded (529, 503)
	KindContextTooLong               // the input exceeds the model's context window
	KindContentFiltered              // a safety system refused the input or output
	KindTimeout                      // a deadline passed
	KindUpstream                     // the provider failed (5xx, malformed answer, broken stream)
	KindUnavailable                  // a dependency of the gateway is unavailable
	KindCanceled                     // the caller went away
	KindPayloadTooLarge              // the request body exceeds the configured limit
)

var kindNames = [...]string{
	KindInternal:         "internal",
	KindInvalidRequest:   "invalid_request",
	KindUnauthenticated:  "unauthenticated",
	KindPermissionDenied: "permission_denied",
	KindNotFound:         "not_found",
	KindRateLimited:      "rate_limited",
	KindOverloaded:       "overloaded",
	KindContextTooLong:   "context_too_long",
	KindContentFiltered:  "content_filtered",
	KindTimeout:          "timeout",
	KindUpstream:         "upstream",
	KindUnavailable:      "unavailable",
	KindCanceled:         "canceled",
	KindPayloadTooLarge:  "payload_too_large",
}

// String returns the snake_case name of the kind.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Retryable reports whether the same request may succeed if sent again,
// possibly to another deployment.
func (k Kind) Retryable() bool {
	switch k {
	case KindRateLimited, KindOverloaded, KindTimeout, KindUpstream, KindUnavailable:
		return true
	}
	return false
}

// Error is the one error type that crosses layers.
type Error struct {
	Kind Kind
	// Provider names the provider that failed, if any.
	Provider string
	// Status is the upstream HTTP status, when there was one.
	Status int
	// RetryAfter is how long the upstream asked us to wait, when it said.
	RetryAfter time.Duration
	// Code is the provider's or the gateway's machine-readable code
	// ("context_length_exceeded", "invalid_api_key", ...), when known.
	Code string
	// Param names the offending request field, when known.
	Param string
	// Message is safe to show to the caller: no secrets, no internals.
	Message string
	// Err is the cause, for logs.
	Err error
}

func (e *Error) Error() string {
	if e.Provider != "" {
		return e.Provider + ": " + e.Message
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err: the Kind of the first *Error in its chain,
// KindCanceled or KindTimeout for context errors, and KindInternal otherwise.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return kindOfContext(err)
}

// AsError returns err as an *Error, wrapping it as KindInternal (or the
// context error's kind) when it is not one. It returns nil for nil.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	k := kindOfContext(err)
	msg := "internal error"
	switch k {
	case KindCanceled:
		msg = "request canceled"
	case KindTimeout:
		msg = "request timed out"
	}
	return &Error{Kind: k, Message: msg, Err: err}
}
