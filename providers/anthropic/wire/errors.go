package wire

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
)

// Error types of the API, as they appear in error.type.
const (
	ErrInvalidRequest  = "invalid_request_error"
	ErrAuthentication  = "authentication_error"
	ErrBilling         = "billing_error"
	ErrPermission      = "permission_error"
	ErrNotFound        = "not_found_error"
	ErrRequestTooLarge = "request_too_large"
	ErrRateLimit       = "rate_limit_error"
	ErrAPI             = "api_error"
	ErrTimeout         = "timeout_error"
	ErrOverloaded      = "overloaded_error"
)

// StatusOverloaded is Anthropic's non-standard "overloaded" status.
const StatusOverloaded = 529

// maxMessageLen bounds an upstream message copied into an error.
const maxMessageLen = 1000

// statusForErrorType is the status each error type is sent with; it
// classifies an error met where there is no status (an error event inside a
// 200 stream).
var statusForErrorType = map[string]int{
	ErrInvalidRequest:  http.StatusBadRequest,
	ErrAuthentication:  http.StatusUnauthorized,
	ErrBilling:         http.StatusPaymentRequired,
	ErrPermission:      http.StatusForbidden,
	ErrNotFound:        http.StatusNotFound,
	ErrRequestTooLarge: http.StatusRequestEntityTooLarge,
	ErrRateLimit:       http.StatusTooManyRequests,
	ErrAPI:             http.StatusInternalServerError,
	ErrTimeout:         http.StatusGatewayTimeout,
	ErrOverloaded:      StatusOverloaded,
}

// ClassifyError turns an upstream error response (or the payload of an
// error event met in a stream, with status 0 or 200) into the one error type
// that crosses layers. It is the only place that decides what an Anthropic
// failure means:
//
//	400 invalid_request_error                        InvalidRequest
//	400 "prompt is too long", context limit wording  ContextTooLong
//	401 authentication_error                         Unauthenticated (fixed message)
//	402 billing_error, 403 permission_error          PermissionDenied
//	404 not_found_error                              NotFound
//	413 request_too_large                            PayloadTooLarge
//	429 rate_limit_error                             RateLimited, RetryAfter from the headers
//	500 api_error, other 5xx                         Upstream
//	503, 529 overloaded_error                        Overloaded
//	504 timeout_error                                Timeout
//	other 4xx                                        InvalidRequest
//
// Where there is no status, the error type stands for the status it is sent
// with. The upstream message is kept when it is safe (key-like text
// redacted); 401 and 403 get a fixed sentence, so that nothing about the
// gateway's credentials reaches a caller.
func ClassifyError(provider string, status int, h http.Header, body []byte) *llm.Error {
	var er ErrorResponse
	isJSON := json.Unmarshal(body, &er) == nil
	effective := status
	if effective < 400 {
		effective = statusForErrorType[er.Error.Type]
	}
	e := &llm.Error{
		Kind:     kindFor(effective, &er.Error),
		Provider: provider,
		Status:   effective,
		Code:     safeCode(er.Error.Type),
	}
	if e.Kind == llm.KindContextTooLong {
		e.Code = "context_length_exceeded"
	}
	if h != nil {
		if d, ok := RetryAfter(h, time.Now()); ok {
			e.RetryAfter = d
		} else if e.Kind == llm.KindRateLimited {
			e.RetryAfter, _ = RateLimitReset(h, time.Now())
		}
	}
	e.Message = errorMessage(provider, effective, &er.Error, isJSON)
	e.Err = fmt.Errorf("upstream status %d: %s", status, RedactSecrets(snippet(body, 300)))
	return e
}

func kindFor(status int, d *ErrorDetail) llm.Kind {
	switch status {
	case http.StatusBadRequest:
		if isContextTooLong(d.Message) {
			return llm.KindContextTooLong
		}
		return llm.KindInvalidRequest
	case http.StatusUnauthorized:
		return llm.KindUnauthenticated
	case http.StatusPaymentRequired, http.StatusForbidden:
		return llm.KindPermissionDenied
	case http.StatusNotFound:
		return llm.KindNotFound
	case http.StatusRequestEntityTooLarge:
		return llm.KindPayloadTooLarge
	case http.StatusTooManyRequests:
		return llm.KindRateLimited
	case http.StatusServiceUnavailable, StatusOverloaded:
		return llm.KindOverloaded
	case http.StatusGatewayTimeout, http.StatusRequestTimeout:
		return llm.KindTimeout
	}
	if status >= 400 && status < 500 {
		return llm.KindInvalidRequest
	}
	return llm.KindUpstream
}

// isContextTooLong recognizes the API's wordings for an input over the
// context window: "prompt is too long: 208310 tokens > 200000 maximum" and
// "input length and `max_tokens` exceed context limit: ...".
func isContextTooLong(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "prompt is too long") || strings.Contains(m, "exceed context limit") ||
		strings.Contains(m, "context window")
}

func errorMessage(provider string, status int, d *ErrorDetail, isJSON bool) string {
	switch status {
	case http.StatusUnauthorized:
		return "the provider rejected the gateway's credentials for " + provider
	case http.StatusForbidden:
		return "the provider refused the gateway's credentials permission for this request (" + provider + ")"
	}
	if msg := strings.TrimSpace(d.Message); msg != "" {
		msg = RedactSecrets(msg)
		if len(msg) > maxMessageLen {
			msg = truncateUTF8(msg, maxMessageLen) + "..."
		}
		return msg
	}
	switch {
	case status == 0:
		return provider + " reported an error without a message"
	case !isJSON:
		return fmt.Sprintf("%s answered HTTP %d %s with a non-JSON body", provider, status, statusText(status))
	}
	return fmt.Sprintf("%s answered HTTP %d %s", provider, status, statusText(status))
}

func statusText(status int) string {
	if status == StatusOverloaded {
		return "Overloaded"
	}
	return http.StatusText(status)
}

// safeCode keeps an error type only when it looks like an identifier: it is
// forwarded to callers as the error code.
func safeCode(c string) string {
	if c == "" || len(c) > 64 {
		return ""
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '-' || ch == '.') {
			return ""
		}
	}
	return c
}

func snippet(body []byte, n int) string {
	s := strings.TrimSpace(string(body))
	if len(s) > n {
		return truncateUTF8(s, n) + "..."
	}
	return s
}

func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// ErrorTypeFor is the status and error type an Anthropic-shaped endpoint
// answers a canonical error kind with: the inverse of ClassifyError.
func ErrorTypeFor(k llm.Kind) (status int, errType string) {
	switch k {
	case llm.KindInvalidRequest, llm.KindContextTooLong, llm.KindContentFiltered:
		return http.StatusBadRequest, ErrInvalidRequest
	case llm.KindUnauthenticated:
		return http.StatusUnauthorized, ErrAuthentication
	case llm.KindPermissionDenied:
		return http.StatusForbidden, ErrPermission
	case llm.KindNotFound:
		return http.StatusNotFound, ErrNotFound
	case llm.KindPayloadTooLarge:
		return http.StatusRequestEntityTooLarge, ErrRequestTooLarge
	case llm.KindRateLimited:
		return http.StatusTooManyRequests, ErrRateLimit
	case llm.KindOverloaded, llm.KindUnavailable:
		return StatusOverloaded, ErrOverloaded
	case llm.KindTimeout:
		return http.StatusGatewayTimeout, ErrTimeout
	}
	return http.StatusInternalServerError, ErrAPI
}
